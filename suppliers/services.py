"""Materials and bills of materials, for the brand's purchasers and (materials) the
supplier portal. The material forecast lives in forecasting.py (read in
forecasting_view.py, answered in forecasting_commitments.py), POs, ship notices and
receipts in purchasing.py, scorecards in scorecards.py.

Visibility comes from partner_portal.access (supplier_row_filter). What a supplier is
shown is built from material rows only: nothing in this module or the others reads a
buyer or an order number into a supplier's view.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any
from uuid import UUID

from partner_portal import access
from partner_portal.access import Viewer
from partner_portal.audit import services as audit_log
from partner_portal.catalog.tables import Colourway, Size, Style
from partner_portal.clock import utcnow
from partner_portal.database import (
    update_if_version,
    write_transaction,
)
from partner_portal.edits import SaveResult
from partner_portal.i18n import gettext as _
from partner_portal.partners.tables import Organisation
from suppliers import forms, planning
from suppliers.access import (
    SupplierAction,
    VisibleBomLine,
    VisibleMaterial,
    get_bom_line,
    scoped_supplier_rows,
)
from suppliers.planning import BomRow
from suppliers.records import (
    BomEntry,
    ColourwayChoice,
    MaterialChoice,
    MaterialEntry,
    MaterialRecord,
    SizeChoice,
    StyleWithBom,
    SupplierName,
)
from suppliers.tables import BomLine, Material

SUPPLIER_KINDS = ("fabric_supplier", "trim_supplier")


# ---------------------------------------------------------------------------
# Materials


@access.system_query("the brand's purchasers (manage_purchasing) choose any supplier")
async def supplier_choices() -> list[SupplierName]:
    """Fabric and trim suppliers, for the material form."""
    return SupplierName.from_rows(
        await Organisation.select(Organisation.id, Organisation.uuid, Organisation.legal_name)
        .where(Organisation.kind.is_in(list(SUPPLIER_KINDS)))
        .order_by(Organisation.legal_name)
    )


async def supplier_uuid(material: VisibleMaterial) -> str:
    """The uuid of the material's supplier, as the material form names it."""
    rows = await Organisation.select(Organisation.uuid).where(Organisation.id == material.supplier)
    return str(rows[0]["uuid"]) if rows else ""


async def list_materials(viewer: Viewer, supplier_id: int | None = None) -> list[MaterialEntry]:
    """Materials the viewer may see with their supplier's name, by supplier and code."""
    access.require(viewer, SupplierAction.view_materials)
    query = scoped_supplier_rows(
        Material.select(
            *Material.all_columns(),
            Material.supplier._.legal_name.as_alias("supplier_name"),
            Material.supplier._.uuid.as_alias("supplier_uuid"),
        ),
        viewer,
        Material.supplier,
    )
    if supplier_id is not None:
        query = query.where(Material.supplier == supplier_id)
    return MaterialEntry.from_rows(await query.order_by(Material.supplier).order_by(Material.code))


def _material_values(material: forms.MaterialInput) -> dict[Any, Any]:
    return {
        Material.supplier: material.supplier_id,
        Material.code: material.code,
        Material.name: material.name,
        Material.kind: material.kind,
        Material.unit: material.unit,
        Material.composition: material.composition,
        Material.weight_gsm: material.weight_gsm,
        Material.width_cm: material.width_cm,
        Material.colour: material.colour,
        Material.dye_lot: material.dye_lot,
        Material.price: material.price,
        Material.currency: material.currency,
        Material.lead_time_days: material.lead_time_days,
        Material.minimum_order: material.minimum_order,
        Material.on_hand: material.on_hand,
    }


@access.system_query("a material code is unique across suppliers")
async def _code_taken(code: str, material_id: int | None) -> bool:
    query = Material.exists().where(Material.code == code)
    if material_id is not None:
        query = query.where(Material.id != material_id)
    return bool(await query)


