"""The items a campaign offers: styles in a colour, with sizes, body fits and prices."""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from uuid import UUID

from group_orders import forms, sizing
from group_orders.access import VisibleCampaign
from group_orders.campaigns import ENTITY
from group_orders.records import CampaignRecord, OfferedItem, SizeOption
from group_orders.tables import (
    CampaignItem,
    CampaignStatus,
)
from partner_portal import access
from partner_portal.access import Viewer
from partner_portal.audit import services as audit_log
from partner_portal.catalog.services import prices_for_partner
from partner_portal.catalog.size_charts import charts_for_styles
from partner_portal.catalog.tables import Colourway, Size, Style, StyleStatus
from partner_portal.database import write_transaction
from partner_portal.edits import SaveResult
from partner_portal.i18n import gettext as _
from partner_portal.records import Record


class _ItemRow(Record, frozen=True):
    """A campaign item's row with its style's and colour's columns (offered_items' query)."""

    id: int
    uuid: UUID
    style: int
    colourway: int
    allotment: int
    gender: str
    job_role: str
    logo: str
    logo_price: Decimal | None
    style_code: str
    name_en: str
    name_zh: str
    name_ko: str
    category: str
    scale_id: int
    scale_kind: str
    colour_code: str
    colour_name: str


class _ScaleSize(Record, frozen=True):
    id: int
    label: str
    size_scale: int


@access.checked_by_caller("the campaign comes from get_campaign or an employee's signed link")
async def offered_items(campaign: CampaignRecord) -> list[OfferedItem]:
    """The campaign's items with sizes, body fits, size charts and the client's prices
    (five queries)."""
    rows = _ItemRow.from_rows(
        await CampaignItem.select(
            *CampaignItem.all_columns(),
            CampaignItem.style._.code.as_alias("style_code"),
            CampaignItem.style._.name_en.as_alias("name_en"),
            CampaignItem.style._.name_zh.as_alias("name_zh"),
            CampaignItem.style._.name_ko.as_alias("name_ko"),
            CampaignItem.style._.category.as_alias("category"),
            CampaignItem.style._.size_scale.as_alias("scale_id"),
            CampaignItem.style._.size_scale._.kind.as_alias("scale_kind"),
            CampaignItem.colourway._.code.as_alias("colour_code"),
            CampaignItem.colourway._.name.as_alias("colour_name"),
        )
        .where(CampaignItem.campaign == campaign.id)
        .order_by(CampaignItem.position)
        .order_by(CampaignItem.id)
    )
    if not rows:
        return []
    sizes = _ScaleSize.from_rows(
        await Size.select(Size.id, Size.label, Size.size_scale, Size.position)
        .where(Size.size_scale.is_in(sorted({row.scale_id for row in rows})))
        .order_by(Size.position)
    )
    prices = await prices_for_partner(campaign.organisation, [row.style for row in rows])
    charts = await charts_for_styles(row.style for row in rows)
    discount = campaign.contract_discount_percent or Decimal("0")

    def size_options(row: _ItemRow, logo_price: Decimal) -> list[SizeOption]:
        options: list[SizeOption] = []
        for size in sizes:
            if size.size_scale != row.scale_id:
                continue
            price = prices.for_item(row.style, size.id)
            options.append(
                {
                    "id": size.id,
                    "label": size.label,
                    "fit": sizing.body_fit(size.label, row.scale_kind, row.category),
                    "price": None
                    if price is None
                    else garment_price(price.wholesale, discount, campaign.currency) + logo_price,
                }
            )
        return options

    items = []
    for row in rows:
        logo_price = row.logo_price or Decimal("0")
        items.append(
            OfferedItem(
                id=row.id,
                uuid=row.uuid,
                style_id=row.style,
                colourway_id=row.colourway,
                style_code=row.style_code,
                names={"en": row.name_en, "zh_Hans": row.name_zh, "ko": row.name_ko},
                colour=f"{row.colour_code} {row.colour_name}".strip(),
                category=row.category,
                allotment=row.allotment,
                gender=row.gender,
                job_role=row.job_role,
                logo=row.logo,
                logo_price=logo_price,
                sizes=size_options(row, logo_price),
                charts=charts.get(row.style, []),
            )
        )
    return items


def garment_price(wholesale: Decimal, discount_percent: Decimal, currency: str) -> Decimal:
    """A garment's price for the campaign: the price list's, less the contract's discount
    when the campaign takes its prices from the contract (0 otherwise); the logo is extra."""
    from partner_portal.orders.services import round_money

    return round_money(wholesale * (100 - discount_percent) / 100, currency)


async def add_item(
    viewer: Viewer, campaign: VisibleCampaign, data: Mapping[str, str]
) -> SaveResult:
    """Offer a style in a colour; it must be active and priced for the client."""
    values, errors = forms.parse_item(data, campaign.currency)
    if campaign.status != CampaignStatus.open:
        errors["style_code"] = _("Items can only change while the campaign is open.")
    if errors or values is None:
        return SaveResult(errors=errors)
    style = (
        await Style.select(Style.id, Style.uuid)
        .where((Style.code == values.style_code) & (Style.status == StyleStatus.active))
        .first()
    )
    if style is None:
        return SaveResult(errors={"style_code": _("No active style has this code.")})
    colourway = (
        await Colourway.select(Colourway.id)
        .where((Colourway.style == style["id"]) & (Colourway.code == values.colour_code))
        .first()
    )
    if colourway is None:
        return SaveResult(errors={"colour_code": _("This style has no colour with this code.")})
    prices = await prices_for_partner(campaign.organisation, [style["id"]])
    if not prices.best:
        return SaveResult(
            errors={"style_code": _("The client's price list has no price for this style.")}
        )
    duplicate = await CampaignItem.exists().where(
        (CampaignItem.campaign == campaign.id)
        & (CampaignItem.style == style["id"])
        & (CampaignItem.colourway == colourway["id"])
        & (CampaignItem.gender == values.gender)
        & (CampaignItem.job_role == values.job_role)
    )
    if duplicate:
        return SaveResult(errors={"style_code": _("This item is already offered.")})
    async with write_transaction():
        position = await CampaignItem.count().where(CampaignItem.campaign == campaign.id)
        row = (
            await CampaignItem.insert(
                CampaignItem(
                    campaign=campaign.id,
                    organisation=campaign.organisation,
                    style=style["id"],
                    colourway=colourway["id"],
                    allotment=values.allotment,
                    gender=values.gender,
                    job_role=values.job_role,
                    logo=values.logo,
                    logo_price=values.logo_price,
                    position=position,
                )
            )
            .returning(CampaignItem.uuid)
            .run()
        )
        await audit_log.record(
            viewer,
            entity_kind=ENTITY,
            entity_uuid=campaign.uuid,
            organisation_id=campaign.organisation,
            action="add_item",
            summary=f"{values.style_code} {values.colour_code} x{values.allotment}",
        )
    return SaveResult(uuid=row[0]["uuid"])
