"""The brand's purchasers keep materials and BOMs; forms answer in place and never half-save."""

from __future__ import annotations

from decimal import Decimal

from partner_portal.audit.tables import AuditEntry
from suppliers.tables import BomLine, Material
from tests.suppliers.support import make_material, make_style
from tests.support import Cast, PortalClient


async def test_a_purchaser_adds_and_edits_a_material(client: PortalClient, cast: Cast) -> None:
    await client.sign_in(cast.staff)
    form = {
        "supplier": str(cast.mill.uuid), "code": "HF-POP-120", "name": "全棉府绸 Poplin",
        "kind": "fabric", "unit": "piece", "weight_gsm": "110", "width_cm": "145",
        "price": "16.80", "currency": "CNY", "lead_time_days": "35", "minimum_order": "600",
    }  # fmt: skip

    refused = await client.post_form("/suppliers/materials/new", form)
    assert refused.status_code == 400
    assert "Fabric is bought by the metre or the kilogram." in refused.text
    assert await Material.count() == 0

    created = await client.post_form("/suppliers/materials/new", {**form, "unit": "metre"})
    assert created.status_code == 303
    material = await Material.select(*Material.all_columns()).first()
    assert material is not None
    assert (material["price"], material["minimum_order"]) == (Decimal("16.80"), Decimal(600))

    edit_url = f"/suppliers/materials/{material['uuid']}/edit"
    page = await client.get(edit_url)
    assert page.status_code == 200 and 'value="HF-POP-120"' in page.text
    saved = await client.post_form(
        edit_url, {**form, "unit": "metre", "on_hand": "250", "version": "1"}
    )
    assert saved.status_code == 303
    # A second editor who opened version 1 is told what changed instead of overwriting it.
    stale = await client.post_form(
        edit_url, {**form, "unit": "metre", "on_hand": "10", "version": "1"}
    )
    assert stale.status_code == 409
    assert (await Material.select(Material.on_hand).first()) == {"on_hand": Decimal(250)}
    assert await AuditEntry.count().where(AuditEntry.entity_kind == "material") == 2


async def test_a_bom_line_is_added_once_and_removed(client: PortalClient, cast: Cast) -> None:
    shirt = await make_style()
    shell = await make_material(cast.mill.id, "HF-POP-120")
    await client.sign_in(cast.staff)
    url = f"/suppliers/boms/{shirt.style_uuid}"
    line = {"material": str(shell["uuid"]), "size": str(shirt.sizes["M"]),
            "consumption": "1.45", "wastage_percent": "5"}  # fmt: skip

    assert (await client.post_form(url, {**line, "consumption": "-1"})).status_code == 400
    assert (await client.post_form(url, line)).status_code == 303
    duplicate = await client.post_form(url, line)
    assert duplicate.status_code == 400
    assert "already has a line for this colour and size" in duplicate.text
    page = await client.get(url)
    assert "1.523" in page.text  # 1.45 m + 5 %, to the millimetre
    row = await BomLine.select(BomLine.uuid).first()
    assert row is not None
    removed = await client.post_form(f"/suppliers/bom-lines/{row['uuid']}/delete")
    assert removed.status_code == 303
    assert await BomLine.count() == 0


async def test_a_suppliers_partner_page_shows_its_purchasing(
    client: PortalClient, cast: Cast
) -> None:
    from datetime import date

    from tests.suppliers.support import add_purchase_order

    shell = await make_material(cast.mill.id, "HF-POP-120")
    await add_purchase_order(cast.mill.id, shell["id"], "100", date(2027, 1, 20))
    await client.sign_in(cast.staff)
    page = await client.get(f"/partners/{cast.mill.uuid}")
    assert page.status_code == 200
    assert "HF-POP-120" in page.text and "MPO-" in page.text
    # A KAM who owns the mill sells nothing to it here: no purchasing section.
    await client.sign_in(cast.other_kam)
    page = await client.get(f"/partners/{cast.mill.uuid}")
    assert page.status_code == 200 and "HF-POP-120" not in page.text
