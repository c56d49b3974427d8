"""JSON API for writing the catalog, for the brand's catalog managers (manage_catalog; a
partner's token gets 403 before its body is read): one style created, replaced or
archived, and up to 10,000 styles with 100,000 SKUs and their prices upserted in one call
from an ERP. Everything goes through catalog/upsert/, the service the style form and
the style import use, so the rules are the same wherever a style comes from.

Styles are named by their code or by the ERP's ``external_ref``; seasons and size scales
by code (or id), collections by name (or id), price lists by name (or id). Money is a
decimal string with at most the list's currency's decimals ("199.00" CNY, "19900" KRW).
"""

from __future__ import annotations

from typing import Annotated, Any
from uuid import UUID

import msgspec
from litestar import Response
from litestar.params import FromPath, JSONBody

from partner_portal import access, api, idempotency
from partner_portal.access import Action
from partner_portal.audit import services as audit_log
from partner_portal.catalog import forms, upsert
from partner_portal.catalog.api import StyleDetail, style_detail
from partner_portal.catalog.bulk_api import rows_refused
from partner_portal.catalog.tables import Category, Gender, StyleStatus
from partner_portal.edits import SaveResult
from partner_portal.handler_types import AnyRequest
from partner_portal.web import CurrentViewer

API = "/api/v1/styles"

StyleCode = Annotated[
    str,
    msgspec.Meta(
        pattern=forms.STYLE_CODE_PATTERN.pattern,
        description="Capital letters, digits and hyphens (SS27-SH-001).",
    ),
]
ColourCode = Annotated[
    str, msgspec.Meta(pattern=forms.COLOUR_CODE_PATTERN.pattern, description="e.g. WHT")
]
SizeLabel = Annotated[str, msgspec.Meta(min_length=1, max_length=20)]
Reference = Annotated[
    str,
    msgspec.Meta(
        min_length=1,
        max_length=60,
        pattern=r"^\S(.*\S)?$",
        description="The record's id in the brand's ERP (unique).",
    ),
]
Barcode = Annotated[
    str, msgspec.Meta(pattern=r"^[0-9]{13}$", description="An EAN-13 with its check digit.")
]
Name = Annotated[str, msgspec.Meta(max_length=200)]
Named = Annotated[str, msgspec.Meta(min_length=1, max_length=100)]
# A style's colours, sizes and prices: 20 colours of a scale of at most 40 sizes.
MAX_SKUS_A_STYLE = forms.MAX_COLOURWAYS * forms.MAX_SIZES
MAX_PRICES_A_STYLE = 1_000
# 10,000 styles of 100,000 SKUs, each with a barcode and a reference, and their prices:
# about 20 MB of JSON, with room to spare.
BULK_BODY_BYTES = 64 * 1024 * 1024


