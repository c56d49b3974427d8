"""Prepacks: a size ratio per scale, managed in pages, expanded into quantities per size."""

from partner_portal.catalog import services
from partner_portal.catalog.tables import Prepack, Size, SizeScale
from tests.catalog.support import make_catalog
from tests.support import Cast, PortalClient


async def test_staff_make_a_prepack_and_ten_packs_expand_per_size(
    client: PortalClient, cast: Cast
) -> None:
    await make_catalog()
    await client.sign_in(cast.staff)
    scale = await SizeScale.select().where(SizeScale.code == "GB-TOPS").first()
    assert scale is not None
    url = f"/catalog/prepacks/new?scale={scale['uuid']}"
    form = {
        "name": "1-2-2-1",
        "size-165/84A": "1",
        "size-170/88A": "2",
        "size-175/92A": "2",
        "size-180/96A": "1",
    }

    assert 'name="size-175/92A"' in (await client.get(url)).text
    assert (await client.post_form(url, form)).status_code == 303
    again = await client.post_form(url, form)

    assert again.status_code == 400 and "already has a prepack of this name" in again.text
    prepack = await Prepack.select().first()
    assert prepack is not None
    sizes = {row["label"]: row["id"] for row in await Size.select(Size.id, Size.label)}
    assert await services.expand_prepack(prepack["id"], 10) == {
        sizes["165/84A"]: 10,
        sizes["170/88A"]: 20,
        sizes["175/92A"]: 20,
        sizes["180/96A"]: 10,
    }
    ratios = await services.prepacks_for_scales([scale["id"]])
    assert [(ratio.ratio_text, ratio.pieces_per_pack) for ratio in ratios[scale["id"]]] == [
        ("1-2-2-1", 6)
    ]
    listed = await client.get("/catalog/prepacks")
    assert "1-2-2-1" in listed.text and "170/88A×2" in listed.text


async def test_a_prepack_needs_two_pieces_and_whole_numbers(
    client: PortalClient, cast: Cast
) -> None:
    await make_catalog()
    await client.sign_in(cast.admin)
    scale = await SizeScale.select().where(SizeScale.code == "ALPHA").first()
    assert scale is not None
    url = f"/catalog/prepacks/new?scale={scale['uuid']}"

    one_piece = await client.post_form(url, {"name": "Single", "size-M": "1"})
    not_a_number = await client.post_form(url, {"name": "Bad", "size-M": "two"})

    assert one_piece.status_code == 400 and "at least two pieces" in one_piece.text
    assert not_a_number.status_code == 400 and "Enter a whole number." in not_a_number.text
    assert await Prepack.count() == 0
