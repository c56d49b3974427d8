"""Writing checked changes: one set-based statement per kind of row, whatever the number
of styles, and the audit log's view of each style before and after."""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Mapping, Sequence
from decimal import Decimal
from typing import Any

import msgspec
from piccolo.columns import ForeignKey, OnDelete

from partner_portal import access
from partner_portal.access import Viewer
from partner_portal.audit import services as audit_log
from partner_portal.catalog import services
from partner_portal.catalog.bulk import RowProblem
from partner_portal.catalog.tables import Colourway, Sku, Style
from partner_portal.catalog.upsert.changes import (
    CHANGED_MEANWHILE,
    STYLE_FIELDS,
    Refused,
    SavedStyle,
    UpsertResult,
)
from partner_portal.catalog.upsert.checks import Known, Plan, PricePlan
from partner_portal.clock import utcnow
from partner_portal.database import json_rows, list_parameter, one_of, one_of_sql
from partner_portal.i18n import N_
from partner_portal.i18n import gettext as _

# ---------------------------------------------------------------------------
# What changes, and the audit log's view of it


def _colourways_text(colours: Mapping[str, str]) -> str:
    return "\n".join(f"{code} {name}".strip() for code, name in colours.items())


def _skus_text(
    colours: Iterable[str], sizes: Sequence[dict[str, Any]], values: Mapping[tuple[str, str], Any]
) -> str:
    return "\n".join(
        f"{colour} {size['label']} {values[(colour, size['label'])]}"
        for colour in colours
        for size in sizes
        if values.get((colour, size["label"])) is not None
    )


def _snapshot(
    values: Mapping[str, Any],
    version: int,
    colours: Mapping[str, str],
    sizes: Sequence[dict[str, Any]],
    barcodes: Mapping[tuple[str, str], Any],
    references: Mapping[tuple[str, str], Any],
) -> dict[str, Any]:
    """The style as the audit log records it (the colourways and barcodes as text)."""
    snapshot: dict[str, Any] = {name: values[name] for name in STYLE_FIELDS}
    snapshot.update(
        season=values["season"],
        collection=values["collection"],
        size_scale=values["size_scale"],
        version=version,
        colourways=_colourways_text(colours),
        barcodes=_skus_text(colours, sizes, barcodes),
        external_ref=values.get("external_ref"),
        sku_references=_skus_text(colours, sizes, references) or None,
    )
    return snapshot


def _saved_state(plan: Plan, known: Known) -> dict[str, Any]:
    style = plan.style
    assert style is not None
    colours = {row["code"]: row["name"] for row in known.colourways[style["id"]]}
    colour_codes = {row["id"]: row["code"] for row in known.colourways[style["id"]]}
    labels = {size["id"]: size["label"] for size in plan.sizes}
    barcodes: dict[tuple[str, str], Any] = {}
    references: dict[tuple[str, str], Any] = {}
    for sku in known.skus[style["id"]]:
        key = (colour_codes[sku["colourway"]], labels.get(sku["size"], ""))
        barcodes[key] = sku["barcode"]
        references[key] = sku["external_ref"]
    return _snapshot(style, style["version"], colours, plan.sizes, barcodes, references)


def _wanted_state(plan: Plan, version: int) -> dict[str, Any]:
    barcodes = {key: plan.barcodes.get(key) for key in _cells(plan)}
    return _snapshot(plan.values, version, plan.colours, plan.sizes, barcodes, plan.references)


def _cells(plan: Plan) -> list[tuple[str, str]]:
    return [(colour, size["label"]) for colour in plan.colours for size in plan.sizes]


def _same_amount(saved: Any, wanted: Decimal | None) -> bool:
    if saved is None or wanted is None:
        return saved is None and wanted is None
    return Decimal(str(saved)) == wanted


# ---------------------------------------------------------------------------
# Writing (one statement per kind of change)

