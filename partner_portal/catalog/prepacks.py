"""Prepacks: a named size ratio over a size scale (1-2-2-1 over S M L XL), ordered in
whole packs. The order entry expands N packs into quantities per size with
``expand_prepack`` (one pack's ratio times N), or for many at once from the ratios
``prepacks_for_scales`` loaded in one query.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any
from uuid import UUID

from piccolo.query.methods.select import Select

from partner_portal import access
from partner_portal.access import Action, Viewer
from partner_portal.audit import services as audit_log
from partner_portal.catalog import forms
from partner_portal.catalog.records import PrepackRecord, SizeScaleRecord
from partner_portal.catalog.tables import Prepack, PrepackSize, Size, SizeScale
from partner_portal.clock import utcnow
from partner_portal.database import one_of, write_transaction
from partner_portal.edits import SaveResult
from partner_portal.i18n import gettext as _
from partner_portal.statements import Parameter, Prepared


@dataclass(frozen=True)
class PrepackRatio:
    """One prepack: pieces per size in one pack, in the scale's size order."""

    id: int
    uuid: UUID
    name: str
    size_scale_id: int
    # (size id, size label, pieces in one pack), sizes with pieces only, in scale order
    sizes: tuple[tuple[int, str, int], ...]

    @property
    def pieces_per_pack(self) -> int:
        return sum(pieces for _size_id, _label, pieces in self.sizes)

    @property
    def ratio_text(self) -> str:
        """The ratio as merchandisers write it: 1-2-2-1 (S M L XL)."""
        return "-".join(str(pieces) for _size_id, _label, pieces in self.sizes)

    def expand(self, packs: int) -> dict[int, int]:
        """Quantities per size id for ``packs`` packs (e.g. 10 × 1-2-2-1 = 10, 20, 20, 10)."""
        if packs < 0:
            raise ValueError("packs cannot be negative")
        return {size_id: pieces * packs for size_id, _label, pieces in self.sizes}


# The query's joined columns, built once (Piccolo builds a joined column anew each time it
# is read, about a millisecond of CPU each): the sheet and the grid ask on every page.
_PREPACK = PrepackSize.prepack._
PREPACK_SIZE_COLUMNS = (
    _PREPACK.id.as_alias("prepack_id"),
    _PREPACK.uuid.as_alias("prepack_uuid"),
    _PREPACK.name.as_alias("name"),
    _PREPACK.size_scale.as_alias("scale_id"),
    PrepackSize.size,
    PrepackSize.size._.label.as_alias("label"),
    PrepackSize.quantity,
)
PREPACK_SCALE, PREPACK_NAME = _PREPACK.size_scale, _PREPACK.name
PREPACK_SIZE_POSITION = PrepackSize.size._.position


@Prepared
def _prepacks_of_scales() -> Select:
    return (
        PrepackSize.select(*PREPACK_SIZE_COLUMNS)
        .where(one_of(PREPACK_SCALE, Parameter("scales")))
        .order_by(PREPACK_NAME)
        .order_by(PREPACK_SIZE_POSITION)
    )


async def prepacks_for_scales(scale_ids: Iterable[int]) -> dict[int, list[PrepackRatio]]:
    """The prepacks of these size scales: scale id -> prepacks by name (one query)."""
    wanted = sorted(set(scale_ids))
    result: dict[int, list[PrepackRatio]] = {scale_id: [] for scale_id in wanted}
    if not wanted:
        return result
    rows = await _prepacks_of_scales.rows(scales=wanted)
    grouped: dict[int, list[dict[str, Any]]] = {}
    for row in rows:
        grouped.setdefault(row["prepack_id"], []).append(row)
    for group in grouped.values():
        first = group[0]
        result[first["scale_id"]].append(
            PrepackRatio(
                id=first["prepack_id"],
                uuid=first["prepack_uuid"],
                name=first["name"],
                size_scale_id=first["scale_id"],
                sizes=tuple((row["size"], row["label"], row["quantity"]) for row in group),
            )
        )
    return result


async def prepack_ratio(prepack_id: int) -> PrepackRatio | None:
    """One prepack's ratio (None if there is no such prepack)."""
    row = await Prepack.select(Prepack.size_scale).where(Prepack.id == prepack_id).first()
    if row is None:
        return None
    ratios = await prepacks_for_scales([row["size_scale"]])
    return next((ratio for ratio in ratios[row["size_scale"]] if ratio.id == prepack_id), None)


