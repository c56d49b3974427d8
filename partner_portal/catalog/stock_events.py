"""stock.low: the brand's systems hear when a SKU's stock left at once (on hand less what
orders hold) falls from above the installation's low level (LOW_STOCK_PIECES) to it or
below, whichever change did it: an order's hold (orders/services/stock.py) or an ERP's
stock push (catalog/bulk.py), each in its own transaction.

One change records ONE event however many SKUs it took low: a push of 100,000 figures
that empties a warehouse must not queue 100,000 events and deliveries. The event lists at
most ``LISTED_SKUS`` of them, those with the fewest pieces left, and ``count`` says how
many there were; a receiver that sees more than it was listed reads the stock API."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from partner_portal import access
from partner_portal.catalog.tables import Sku
from partner_portal.events import services as events
from partner_portal.i18n import N_
from partner_portal.partners.tables import Organisation, OrganisationKind
from partner_portal.registries import EventKind
from partner_portal.settings import current_settings

STOCK_LOW = EventKind("stock.low", N_("Stock of a SKU runs low"), audience="brand")
KINDS = (STOCK_LOW,)

STOCK_LOW_MESSAGE = N_("Stock runs low: %(skus)s")
STOCK_LOW_MORE_MESSAGE = N_("Stock runs low: %(skus)s and %(more)s other SKUs")

LISTED_SKUS = 100  # in the event's payload, for machines
NAMED_SKUS = 10  # in its message, for the people told in the portal and by e-mail


async def tell_low_stock(before: Mapping[int, int], after: Mapping[int, int]) -> None:
    """Record stock.low for the SKUs (by id) whose pieces left at once went from above the
    low level ``before`` a change to it or below ``after`` it; call inside the change's
    transaction."""
    low = current_settings().low_stock_pieces
    crossed = {
        sku_id: after[sku_id]
        for sku_id, left in before.items()
        if sku_id in after and left > low >= after[sku_id]
    }
    if not crossed:
        return
    listed = dict(sorted(crossed.items(), key=lambda item: (item[1], item[0]))[:LISTED_SKUS])
    skus = await _sku_names(listed)
    named = ", ".join(
        f"{sku['style']} {sku['colour']} {sku['size']} ({sku['available']})"
        for sku in skus[:NAMED_SKUS]
    )
    more = len(crossed) - min(len(skus), NAMED_SKUS)
    await events.record_event(
        None,
        STOCK_LOW.type,
        organisation_id=await _brand_id(),
        object_kind="sku",
        object_uuid=None,
        message=STOCK_LOW_MORE_MESSAGE if more else STOCK_LOW_MESSAGE,
        params={"skus": named, "more": more} if more else {"skus": named},
        link="/stock",
        payload={"skus": skus, "count": len(crossed)},
    )


@access.system_query("the brand's own organisation, which stock belongs to")
async def _brand_id() -> int:
    row = (
        await Organisation.select(Organisation.id)
        .where(Organisation.kind == OrganisationKind.brand)
        .first()
    )
    assert row is not None, "there is always the brand"
    return int(row["id"])


async def _sku_names(left: Mapping[int, int]) -> list[dict[str, Any]]:
    """Each SKU as an integration names it (barcode; style, colour and size codes), with
    the pieces left, by style code."""
    rows = await Sku.select(
        Sku.id,
        Sku.uuid,
        Sku.barcode,
        Sku.external_ref,
        Sku.style._.code.as_alias("style"),
        Sku.colourway._.code.as_alias("colour"),
        Sku.size._.label.as_alias("size"),
    ).where(Sku.id.is_in(sorted(left)))
    return sorted(
        (
            {
                "sku": str(row["uuid"]),
                "barcode": row["barcode"],
                "external_ref": row["external_ref"],
                "style": row["style"],
                "colour": row["colour"],
                "size": row["size"],
                "available": left[row["id"]],
            }
            for row in rows
        ),
        key=lambda sku: (sku["style"], sku["colour"], sku["size"]),
    )