class ColourIn(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    code: ColourCode
    name: Annotated[str, msgspec.Meta(max_length=100)] = ""


class SkuIn(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    """One SKU (a colour in a size): its barcode and ERP reference. Left out: unchanged;
    null: cleared."""

    colour: ColourCode
    size: SizeLabel
    barcode: Barcode | msgspec.UnsetType | None = msgspec.UNSET
    external_ref: Reference | msgspec.UnsetType | None = msgspec.UNSET


class PriceIn(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    """The style's price on a list (its name or id): for one size, or (no size) for all
    sizes without a price of their own."""

    price_list: Named
    wholesale: api.Money
    size: SizeLabel | None = None
    suggested_retail: api.Money | None = None


class StyleIn(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    """A style as it should be. ``colours`` are all its colours (one left out is removed,
    unless ordered); its SKUs are each colour in every size of its scale."""

    season: Annotated[str, msgspec.Meta(min_length=1, max_length=36)]
    category: Category
    size_scale: Annotated[str, msgspec.Meta(min_length=1, max_length=36)]
    colours: Annotated[list[ColourIn], msgspec.Meta(min_length=1, max_length=forms.MAX_COLOURWAYS)]
    code: StyleCode | None = None
    external_ref: Reference | msgspec.UnsetType | None = msgspec.UNSET
    collection: Named | None = None
    gender: Gender = Gender.unisex
    status: StyleStatus = StyleStatus.draft
    name_en: Name = ""
    name_zh: Name = ""
    name_ko: Name = ""
    fabric_composition: Name = ""
    care: Annotated[str, msgspec.Meta(max_length=2000)] = ""
    skus: Annotated[list[SkuIn], msgspec.Meta(max_length=MAX_SKUS_A_STYLE)] = []
    prices: Annotated[list[PriceIn], msgspec.Meta(max_length=MAX_PRICES_A_STYLE)] = []

    def change(
        self,
        intent: upsert.Intent = upsert.Intent.upsert,
        style_id: int | None = None,
        version: int | None = None,
    ) -> upsert.StyleChange:
        return upsert.StyleChange(
            code=self.code,
            season=self.season,
            category=self.category.value,
            size_scale=self.size_scale,
            colours=tuple((colour.code, colour.name.strip()) for colour in self.colours),
            collection=self.collection,
            gender=self.gender.value,
            status=self.status.value,
            name_en=self.name_en.strip(),
            name_zh=self.name_zh.strip(),
            name_ko=self.name_ko.strip(),
            fabric_composition=self.fabric_composition.strip(),
            care=self.care.strip(),
            external_ref=self.external_ref,
            skus=tuple(
                upsert.SkuChange(sku.colour, sku.size, sku.barcode, sku.external_ref)
                for sku in self.skus
            ),
            prices=tuple(
                upsert.PriceChange(
                    price.price_list, price.wholesale, price.size, price.suggested_retail
                )
                for price in self.prices
            ),
            intent=intent,
            style_id=style_id,
            version=version,
        )


class StyleUpdateIn(StyleIn, kw_only=True):
    """A style as it should be; ``version``: the version you read (a 409 if someone saved
    since), or left out to save over whatever is there."""

    version: Annotated[int, msgspec.Meta(ge=1)] | None = None


class StylesIn(msgspec.Struct, forbid_unknown_fields=True):
    items: Annotated[list[StyleIn], msgspec.Meta(min_length=1, max_length=upsert.MAX_STYLES)]


class UpsertedStyle(msgspec.Struct):
    id: UUID
    code: str
    # created, updated or unchanged
    result: str


class UpsertAnswer(msgspec.Struct):
    received: int
    created: int
    updated: int
    unchanged: int
    prices_changed: int
    # One per item, in the order sent.
    styles: list[UpsertedStyle]


def _refused(result: upsert.UpsertResult) -> api.ProblemException:
    """A one-style write's problems as a 400 naming each field by its place in the body."""
    errors: dict[str, str] = {}
    for problem in result.problems:
        errors.setdefault(problem.field, problem.message)
    return api.invalid(errors)


@api.post(
    f"{API}/bulk",
    tags=["catalog", "erp"],
    status_code=200,
    request_max_body_size=BULK_BODY_BYTES,
    guards=[api.requires(Action.manage_catalog)],
)
async def upsert_styles(
    request: AnyRequest,
    viewer: CurrentViewer,
    data: JSONBody[StylesIn],
    idempotency_key: idempotency.KeyHeader = None,
) -> Response[UpsertAnswer]:
    """Create or update up to 10,000 styles (100,000 SKUs) with their colours, SKUs and
    prices: all of them, or none and a 422 naming each refused field by its place
    (``items[3].skus[2].barcode``). A style is found by its external_ref, else its code."""

    async def respond() -> Response[Any]:
        result = await upsert.upsert_styles(viewer, [item.change() for item in data.items])
        if result.stale or result.problems:
            return rows_refused(result.problems)
        return Response(
            UpsertAnswer(
                received=len(data.items),
                created=result.count("created"),
                updated=result.count("updated"),
                unchanged=result.count("unchanged"),
                prices_changed=result.prices_changed,
                styles=[
                    UpsertedStyle(id=style.uuid, code=style.code, result=style.action)
                    for style in result.styles
                ],
            )
        )

    return await idempotency.respond_once(request, viewer, idempotency_key, respond)


@api.post(API, tags=["catalog"], status_code=201, guards=[api.requires(Action.manage_catalog)])
async def create_style(
    request: AnyRequest,
    viewer: CurrentViewer,
    data: JSONBody[StyleIn],
    idempotency_key: idempotency.KeyHeader = None,
) -> Response[StyleDetail]:
    """Create a style with its colours, SKUs and prices (as the style form does)."""

    async def respond() -> Response[Any]:
        result = await upsert.upsert_styles(viewer, [data.change(upsert.Intent.create)])
        if not result.ok:
            return api.problem_response(_refused(result))
        return Response(await style_detail(viewer, result.styles[0].uuid), status_code=201)

    return await idempotency.respond_once(request, viewer, idempotency_key, respond)


@api.put(
    f"{API}/{{style_id:uuid}}",
    tags=["catalog"],
    status_code=200,
    guards=[api.requires(Action.manage_catalog)],
)
async def replace_style(
    viewer: CurrentViewer, style_id: FromPath[UUID], data: JSONBody[StyleUpdateIn]
) -> StyleDetail:
    """Make the style what the body says (as the edit form does): its code may change,
    its size scale may not; a 409 when ``version`` is not the current one."""
    style = await access.get_style(viewer, style_id, Action.manage_catalog)
    change = data.change(upsert.Intent.update, style_id=style.id, version=data.version)
    result = await upsert.upsert_styles(viewer, [change])
    if result.stale:
        assert data.version is not None
        raise api.refused(
            SaveResult(
                conflicts=await audit_log.changes_since(style.uuid, data.version),
                current_version=result.stale[0],
            )
        )
    if not result.ok:
        raise _refused(result)
    return await style_detail(viewer, style.uuid)


@api.post(
    f"{API}/{{style_id:uuid}}/archive",
    tags=["catalog"],
    status_code=200,
    guards=[api.requires(Action.manage_catalog)],
)
async def archive_style(viewer: CurrentViewer, style_id: FromPath[UUID]) -> StyleDetail:
    """Discontinue the style: partners no longer see or order it; its orders, SKUs and
    history stay. Archiving an archived style changes nothing."""
    style = await access.get_style(viewer, style_id, Action.manage_catalog)
    await upsert.archive_style(viewer, style)
    return await style_detail(viewer, style.uuid)


style_api_routes = [upsert_styles, create_style, replace_style, archive_style]