_STYLE_COLUMNS = {
    "code": "text",
    "external_ref": "text",
    "season": "integer",
    "collection": "integer",
    "category": "text",
    "gender": "text",
    "name_en": "text",
    "name_zh": "text",
    "name_ko": "text",
    "fabric_composition": "text",
    "care": "text",
    "size_scale": "integer",
    "status": "text",
    "carry_over": "boolean",
}
_INSERT_STYLES = (
    f"INSERT INTO style (uuid, {', '.join(_STYLE_COLUMNS)}, created_at, "
    f"updated_at, version) SELECT v.uuid, {', '.join('v.' + name for name in _STYLE_COLUMNS)}, "
    "{{}}, {{}}, 1 FROM {rows} RETURNING id, code"
)
_UPDATE_STYLES = (
    f"UPDATE style SET {', '.join(f'{name} = v.{name}' for name in _STYLE_COLUMNS)}, "
    "version = style.version + 1, updated_at = {{}} "
    "FROM {rows} WHERE style.id = v.target AND style.version = v.version RETURNING id"
)
_INSERT_COLOURWAYS = (
    "INSERT INTO colourway (uuid, style, code, name) "
    "SELECT v.uuid, v.style, v.code, v.name FROM {rows} RETURNING id, style, code"
)
_RENAME_COLOURWAYS = "UPDATE colourway SET name = v.name FROM {rows} WHERE colourway.id = v.target"
_INSERT_SKUS = (
    "INSERT INTO sku (uuid, style, colourway, size, barcode, external_ref) "
    "SELECT v.uuid, v.style, v.colourway, v.size, v.barcode, v.external_ref FROM {rows}"
)
# Barcodes and references that change are cleared first, so that one may move between
# two SKUs of a style without meeting the unique index half-way.
_CLEAR_SKUS = (
    "UPDATE sku SET barcode = CASE WHEN v.clear_barcode THEN NULL ELSE sku.barcode END, "
    "external_ref = CASE WHEN v.clear_reference THEN NULL ELSE sku.external_ref END "
    "FROM {rows} WHERE sku.id = v.target"
)
_SET_SKUS = (
    "UPDATE sku SET barcode = v.barcode, external_ref = v.external_ref "
    "FROM {rows} WHERE sku.id = v.target"
)
_UPDATE_PRICES = (
    "UPDATE price SET wholesale = v.wholesale, suggested_retail = v.suggested_retail "
    "FROM {rows} WHERE price.id = v.target"
)
_INSERT_PRICES = (
    "INSERT INTO price (price_list, style, size, wholesale, suggested_retail) "
    "SELECT v.price_list, v.style, v.size, v.wholesale, v.suggested_retail FROM {rows}"
)


def _json(rows: Sequence[Mapping[str, Any]]) -> str:
    return msgspec.json.encode(rows).decode()


async def _run(
    sql: str, columns: dict[str, str], rows: Sequence[Mapping[str, Any]], *before: Any
) -> list[dict[str, Any]]:
    """One set-based statement over ``rows`` (nothing when there are none)."""
    if not rows:
        return []
    return await Style.raw(sql.format(rows=json_rows(columns)), *before, _json(rows))


@access.system_query("SKUs the catalog's managers are about to remove, whoever ordered them")
async def _ordered_colourways(colourway_ids: Sequence[int]) -> set[int]:
    """The colourways, among these, that a row elsewhere holds on to (an order line, a
    stock reservation): every table whose foreign key to a SKU or a colourway forbids
    deleting it (one query per such table)."""
    held: set[int] = set()
    if not colourway_ids:
        return held
    references: list[tuple[ForeignKey, str]] = [
        (column, "colourway") for column in Colourway._meta.foreign_key_references
    ] + [(column, "sku") for column in Sku._meta.foreign_key_references]
    for column, target in references:
        if column._foreign_key_meta.on_delete != OnDelete.restrict:
            continue
        table = column._meta.table._meta.tablename
        name = column._meta.db_column_name
        if target == "colourway":
            sql = f'SELECT DISTINCT "{name}" AS colourway FROM "{table}" WHERE ' + one_of_sql(
                f'"{name}"'
            )
        else:
            sql = (
                f'SELECT DISTINCT sku.colourway AS colourway FROM "{table}" '
                f'JOIN sku ON sku.id = "{table}"."{name}" WHERE ' + one_of_sql("sku.colourway")
            )
        rows = await Style.raw(sql, list_parameter(colourway_ids))
        held.update(row["colourway"] for row in rows)
    return held