async def save_material(
    viewer: Viewer, data: Mapping[str, str], existing: VisibleMaterial | None = None
) -> SaveResult:
    """Create a material or update one (optimistic locking on ``version``)."""
    access.require(viewer, SupplierAction.manage_purchasing)
    suppliers = {str(supplier.uuid): supplier.id for supplier in await supplier_choices()}
    material, errors = forms.parse_material(data, suppliers)
    if material is None:
        return SaveResult(errors=errors)
    now = utcnow()
    async with write_transaction():
        if await _code_taken(material.code, existing.id if existing else None):
            return SaveResult(errors={"code": _("Another material has this code.")})
        values = _material_values(material)
        named = {column._meta.name: value for column, value in values.items()}
        if existing is None:
            row = (
                await Material.insert(Material(**named, created_at=now, updated_at=now))
                .returning(Material.uuid)
                .run()
            )
            uuid_ = row[0]["uuid"]
            changes = audit_log.changes_between({}, named)
            action = "create"
        else:
            uuid_ = existing.uuid
            version = await update_if_version(
                Material,
                existing.id,
                material.version or 0,
                {**values, Material.updated_at: now},
            )
            if version is None:
                current = await Material.select(Material.version).where(Material.id == existing.id)
                return SaveResult(
                    errors={
                        "version": _("Someone saved this material first; check and save again.")
                    },
                    conflicts=await audit_log.changes_since(uuid_, material.version or 0),
                    current_version=current[0]["version"],
                )
            changes = audit_log.changes_between(existing.as_dict(), named)
            action = "update"
        await audit_log.record(
            viewer,
            entity_kind="material",
            entity_uuid=uuid_,
            organisation_id=material.supplier_id,
            action=action,
            changes=changes,
            summary=material.code,
        )
    return SaveResult(uuid=uuid_)


def material_form_values(material: MaterialRecord, supplier_uuid: str) -> dict[str, str]:
    def text(value: Any) -> str:
        return "" if value is None else str(value)

    fields = material.as_dict()
    return {
        "supplier": supplier_uuid,
        **{
            name: text(fields[name])
            for name in (
                "code",
                "name",
                "kind",
                "unit",
                "composition",
                "weight_gsm",
                "width_cm",
                "colour",
                "dye_lot",
                "price",
                "currency",
                "lead_time_days",
                "minimum_order",
                "on_hand",
                "version",
            )
        },
    }


# ---------------------------------------------------------------------------
# Bills of materials


@dataclass
class BomView:
    style: access.VisibleStyle
    lines: list[BomEntry]
    materials: list[MaterialChoice]
    colourways: list[ColourwayChoice]
    sizes: list[SizeChoice]


@access.system_query("the brand's purchasers (manage_purchasing) use any supplier's material")
async def bom_view(viewer: Viewer, style_uuid: UUID) -> BomView:
    """A style's BOM lines with material, colour and size names, and the form's choices."""
    access.require(viewer, SupplierAction.manage_purchasing)
    style = await access.get_style(viewer, style_uuid)
    lines = await (
        BomLine.select(
            BomLine.uuid,
            BomLine.consumption,
            BomLine.wastage_percent,
            BomLine.material._.code.as_alias("material_code"),
            BomLine.material._.name.as_alias("material_name"),
            BomLine.material._.unit.as_alias("unit"),
            BomLine.colourway._.code.as_alias("colourway_code"),
            BomLine.size._.label.as_alias("size_label"),
            BomLine.size._.position.as_alias("size_position"),
        )
        .where(BomLine.style == style.id)
        .order_by(BomLine.material._.code)
        .order_by(BomLine.colourway._.code)
        .order_by(BomLine.size._.position)
    )
    entries = [
        BomEntry.from_row(
            {
                **line,
                "per_garment": planning.rounded(
                    BomRow(
                        0, 0, None, None, line["consumption"], line["wastage_percent"]
                    ).per_garment
                ),
            }
        )
        for line in lines
    ]
    materials = await Material.select(
        Material.uuid, Material.code, Material.name, Material.unit
    ).order_by(Material.code)
    colourways = await Colourway.select(Colourway.uuid, Colourway.code, Colourway.name).where(
        Colourway.style == style.id
    )
    sizes = await (
        Size.select(Size.id, Size.label)
        .where(Size.size_scale == style.size_scale)
        .order_by(Size.position)
    )
    return BomView(
        style,
        entries,
        MaterialChoice.from_rows(materials),
        ColourwayChoice.from_rows(colourways),
        SizeChoice.from_rows(sizes),
    )


