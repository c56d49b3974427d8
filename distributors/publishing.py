"""Line sheets as the brand publishes them: the list a reader may see, the sheet form
(its season, styles in order, and audience: tiers and partners) and its saving, with the
audit entry in the same transaction."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any
from uuid import UUID

from distributors.access import DistributorAction, VisibleLineSheet, line_sheet_filter
from distributors.records import AudienceChoice, LineSheetListing, SeasonChoice
from distributors.tables import LineSheet, LineSheetAudience, LineSheetStyle
from partner_portal import access, messages
from partner_portal.access import Action, Viewer
from partner_portal.audit import services as audit_log
from partner_portal.catalog.tables import Season, Style
from partner_portal.clock import utcnow
from partner_portal.database import write_transaction
from partner_portal.edits import SaveResult
from partner_portal.i18n import N_
from partner_portal.i18n import gettext as _
from partner_portal.inputs import whole_number
from partner_portal.partners.tables import Organisation, OrganisationKind, Tier


async def list_line_sheets(
    viewer: Viewer, before: int | None = None, limit: int | None = None
) -> list[LineSheetListing]:
    """The sheets the viewer may read, newest first, with their style counts (``limit`` of
    them with an id below ``before``, for the API's pages; all by default)."""
    access.require(viewer, DistributorAction.view_line_sheets)
    query = LineSheet.select(
        LineSheet.id,
        LineSheet.uuid,
        LineSheet.title,
        LineSheet.published,
        LineSheet.updated_at,
        LineSheet.season._.code.as_alias("season_code"),
    )
    query = access.narrow(query, line_sheet_filter(viewer))
    if before is not None:
        query = query.where(LineSheet.id < before)
    query = query.order_by(LineSheet.id, ascending=False)
    sheets = await (query.limit(limit) if limit is not None else query)
    counts: dict[int, int] = {}
    for row in await LineSheetStyle.select(LineSheetStyle.line_sheet).where(
        LineSheetStyle.line_sheet.is_in([sheet["id"] for sheet in sheets] or [-1])
    ):
        counts[row["line_sheet"]] = counts.get(row["line_sheet"], 0) + 1
    return [
        LineSheetListing.from_row({**sheet, "style_count": counts.get(sheet["id"], 0)})
        for sheet in sheets
    ]


@access.system_query("the brand's own name, printed on the cover of its line sheets")
async def brand_name() -> str:
    """The brand's name, printed on the cover of its line sheets."""
    brand = await (
        Organisation.select(Organisation.legal_name)
        .where(Organisation.kind == OrganisationKind.brand)
        .first()
    )
    return brand["legal_name"] if brand else ""


@dataclass(frozen=True)
class SheetsToOrderFrom:
    """The start page's line sheets (distributors/_home.html)."""

    sheets: list[LineSheetListing]
    may_order: bool


async def sheets_to_order_from(viewer: Viewer) -> SheetsToOrderFrom | None:
    """A buyer's start page: the published line sheets they may order from."""
    if viewer.is_brand or not viewer.can(DistributorAction.view_line_sheets):
        return None
    sheets = [sheet for sheet in await list_line_sheets(viewer) if sheet.published]
    if not sheets:
        return None
    return SheetsToOrderFrom(sheets=sheets[:12], may_order=viewer.can(Action.place_order))


@dataclass
class SheetInput:
    title: str
    season_uuid: str
    notes: str
    style_codes: list[str]
    tiers: list[str]
    partner_uuids: list[str]
    published: bool
    version: int


def sheet_input(form: Any) -> SheetInput:
    """The sheet form's fields (tiers and partners are repeated checkboxes)."""
    codes = [code for code in re.split(r"[\s,;]+", str(form.get("styles", ""))) if code]
    version_text = str(form.get("version", "0"))
    return SheetInput(
        title=str(form.get("title", "")).strip(),
        season_uuid=str(form.get("season", "")),
        notes=str(form.get("notes", "")).strip(),
        style_codes=list(dict.fromkeys(code.upper() for code in codes)),
        tiers=[str(tier) for tier in form.getall("tier", [])] if hasattr(form, "getall") else [],
        partner_uuids=(
            [str(uuid) for uuid in form.getall("partner", [])] if hasattr(form, "getall") else []
        ),
        published=bool(form.get("published")),
        version=whole_number(version_text) or 0,
    )


def sheet_form_values(data: SheetInput) -> dict[str, Any]:
    return {
        "title": data.title,
        "season": data.season_uuid,
        "notes": data.notes,
        "styles": "\n".join(data.style_codes),
        "tiers": set(data.tiers),
        "partners": set(data.partner_uuids),
        "published": data.published,
        "version": data.version,
    }


async def sheet_values(sheet: VisibleLineSheet) -> dict[str, Any]:
    styles = await (
        LineSheetStyle.select(LineSheetStyle.style._.code.as_alias("code"))
        .where(LineSheetStyle.line_sheet == sheet.id)
        .order_by(LineSheetStyle.position)
    )
    audience = await LineSheetAudience.select(
        LineSheetAudience.tier,
        LineSheetAudience.organisation._.uuid.as_alias("partner_uuid"),
    ).where(LineSheetAudience.line_sheet == sheet.id)
    season = await Season.select(Season.uuid).where(Season.id == sheet.season).first()
    return {
        "title": sheet.title,
        "season": str(season["uuid"]) if season else "",
        "notes": sheet.notes,
        "styles": "\n".join(row["code"] for row in styles),
        "tiers": {row["tier"] for row in audience if row["tier"]},
        "partners": {str(row["partner_uuid"]) for row in audience if row["partner_uuid"]},
        "published": sheet.published,
        "version": sheet.version,
    }


@dataclass(frozen=True)
class SheetChoices:
    """What the sheet form offers: seasons, tiers and the buying partners a sheet can be
    published to."""

    seasons: list[SeasonChoice]
    tiers: list[Tier]
    partners: list[AudienceChoice]


async def sheet_choices(viewer: Viewer) -> SheetChoices:
    """Seasons, tiers and the buying partners a sheet can be published to."""
    partners = (
        await access.scoped(
            Organisation.select(Organisation.uuid, Organisation.legal_name, Organisation.kind),
            viewer,
        )
        .where(Organisation.kind.is_in(["distributor", "retailer"]))
        .order_by(Organisation.legal_name)
    )
    seasons = await Season.select(Season.uuid, Season.code, Season.name).order_by(Season.code)
    return SheetChoices(
        seasons=SeasonChoice.from_rows(seasons),
        tiers=list(Tier),
        partners=AudienceChoice.from_rows(partners),
    )


@dataclass(frozen=True)
class CheckedSheet:
    """A sheet form that passed its checks: the ids it names."""

    season_id: int
    style_ids: list[int]  # in the sheet's order
    partner_ids: list[int]


async def save_line_sheet(
    viewer: Viewer, sheet: VisibleLineSheet | None, data: SheetInput
) -> SaveResult:
    """Create or change a line sheet with its styles and audience in one transaction;
    unknown style codes or partners save nothing and are named."""
    access.require(viewer, DistributorAction.manage_line_sheets)
    errors: dict[str, str] = {}
    checked = await _checked(viewer, data, errors)
    if checked is None:
        return SaveResult(errors=errors)
    async with write_transaction():
        if sheet is None:
            sheet_id, sheet_uuid = await _create(data, checked)
            action = "create"
        else:
            refused = await _update(sheet, data, checked)
            if refused is not None:
                return refused
            sheet_id, sheet_uuid, action = sheet.id, sheet.uuid, "edit"
            await LineSheetStyle.delete().where(LineSheetStyle.line_sheet == sheet_id)
            await LineSheetAudience.delete().where(LineSheetAudience.line_sheet == sheet_id)
        await LineSheetStyle.insert(
            *[
                LineSheetStyle(line_sheet=sheet_id, style=style_id, position=position)
                for position, style_id in enumerate(checked.style_ids)
            ]
        )
        audience = [LineSheetAudience(line_sheet=sheet_id, tier=tier) for tier in data.tiers] + [
            LineSheetAudience(line_sheet=sheet_id, organisation=partner_id)
            for partner_id in checked.partner_ids
        ]
        if audience:
            await LineSheetAudience.insert(*audience)
        await audit_log.record(
            viewer,
            entity_kind="line_sheet",
            entity_uuid=sheet_uuid,
            organisation_id=viewer.organisation_id,
            action=action,
            summary_message=N_("%(title)s: %(count)s styles, %(state)s"),
            summary_params={
                "title": data.title,
                "count": len(data.style_codes),
                "state": messages.nested(
                    N_("published") if data.published else N_("not published")
                ),
            },
        )
    return SaveResult(uuid=sheet_uuid)


async def _checked(viewer: Viewer, data: SheetInput, errors: dict[str, str]) -> CheckedSheet | None:
    """The ids the form names, or None with its errors filed under their fields."""
    if not data.title or len(data.title) > 120:
        errors["title"] = _("Enter a title of at most 120 characters.")
    season = (
        await Season.select(Season.id).where(Season.uuid == data.season_uuid).first()
        if re.fullmatch(r"[0-9a-f-]{36}", data.season_uuid)
        else None
    )
    if season is None:
        errors["season"] = _("Choose a season.")
    styles = (
        await Style.select(Style.id, Style.code, Style.season).where(
            Style.code.is_in(data.style_codes)
        )
        if data.style_codes
        else []
    )
    by_code = {row["code"]: row for row in styles}
    unknown = [code for code in data.style_codes if code not in by_code]
    if unknown:
        errors["styles"] = _("Unknown style codes: %(codes)s", codes=", ".join(unknown))
    elif season is not None and any(row["season"] != season["id"] for row in styles):
        other = [row["code"] for row in styles if row["season"] != season["id"]]
        errors["styles"] = _(
            "These styles belong to another season: %(codes)s", codes=", ".join(other)
        )
    elif not data.style_codes:
        errors["styles"] = _("Enter the codes of the styles on this sheet.")
    bad_tiers = [tier for tier in data.tiers if tier not in {t.value for t in Tier}]
    partner_ids: list[int] = []
    valid_uuids = [text for text in data.partner_uuids if re.fullmatch(r"[0-9a-f-]{36}", text)]
    if valid_uuids:
        partner_ids = [
            row["id"]
            for row in await access.scoped(Organisation.select(Organisation.id), viewer).where(
                Organisation.uuid.is_in(valid_uuids)
            )
        ]
    if bad_tiers or len(partner_ids) != len(data.partner_uuids):
        errors["audience"] = _("Choose tiers and partners from the lists.")
    if data.published and not data.tiers and not data.partner_uuids:
        errors["audience"] = _("Choose who the sheet is published to.")
    if errors or season is None:
        return None
    return CheckedSheet(
        season["id"], [by_code[code]["id"] for code in data.style_codes], partner_ids
    )


async def _create(data: SheetInput, checked: CheckedSheet) -> tuple[int, UUID]:
    now = utcnow()
    inserted = await LineSheet.insert(
        LineSheet(
            season=checked.season_id,
            title=data.title,
            notes=data.notes,
            published=data.published,
            created_at=now,
            updated_at=now,
        )
    ).returning(LineSheet.id, LineSheet.uuid)
    return inserted[0]["id"], inserted[0]["uuid"]


async def _update(
    sheet: VisibleLineSheet, data: SheetInput, checked: CheckedSheet
) -> SaveResult | None:
    """The sheet's own fields changed if nobody saved it since the form was drawn; else
    the refusal naming what they changed."""
    moved = (
        await LineSheet.update(
            {
                LineSheet.season: checked.season_id,
                LineSheet.title: data.title,
                LineSheet.notes: data.notes,
                LineSheet.published: data.published,
                LineSheet.updated_at: utcnow(),
                LineSheet.version: LineSheet.version + 1,
            }
        )
        .where((LineSheet.id == sheet.id) & (LineSheet.version == data.version))
        .returning(LineSheet.version)
    )
    if moved:
        return None
    changes = await audit_log.changes_since(sheet.uuid, data.version)
    current = await LineSheet.select(LineSheet.version).where(LineSheet.id == sheet.id).first()
    return SaveResult(
        errors={"version": _("Someone saved this sheet first; see their changes.")},
        conflicts=changes,
        current_version=current["version"] if current else None,
    )