class Writer:
    def __init__(self, viewer: Viewer, known: Known, plans: Sequence[Plan]) -> None:
        self.viewer = viewer
        self.known = known
        self.plans = plans
        self.now = utcnow()
        self.audit: list[audit_log.Entry] = []
        self.saved: dict[int, SavedStyle] = {}
        self.prices_changed = 0

    async def write(self) -> None:
        new = [plan for plan in self.plans if plan.style is None]
        changed = [
            plan
            for plan in self.plans
            if plan.style is not None
            and _saved_state(plan, self.known) != _wanted_state(plan, plan.style["version"])
        ]
        style_ids = await self._styles(new, changed)
        await self._colourways_and_skus(new + changed, style_ids)
        await self._prices(style_ids)
        for plan in self.plans:
            if plan.index not in self.saved:
                self.saved[plan.index] = SavedStyle(plan.uuid, plan.values["code"], "unchanged")
        await audit_log.record_many(self.viewer, self.audit)

    async def _styles(self, new: Sequence[Plan], changed: Sequence[Plan]) -> dict[int, int]:
        """Insert the new styles and update the changed ones; style id by change index."""
        style_ids = {plan.index: plan.style["id"] for plan in self.plans if plan.style}
        inserted = await _run(
            _INSERT_STYLES,
            {"uuid": "uuid", **_STYLE_COLUMNS},
            [{"uuid": str(plan.uuid), **plan.values} for plan in new],
            self.now,
            self.now,
        )
        by_code = {row["code"]: row["id"] for row in inserted}
        for plan in new:
            style_ids[plan.index] = by_code[plan.values["code"]]
            self.saved[plan.index] = SavedStyle(plan.uuid, plan.values["code"], "created")
            self.audit.append(
                audit_log.Entry(
                    entity_kind="style",
                    entity_uuid=plan.uuid,
                    action="create",
                    changes=audit_log.changes_between({}, _wanted_state(plan, 1)),
                    summary=plan.values["code"],
                )
            )
        updated = await _run(
            _UPDATE_STYLES,
            {"target": "integer", "version": "integer", **_STYLE_COLUMNS},
            [
                {"target": plan.style["id"], "version": plan.style["version"], **plan.values}
                for plan in changed
                if plan.style
            ],
            self.now,
        )
        if len(updated) != len(changed):
            raise Refused(
                UpsertResult(
                    problems=[
                        RowProblem(plan.index, "code", _(CHANGED_MEANWHILE)) for plan in changed
                    ]
                )
            )
        for plan in changed:
            assert plan.style is not None
            self.saved[plan.index] = SavedStyle(plan.uuid, plan.values["code"], "updated")
            version = plan.style["version"]
            self.audit.append(
                audit_log.Entry(
                    entity_kind="style",
                    entity_uuid=plan.uuid,
                    action="update",
                    changes=audit_log.changes_between(
                        _saved_state(plan, self.known), _wanted_state(plan, version + 1)
                    ),
                    summary=plan.values["code"],
                )
            )
        return style_ids

    async def _colourways_and_skus(
        self, plans: Sequence[Plan], style_ids: Mapping[int, int]
    ) -> None:
        known = self.known
        removed: list[int] = []
        renamed: list[dict[str, Any]] = []
        added: list[dict[str, Any]] = []
        colour_ids: dict[tuple[int, str], int] = {}
        for plan in plans:
            style_id = style_ids[plan.index]
            for row in known.colourways.get(style_id, []) if plan.style else []:
                if row["code"] not in plan.colours:
                    removed.append(row["id"])
                    continue
                colour_ids[(style_id, row["code"])] = row["id"]
                if plan.colours[row["code"]] != row["name"]:
                    renamed.append({"target": row["id"], "name": plan.colours[row["code"]]})
            for code, name in plan.colours.items():
                if (style_id, code) not in colour_ids:
                    added.append(
                        {"uuid": str(uuid.uuid4()), "style": style_id, "code": code, "name": name}
                    )
        held = await _ordered_colourways(removed)
        if held:
            raise Refused(UpsertResult(problems=self._held_colours(plans, style_ids, held)))
        if removed:
            await Colourway.delete().where(one_of(Colourway.id, removed))
        await _run(_RENAME_COLOURWAYS, {"target": "integer", "name": "text"}, renamed)
        for row in await _run(
            _INSERT_COLOURWAYS,
            {"uuid": "uuid", "style": "integer", "code": "text", "name": "text"},
            added,
        ):
            colour_ids[(row["style"], row["code"])] = row["id"]
        await self._skus(plans, style_ids, colour_ids, set(removed))

    def _held_colours(
        self, plans: Sequence[Plan], style_ids: Mapping[int, int], held: set[int]
    ) -> list[RowProblem]:
        problems = []
        for plan in plans:
            for row in self.known.colourways.get(style_ids[plan.index], []):
                if row["id"] in held:
                    problems.append(
                        RowProblem(
                            plan.index,
                            "colours",
                            _(
                                "Colour %(code)s has been ordered, so it cannot be removed.",
                                code=row["code"],
                            ),
                        )
                    )
        return problems

    async def _skus(
        self,
        plans: Sequence[Plan],
        style_ids: Mapping[int, int],
        colour_ids: Mapping[tuple[int, str], int],
        removed: set[int],
    ) -> None:
        new_skus: list[dict[str, Any]] = []
        cleared: list[dict[str, Any]] = []
        changed: list[dict[str, Any]] = []
        for plan in plans:
            style_id = style_ids[plan.index]
            saved = (
                {
                    (sku["colourway"], sku["size"]): sku
                    for sku in self.known.skus.get(style_id, [])
                    if sku["colourway"] not in removed
                }
                if plan.style
                else {}
            )
            for colour in plan.colours:
                for size in plan.sizes:
                    key = (colour, size["label"])
                    barcode = plan.barcodes.get(key)
                    reference = plan.references.get(key)
                    colourway = colour_ids[(style_id, colour)]
                    sku = saved.get((colourway, size["id"]))
                    if sku is None:
                        new_skus.append(
                            {
                                "uuid": str(uuid.uuid4()),
                                "style": style_id,
                                "colourway": colourway,
                                "size": size["id"],
                                "barcode": barcode,
                                "external_ref": reference,
                            }
                        )
                    elif sku["barcode"] != barcode or sku["external_ref"] != reference:
                        cleared.append(
                            {
                                "target": sku["id"],
                                "clear_barcode": sku["barcode"] != barcode,
                                "clear_reference": sku["external_ref"] != reference,
                            }
                        )
                        changed.append(
                            {"target": sku["id"], "barcode": barcode, "external_ref": reference}
                        )
        await _run(
            _CLEAR_SKUS,
            {"target": "integer", "clear_barcode": "boolean", "clear_reference": "boolean"},
            cleared,
        )
        await _run(
            _INSERT_SKUS,
            {
                "uuid": "uuid",
                "style": "integer",
                "colourway": "integer",
                "size": "integer",
                "barcode": "text",
                "external_ref": "text",
            },
            new_skus,
        )
        await _run(
            _SET_SKUS, {"target": "integer", "barcode": "text", "external_ref": "text"}, changed
        )

    async def _prices(self, style_ids: Mapping[int, int]) -> None:
        created, updated, entries = await write_prices(
            self.known,
            [
                PricePlan(style_ids[plan.index], plan.values["code"], plan.prices)
                for plan in self.plans
            ],
        )
        self.prices_changed = created + updated
        self.audit.extend(entries)