@access.system_query("the brand's purchasers (manage_purchasing) use any supplier's material")
async def add_bom_line(
    viewer: Viewer, style: access.VisibleStyle, data: Mapping[str, str]
) -> SaveResult:
    """Add a consumption line to a style's BOM (one per material, colour and size)."""
    access.require(viewer, SupplierAction.manage_purchasing)
    materials = {str(r["uuid"]): r["id"] for r in await Material.select(Material.uuid, Material.id)}
    colourways = {
        str(r["uuid"]): r["id"]
        for r in await Colourway.select(Colourway.uuid, Colourway.id).where(
            Colourway.style == style.id
        )
    }
    sizes = {
        str(r["id"]): r["id"]
        for r in await Size.select(Size.id).where(Size.size_scale == style.size_scale)
    }
    line, errors = forms.parse_bom_line(data, materials, colourways, sizes)
    if line is None:
        return SaveResult(errors=errors)
    async with write_transaction():
        duplicate = await BomLine.exists().where(
            (BomLine.style == style.id)
            & (BomLine.material == line.material_id)
            & (
                BomLine.colourway.is_null()
                if line.colourway_id is None
                else BomLine.colourway == line.colourway_id
            )
            & (BomLine.size.is_null() if line.size_id is None else BomLine.size == line.size_id)
        )
        if duplicate:
            return SaveResult(
                errors={"material": _("This material already has a line for this colour and size.")}
            )
        row = (
            await BomLine.insert(
                BomLine(
                    style=style.id,
                    material=line.material_id,
                    colourway=line.colourway_id,
                    size=line.size_id,
                    consumption=line.consumption,
                    wastage_percent=line.wastage_percent,
                )
            )
            .returning(BomLine.uuid)
            .run()
        )
        await audit_log.record(
            viewer,
            entity_kind="bom_line",
            entity_uuid=row[0]["uuid"],
            organisation_id=None,
            action="create",
            changes={
                "consumption": [None, str(line.consumption)],
                "wastage_percent": [None, str(line.wastage_percent)],
            },
            summary=style.code,
        )
    return SaveResult(uuid=row[0]["uuid"])


async def delete_bom_line(viewer: Viewer, line_uuid: UUID) -> VisibleBomLine:
    """Remove a BOM line; returns its style (for the redirect). 404 if there is none."""
    async with write_transaction():
        line = await get_bom_line(viewer, line_uuid)
        await BomLine.delete().where(BomLine.id == line.id)
        await audit_log.record(
            viewer,
            entity_kind="bom_line",
            entity_uuid=line_uuid,
            organisation_id=None,
            action="delete",
            summary=line.style_code,
        )
    return line


async def styles_with_boms() -> list[StyleWithBom]:
    """Styles with how many BOM lines each has, for the BOM index."""
    styles = await Style.select(
        Style.id, Style.uuid, Style.code, Style.name_en, Style.name_zh, Style.name_ko, Style.status
    ).order_by(Style.code)
    counts = await BomLine.raw(
        "SELECT style AS style_id, COUNT(*) AS lines FROM bom_line GROUP BY style"
    )
    by_style = {row["style_id"]: row["lines"] for row in counts}
    return [
        StyleWithBom.from_row({**style, "bom_lines": by_style.get(style["id"], 0)})
        for style in styles
    ]