async def expand_prepack(prepack_id: int, packs: int) -> dict[int, int]:
    """Quantities per size id for ``packs`` packs of a prepack ({} if it does not exist).

    For many styles or prepacks at once, load the ratios with ``prepacks_for_scales``
    and call ``PrepackRatio.expand``.
    """
    ratio = await prepack_ratio(prepack_id)
    return ratio.expand(packs) if ratio else {}


# ---------------------------------------------------------------------------
# Pages: the list, and a form per prepack (manage_catalog)


async def list_prepacks(viewer: Viewer) -> list[dict[str, Any]]:
    """Every size scale with its sizes and prepacks (three queries)."""
    access.require(viewer, Action.manage_catalog)
    scales = await SizeScale.select(SizeScale.id, SizeScale.uuid, SizeScale.code, SizeScale.name)
    scales.sort(key=lambda scale: scale["code"])
    ratios = await prepacks_for_scales(scale["id"] for scale in scales)
    sizes = await Size.select(Size.size_scale, Size.label).order_by(Size.position)
    for scale in scales:
        scale["prepacks"] = ratios[scale["id"]]
        scale["sizes"] = [row["label"] for row in sizes if row["size_scale"] == scale["id"]]
    return scales


async def scale_sizes(scale_id: int) -> list[dict[str, Any]]:
    """A size scale's sizes in their order (the style form, prepacks, size charts)."""
    return await (
        Size.select(Size.id, Size.label, Size.position)
        .where(Size.size_scale == scale_id)
        .order_by(Size.position)
    )


async def prepack_form_values(prepack: PrepackRecord) -> dict[str, str]:
    values = {"name": prepack.name}
    for row in await PrepackSize.select(
        PrepackSize.quantity,
        PrepackSize.size._.label.as_alias("label"),
    ).where(PrepackSize.prepack == prepack.id):
        values[f"size-{row['label']}"] = str(row["quantity"])
    return values


async def save_prepack(
    viewer: Viewer,
    scale: SizeScaleRecord,
    data: Mapping[str, Any],
    prepack: PrepackRecord | None = None,
) -> SaveResult:
    """Create a prepack of a scale, or change one's name and ratio (a name is unique within
    its scale). Orders keep the quantities they were given, so a change affects new
    orders only."""
    access.require(viewer, Action.manage_catalog)
    sizes = await scale_sizes(scale.id)
    values, errors = forms.parse_prepack(data, [size["label"] for size in sizes])
    if values is None:
        return SaveResult(errors=errors)
    size_ids = {size["label"]: size["id"] for size in sizes}
    ratio_text = " ".join(f"{label}:{count}" for label, count in values.ratio.items())
    async with write_transaction():
        same_name = Prepack.select(Prepack.id).where(
            (Prepack.size_scale == scale.id) & (Prepack.name == values.name)
        )
        if prepack is not None:
            same_name = same_name.where(Prepack.id != prepack.id)
        if await same_name.first():
            return SaveResult(errors={"name": _("The scale already has a prepack of this name.")})
        if prepack is None:
            row = (
                await Prepack.insert(
                    Prepack(size_scale=scale.id, name=values.name, created_at=utcnow())
                )
                .returning(Prepack.id, Prepack.uuid)
                .run()
            )[0]
            before = {}
        else:
            row = {"id": prepack.id, "uuid": prepack.uuid}
            old = await prepack_form_values(prepack)
            before = {
                "name": old.pop("name"),
                "ratio": " ".join(f"{key[5:]}:{count}" for key, count in old.items()),
            }
            await Prepack.update({Prepack.name: values.name}).where(Prepack.id == prepack.id)
            await PrepackSize.delete().where(PrepackSize.prepack == prepack.id)
        await PrepackSize.insert(
            *(
                PrepackSize(prepack=row["id"], size=size_ids[label], quantity=count)
                for label, count in values.ratio.items()
            )
        ).run()
        changes = audit_log.changes_between(before, {"name": values.name, "ratio": ratio_text})
        if changes:
            await audit_log.record(
                viewer,
                entity_kind="prepack",
                entity_uuid=row["uuid"],
                organisation_id=None,
                action="create" if prepack is None else "update",
                changes=changes,
                summary=f"{scale.code} {values.name}",
            )
    return SaveResult(uuid=row["uuid"])


async def delete_prepack(viewer: Viewer, prepack: PrepackRecord) -> None:
    """Remove a prepack (orders already placed keep their quantities per size)."""
    access.require(viewer, Action.manage_catalog)
    async with write_transaction():
        await Prepack.delete().where(Prepack.id == prepack.id)
        await audit_log.record(
            viewer,
            entity_kind="prepack",
            entity_uuid=prepack.uuid,
            organisation_id=None,
            action="delete",
            summary=prepack.name,
        )
