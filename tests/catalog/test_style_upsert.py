"""An ERP writes the catalog through the API: many styles with their SKUs and prices in one
call (all of them or none, each refused field named by its place), one style created,
replaced or archived; only the brand's catalog managers, through the rules of the style
form."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from partner_portal.accounts.services import create_api_token, viewer_for_user_id
from partner_portal.audit.tables import AuditEntry
from partner_portal.catalog.tables import Colourway, Price, Sku, Style
from partner_portal.orders import services as orders
from partner_portal.orders.services import OrderDraft
from partner_portal.orders.tables import OrderChannel
from tests.catalog.support import ean13
from tests.orders.support import make_shop
from tests.support import Cast, Member, PortalClient, problem_fields

BULK = "/api/v1/styles/bulk"


async def token_for(member: Member) -> dict[str, str]:
    viewer = await viewer_for_user_id(member.id)
    return {"Authorization": f"Bearer {await create_api_token(viewer, 'erp')}"}


def knit(**values: Any) -> dict[str, Any]:
    return {
        "code": "SS27-KN-100",
        "external_ref": "K3-STYLE-100",
        "season": "SS27",
        "category": "knitwear",
        "gender": "women",
        "status": "active",
        "name_en": "Merino crew",
        "name_zh": "美利奴圆领衫",
        "name_ko": "메리노 크루넥",
        "size_scale": "ALPHA",
        "colours": [{"code": "NVY", "name": "Navy"}, {"code": "OAT", "name": "Oatmeal"}],
        "skus": [
            {
                "colour": "NVY",
                "size": "S",
                "barcode": ean13("690123450001"),
                "external_ref": "K3-1",
            },
            {"colour": "NVY", "size": "M", "external_ref": "K3-2"},
        ],
        "prices": [
            {"price_list": "CNY list", "wholesale": "399.00", "suggested_retail": "899.00"},
            {"price_list": "KRW silver", "wholesale": "79000"},
            {"price_list": "KRW silver", "size": "L", "wholesale": "82000"},
        ],
        **values,
    }


async def skus_of(code: str) -> dict[tuple[str, str], dict[str, Any]]:
    rows = await Sku.select(
        Sku.barcode,
        Sku.external_ref,
        Sku.colourway.code.as_alias("colour"),  # type: ignore[attr-defined]
        Sku.size.label.as_alias("size"),  # type: ignore[attr-defined]
    ).where(Sku.style.code == code)  # type: ignore[attr-defined]
    return {(row["colour"], row["size"]): row for row in rows}


async def prices_of(code: str) -> set[tuple[str, str | None, Decimal]]:
    rows = await Price.select(
        Price.price_list.name.as_alias("list"),  # type: ignore[attr-defined]
        Price.size.label.as_alias("size"),  # type: ignore[attr-defined]
        Price.wholesale,
    ).where(Price.style.code == code)  # type: ignore[attr-defined]
    return {(row["list"], row["size"], Decimal(str(row["wholesale"]))) for row in rows}


async def test_an_erp_upserts_styles_with_skus_and_prices_in_one_call_once(
    client: PortalClient, cast: Cast
) -> None:
    await make_shop(1)
    headers = {**await token_for(cast.staff), "Idempotency-Key": "catalog-2027-01-15-0001"}
    items = [
        knit(),
        {**knit(code="SS27-001", external_ref="K3-STYLE-001", skus=[], prices=[])},
    ]
    items[1]["colours"] = [{"code": "BLK", "name": "Black"}, {"code": "WHT", "name": "White"}]

    for _ in range(2):  # the retry replays the first answer
        answer = await client.post(BULK, headers=headers, json={"items": items})
        assert answer.status_code == 200, answer.text
        body = answer.json()
        assert (body["received"], body["created"], body["updated"]) == (2, 1, 1)
        assert [style["result"] for style in body["styles"]] == ["created", "updated"]

    skus = await skus_of("SS27-KN-100")
    assert len(skus) == 6  # two colours in the scale's three sizes
    assert skus[("NVY", "S")]["barcode"] == ean13("690123450001")
    assert skus[("NVY", "S")]["external_ref"] == "K3-1"
    assert skus[("NVY", "M")]["external_ref"] == "K3-2"
    assert skus[("OAT", "L")]["barcode"] is None
    assert await prices_of("SS27-KN-100") == {
        ("CNY list", None, Decimal("399")),
        ("KRW silver", None, Decimal("79000")),
        ("KRW silver", "L", Decimal("82000")),
    }
    shirt = await Style.select().where(Style.code == "SS27-001").first()
    assert shirt is not None and shirt["external_ref"] == "K3-STYLE-001"
    assert shirt["version"] == 2

    # The ERP names the style by its reference: a new name, a price changed, a SKU's
    # barcode given; what the call leaves out stays.
    again = knit(code=None, name_en="Merino crew neck", skus=[], prices=[])
    again["skus"] = [{"colour": "OAT", "size": "L", "barcode": ean13("690123450002")}]
    again["prices"] = [{"price_list": "KRW silver", "wholesale": "75000"}]
    del again["code"]
    answer = await client.post(BULK, headers=await token_for(cast.admin), json={"items": [again]})
    assert answer.status_code == 200, answer.text
    assert answer.json()["updated"] == 1 and answer.json()["prices_changed"] == 1
    skus = await skus_of("SS27-KN-100")
    assert skus[("OAT", "L")]["barcode"] == ean13("690123450002")
    assert skus[("NVY", "S")]["barcode"] == ean13("690123450001")
    assert ("KRW silver", None, Decimal("75000")) in await prices_of("SS27-KN-100")

    same = await client.post(BULK, headers=await token_for(cast.admin), json={"items": [again]})
    assert same.json()["unchanged"] == 1 and same.json()["prices_changed"] == 0


async def test_refused_fields_are_named_by_place_and_nothing_is_saved(
    client: PortalClient, cast: Cast
) -> None:
    shop = await make_shop(1)
    taken = ean13("690123450009")
    await Sku.update({Sku.barcode: taken}).where(Sku.id == shop.styles[0].skus[("BLK", "S")])
    headers = await token_for(cast.staff)
    entries = await AuditEntry.count()
    items = [
        knit(),
        knit(code="SS27-KN-101", external_ref="K3-STYLE-101", season="AW99", skus=[]),
        knit(
            code="SS27-KN-102",
            external_ref="K3-STYLE-102",
            skus=[
                {"colour": "NVY", "size": "XXL"},
                {"colour": "NVY", "size": "S", "barcode": taken},
                {"colour": "RED", "size": "S"},
            ],
            prices=[{"price_list": "KRW silver", "wholesale": "79000.50"}],
        ),
        knit(code="SS27-KN-103", external_ref="K3-STYLE-100"),
    ]

    answer = await client.post(BULK, headers=headers, json={"items": items})

    fields = problem_fields(answer, 422)
    assert set(fields) == {
        "items[1].season",
        "items[2].skus[0].size",
        "items[2].skus[1].barcode",
        "items[2].skus[2].colour",
        "items[2].prices[0].wholesale",
        "items[3].external_ref",
        # item 0's SKU references and barcode, given again by items 2 and 3
        "items[3].skus[0].barcode",
        "items[3].skus[0].external_ref",
        "items[3].skus[1].external_ref",
    }
    assert await Style.count() == 1
    assert await AuditEntry.count() == entries


async def test_a_body_off_its_schema_is_a_400_naming_the_field(
    client: PortalClient, cast: Cast
) -> None:
    await make_shop(1)
    bad = knit(colours=[{"code": "navy blue"}])

    answer = await client.post(BULK, headers=await token_for(cast.staff), json={"items": [bad]})

    assert problem_fields(answer) == {"items[0].colours[0].code": "invalid"}


async def test_only_the_brands_catalog_managers_write_the_catalog(
    client: PortalClient, cast: Cast
) -> None:
    shop = await make_shop(1)
    style = f"/api/v1/styles/{shop.styles[0].uuid}"
    for member in (cast.kam, cast.distributor, cast.retailer):
        headers = await token_for(member)
        assert (await client.post(BULK, headers=headers, json={"items": []})).status_code == 403
        assert (await client.post("/api/v1/styles", headers=headers, json={})).status_code == 403
        assert (await client.put(style, headers=headers, json={})).status_code == 403
        assert (await client.post(f"{style}/archive", headers=headers)).status_code == 403
    assert await Style.count() == 1


async def test_one_style_is_created_replaced_and_archived_as_the_form_does(
    client: PortalClient, cast: Cast
) -> None:
    await make_shop(1)
    headers = await token_for(cast.staff)
    body = knit(prices=[])

    created = await client.post("/api/v1/styles", headers=headers, json=body)
    assert created.status_code == 201, created.text
    style = created.json()
    assert style["code"] == "SS27-KN-100" and style["external_ref"] == "K3-STYLE-100"
    assert len(style["skus"]) == 6 and style["version"] == 1
    again = await client.post("/api/v1/styles", headers=headers, json=body)
    assert set(problem_fields(again)) == {  # all of it is the first style's
        "code",
        "external_ref",
        "skus[0].barcode",
        "skus[0].external_ref",
        "skus[1].external_ref",
    }

    url = f"/api/v1/styles/{style['id']}"
    renamed = {**body, "code": "SS27-KN-110", "name_en": "Merino crew neck", "version": 1}
    renamed["colours"] = body["colours"][:1]
    replaced = await client.put(url, headers=headers, json=renamed)
    assert replaced.status_code == 200, replaced.text
    assert replaced.json()["code"] == "SS27-KN-110" and replaced.json()["version"] == 2
    assert len(replaced.json()["skus"]) == 3  # the oatmeal colour is gone
    stale = await client.put(url, headers=headers, json={**renamed, "name_en": "Old"})
    assert stale.status_code == 409
    assert stale.json()["current_version"] == 2
    scale = await client.put(
        url, headers=headers, json={**renamed, "version": 2, "size_scale": "XL"}
    )
    assert problem_fields(scale) == {"size_scale": "invalid"}

    archived = await client.post(f"{url}/archive", headers=headers)
    assert archived.status_code == 200 and archived.json()["status"] == "discontinued"
    partner = await client.get(url, headers=await token_for(cast.retailer))
    assert partner.status_code == 404


async def test_an_ordered_colour_stays(client: PortalClient, cast: Cast) -> None:
    shop = await make_shop(1)
    [style] = shop.styles
    viewer = await viewer_for_user_id(cast.distributor.id)
    draft = OrderDraft(
        buyer_id=cast.distributor_a.id,
        channel=OrderChannel.distributor,
        lines=[style.line("WHT", "M", 10)],
    )
    assert (await orders.create_draft(viewer, draft)).saved
    body = knit(code="SS27-001", external_ref=None, skus=[], prices=[], size_scale="ALPHA")
    body["colours"] = [{"code": "BLK", "name": "Black"}]

    answer = await client.put(
        f"/api/v1/styles/{style.uuid}", headers=await token_for(cast.staff), json=body
    )

    assert problem_fields(answer) == {"colours": "invalid"}
    assert "WHT" in answer.json()["errors"][0]["message"]
    assert await Colourway.count().where(Colourway.style == style.id) == 2