async def write_prices(
    known: Known, plans: Sequence[PricePlan]
) -> tuple[int, int, list[audit_log.Entry]]:
    """Set the planned prices that differ from the saved ones: one statement for those that
    change and one for the new ones. The prices created and updated, and an audit entry per
    price list (to be recorded by the caller)."""
    updates: list[dict[str, Any]] = []
    inserts: list[dict[str, Any]] = []
    changes: dict[int, dict[str, list[Any]]] = {}
    lists: dict[int, dict[str, Any]] = {}
    for plan in plans:
        for price_list, size_id, label, wholesale, retail in plan.prices:
            saved = known.prices.get((price_list["id"], plan.style_id, size_id))
            if (
                saved is not None
                and _same_amount(saved["wholesale"], wholesale)
                and _same_amount(saved["suggested_retail"], retail)
            ):
                continue
            row = {"wholesale": str(wholesale), "suggested_retail": _text(retail)}
            if saved is not None:
                updates.append({"target": saved["id"], **row})
            else:
                inserts.append(
                    {"price_list": price_list["id"], "style": plan.style_id, "size": size_id, **row}
                )
            lists[price_list["id"]] = price_list
            before = (
                services._price_text(saved["wholesale"], saved["suggested_retail"])
                if saved
                else None
            )
            changes.setdefault(price_list["id"], {})[f"{plan.style_code} {label}".strip()] = [
                before,
                services._price_text(wholesale, retail),
            ]
    money = {"wholesale": "numeric", "suggested_retail": "numeric"}
    await _run(_UPDATE_PRICES, {"target": "integer", **money}, updates)
    await _run(
        _INSERT_PRICES,
        {"price_list": "integer", "style": "integer", "size": "integer", **money},
        inserts,
    )
    entries = [
        audit_log.Entry(
            entity_kind="price_list",
            entity_uuid=lists[list_id]["uuid"],
            action="update",
            changes=list_changes,
            summary_message=N_("%(count)s prices imported"),
            summary_params={"count": len(list_changes)},
        )
        for list_id, list_changes in changes.items()
    ]
    return len(inserts), len(updates), entries


def _text(amount: Decimal | None) -> str | None:
    return None if amount is None else str(amount)
