"""Material purchase orders: drafted from the forecast, sent, answered line by line by the
supplier, announced by ship notices with certificates and received with inspection results;
and the follow-ups that chase unanswered POs and uncommitted forecast weeks.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal
from typing import Any
from uuid import UUID

from partner_portal import access, inputs, messages, uploads
from partner_portal.access import Viewer
from partner_portal.audit import services as audit_log
from partner_portal.clock import utcnow
from partner_portal.database import (
    after_position,
    is_sqlite,
    write_transaction,
)
from partner_portal.edits import SaveResult
from partner_portal.i18n import N_
from partner_portal.i18n import gettext as _
from partner_portal.partners.tables import Organisation
from suppliers import events, forms
from suppliers.access import (
    SupplierAction,
    VisiblePurchaseOrder,
    get_certificate,
    get_purchase_order,
    get_purchase_order_line,
    scoped_purchase_orders,
)
from suppliers.forecasting_view import latest_versions
from suppliers.records import (
    OrderedMaterial,
    PurchaseOrderSummary,
    ReceiptRecord,
    ShipNoticeEntry,
)
from suppliers.services import SUPPLIER_KINDS
from suppliers.tables import (
    ForecastLine,
    PurchaseOrder,
    PurchaseOrderLine,
    PurchaseOrderStatus,
    Receipt,
    ShipNotice,
    ShipNoticeLine,
)

# ---------------------------------------------------------------------------
# Material purchase orders


def purchase_order_number(order_id: int) -> str:
    return f"MPO-{order_id:06d}"


@access.system_query("the brand's purchasers (manage_purchasing) order from any supplier")
async def draft_purchase_orders(
    viewer: Viewer, supplier_uuid: str, weeks: int
) -> tuple[list[UUID], dict[str, str]]:
    """Turn a supplier's net requirements of the next ``weeks`` weeks (current forecast)
    into draft POs, one per currency: a line per material and week at the material's price,
    due at the start of the week. A material's first line is raised to its minimum order."""
    access.require(viewer, SupplierAction.manage_purchasing)
    supplier = None
    if _is_uuid(supplier_uuid):
        supplier = await (
            Organisation.select(Organisation.id, Organisation.legal_name)
            .where(Organisation.kind.is_in(list(SUPPLIER_KINDS)))
            .where(Organisation.uuid == supplier_uuid)
            .first()
        )
    if supplier is None:
        return [], {"supplier": _("Choose the supplier.")}
    if not 1 <= weeks <= 52:
        return [], {"weeks": _("Enter a whole number from 1 to 52.")}
    current, _previous = await latest_versions()
    if current is None:
        return [], {"supplier": _("Publish a forecast first.")}
    until = current.first_week + timedelta(weeks=weeks)
    rows = await (
        ForecastLine.select(
            ForecastLine.material,
            ForecastLine.week_start,
            ForecastLine.net_total,
            ForecastLine.material._.price.as_alias("price"),
            ForecastLine.material._.currency.as_alias("currency"),
            ForecastLine.material._.minimum_order.as_alias("minimum_order"),
        )
        .where(ForecastLine.forecast == current.id)
        .where(ForecastLine.supplier == supplier["id"])
        .where(ForecastLine.week_start < until)
        .where(ForecastLine.net_total > 0)
        .order_by(ForecastLine.material)
        .order_by(ForecastLine.week_start)
    )
    if not rows:
        return [], {"supplier": _("This supplier has no net requirement in those weeks.")}
    by_currency: dict[str, list[dict[str, Any]]] = defaultdict(list)
    seen: set[int] = set()
    for row in rows:
        quantity = row["net_total"]
        if row["material"] not in seen:
            seen.add(row["material"])
            quantity = max(quantity, row["minimum_order"])
        by_currency[row["currency"]].append({**row, "quantity": quantity})
    created: list[UUID] = []
    async with write_transaction():
        for currency, lines in sorted(by_currency.items()):
            order = (
                await PurchaseOrder.insert(
                    PurchaseOrder(
                        supplier=supplier["id"],
                        currency=currency,
                        created_by=viewer.user_id,
                        created_at=utcnow(),
                        notes=_("From material forecast version %(number)s", number=current.number),
                    )
                )
                .returning(PurchaseOrder.id, PurchaseOrder.uuid)
                .run()
            )[0]
            await PurchaseOrder.update(
                {PurchaseOrder.number: purchase_order_number(order["id"])}
            ).where(PurchaseOrder.id == order["id"])
            await PurchaseOrderLine.insert(
                *(
                    PurchaseOrderLine(
                        purchase_order=order["id"],
                        material=line["material"],
                        quantity=line["quantity"],
                        unit_price=line["price"],
                        required_date=line["week_start"],
                    )
                    for line in lines
                )
            ).run()
            await audit_log.record(
                viewer,
                entity_kind="material_purchase_order",
                entity_uuid=order["uuid"],
                organisation_id=supplier["id"],
                action="create",
                summary=purchase_order_number(order["id"]),
            )
            created.append(order["uuid"])
    return created, {}


def _is_uuid(text: str) -> bool:
    try:
        UUID(text)
    except ValueError:
        return False
    return True


async def list_purchase_orders(
    viewer: Viewer, after: int | None = None, limit: int | None = None
) -> list[PurchaseOrderSummary]:
    """POs the viewer may see, newest first, with their supplier and open answers counted;
    for the API, ``limit`` of them after the one whose id is ``after`` (its cursor)."""
    access.require(viewer, SupplierAction.view_materials)
    query = scoped_purchase_orders(
        PurchaseOrder.select(
            *PurchaseOrder.all_columns(),
            PurchaseOrder.supplier._.legal_name.as_alias("supplier_name"),
        ),
        viewer,
    )
    if after is not None:
        query = query.where(after_position((PurchaseOrder.id,), [after], descending=True))
    if limit is not None:
        query = query.limit(limit)
    orders = await query.order_by(PurchaseOrder.id, ascending=False)
    if not orders:
        return []
    lines = await PurchaseOrderLine.select(
        PurchaseOrderLine.purchase_order,
        PurchaseOrderLine.quantity,
        PurchaseOrderLine.unit_price,
        PurchaseOrderLine.acknowledgement,
    ).where(PurchaseOrderLine.purchase_order.is_in([order["id"] for order in orders]))
    summary: dict[int, dict[str, Any]] = defaultdict(
        lambda: {"lines": 0, "unanswered": 0, "value": Decimal(0)}
    )
    for line in lines:
        entry = summary[line["purchase_order"]]
        entry["lines"] += 1
        entry["unanswered"] += line["acknowledgement"] is None
        entry["value"] += line["quantity"] * line["unit_price"]
    return [PurchaseOrderSummary.from_row({**order, **summary[order["id"]]}) for order in orders]


@dataclass
class PurchaseOrderView:
    order: VisiblePurchaseOrder
    supplier_name: str
    lines: list[OrderedMaterial]

    @property
    def total(self) -> Decimal:
        return sum((line.quantity * line.unit_price for line in self.lines), Decimal(0))


async def purchase_order_view(viewer: Viewer, order_uuid: UUID) -> PurchaseOrderView:
    order = await get_purchase_order(viewer, order_uuid, SupplierAction.view_materials)
    supplier = await Organisation.select(Organisation.legal_name).where(
        Organisation.id == order.supplier
    )
    lines = await (
        PurchaseOrderLine.select(
            *PurchaseOrderLine.all_columns(),
            PurchaseOrderLine.material._.code.as_alias("material_code"),
            PurchaseOrderLine.material._.name.as_alias("material_name"),
            PurchaseOrderLine.material._.unit.as_alias("unit"),
        )
        .where(PurchaseOrderLine.purchase_order == order.id)
        .order_by(PurchaseOrderLine.required_date)
        .order_by(PurchaseOrderLine.id)
    )
    return PurchaseOrderView(order, supplier[0]["legal_name"], OrderedMaterial.from_rows(lines))


async def send_purchase_order(viewer: Viewer, order_uuid: UUID) -> SaveResult:
    """Send a draft to its supplier; from then on its lines count as open supply."""
    order = await get_purchase_order(viewer, order_uuid, SupplierAction.manage_purchasing)
    async with write_transaction():
        sent = await (
            PurchaseOrder.update(
                {
                    PurchaseOrder.status: PurchaseOrderStatus.sent.value,
                    PurchaseOrder.sent_at: utcnow(),
                }
            )
            .where(
                (PurchaseOrder.id == order.id)
                & (PurchaseOrder.status == PurchaseOrderStatus.draft.value)
            )
            .returning(PurchaseOrder.id)
        )
        if not sent:
            # Already sent (a second click): nothing more to do.
            return SaveResult(uuid=order_uuid)
        await audit_log.record(
            viewer,
            entity_kind="material_purchase_order",
            entity_uuid=order_uuid,
            organisation_id=order.supplier,
            action="update",
            changes={"status": ["draft", "sent"]},
            summary=order.number or "",
        )
        await events.record(
            viewer,
            events.PO_SENT,
            supplier_id=order.supplier,
            object_kind="purchase_order",
            object_uuid=order_uuid,
            link=f"/suppliers/purchase-orders/{order_uuid}",
            message=events.PO_SENT_MESSAGE,
            number=order.number or "",
        )
    return SaveResult(uuid=order_uuid)


@access.checked_by_caller("lines of the draft get_purchase_order found")
async def update_draft(viewer: Viewer, order_uuid: UUID, data: Mapping[str, Any]) -> SaveResult:
    """Change a draft's lines before it is sent: quantity (``quantity-<line>``), required
    date (``date-<line>``), or remove a line (``remove-<line>``). All or nothing."""
    order = await get_purchase_order(viewer, order_uuid, SupplierAction.manage_purchasing)
    if order.status != PurchaseOrderStatus.draft:
        return SaveResult(errors={"lines": _("Only a draft can be changed.")})
    lines = await PurchaseOrderLine.select(
        PurchaseOrderLine.id,
        PurchaseOrderLine.uuid,
        PurchaseOrderLine.quantity,
        PurchaseOrderLine.required_date,
    ).where(PurchaseOrderLine.purchase_order == order.id)
    changes: dict[int, dict[Any, Any]] = {}
    removed: list[int] = []
    errors: dict[str, str] = {}
    for line in lines:
        key = str(line["uuid"])
        if data.get(f"remove-{key}"):
            removed.append(line["id"])
            continue
        quantity = inputs.valid(
            errors,
            f"quantity-{key}",
            forms.material_quantity(str(data.get(f"quantity-{key}", "")), allow_zero=False),
        )
        required = inputs.valid(
            errors,
            f"date-{key}",
            inputs.date(data.get(f"date-{key}")),
            _("Enter a date such as 2027-02-15."),
        )
        if (
            quantity is not None
            and required is not None
            and (quantity != line["quantity"] or required != line["required_date"])
        ):
            changes[line["id"]] = {
                PurchaseOrderLine.quantity: quantity,
                PurchaseOrderLine.required_date: required,
            }
    if len(removed) == len(lines):
        errors["lines"] = _("Keep at least one line, or cancel the purchase order.")
    if errors:
        return SaveResult(errors=errors)
    async with write_transaction():
        for line_id, values in changes.items():
            await PurchaseOrderLine.update(values).where(PurchaseOrderLine.id == line_id)
        if removed:
            await PurchaseOrderLine.delete().where(PurchaseOrderLine.id.is_in(removed))
        if changes or removed:
            await audit_log.record(
                viewer,
                entity_kind="material_purchase_order",
                entity_uuid=order_uuid,
                organisation_id=order.supplier,
                action="update",
                changes={"lines": [None, f"{len(changes)} changed, {len(removed)} removed"]},
                summary=order.number or "",
            )
    return SaveResult(uuid=order_uuid)


async def cancel_purchase_order(viewer: Viewer, order_uuid: UUID) -> SaveResult:
    """Cancel a draft, or a sent PO nothing has been received on yet."""
    order = await get_purchase_order(viewer, order_uuid, SupplierAction.manage_purchasing)
    async with write_transaction():
        received = await Receipt.exists().where(
            Receipt.purchase_order_line._.purchase_order == order.id
        )
        if received or order.status not in (PurchaseOrderStatus.draft, PurchaseOrderStatus.sent):
            return SaveResult(errors={"status": _("Material was received on this purchase order.")})
        await PurchaseOrder.update(
            {PurchaseOrder.status: PurchaseOrderStatus.cancelled.value}
        ).where(PurchaseOrder.id == order.id)
        await audit_log.record(
            viewer,
            entity_kind="material_purchase_order",
            entity_uuid=order_uuid,
            organisation_id=order.supplier,
            action="update",
            changes={"status": [order.status, "cancelled"]},
            summary=order.number or "",
        )
    return SaveResult(uuid=order_uuid)


async def acknowledge_line(viewer: Viewer, line_uuid: UUID, data: Mapping[str, Any]) -> SaveResult:
    """The supplier's answer to one PO line: accepted, accepted with another quantity or
    date, rejected or backordered. The same answer again changes nothing; another answer
    replaces it (audited)."""
    line, order = await get_purchase_order_line(
        viewer, line_uuid, SupplierAction.answer_as_supplier
    )
    answer, errors = forms.parse_acknowledgement(data)
    if answer is None:
        return SaveResult(errors=errors)
    if order.status != PurchaseOrderStatus.sent:
        return SaveResult(errors={"acknowledgement": _("This purchase order is closed.")})
    changed = answer.status == "changed"
    values = {
        "acknowledgement": answer.status,
        "confirmed_quantity": (answer.quantity or line.quantity) if changed else None,
        "confirmed_date": (answer.delivery_date or line.required_date) if changed else None,
        "acknowledgement_comment": answer.comment,
    }
    changes = audit_log.changes_between(line.as_dict(), values)
    if not changes:
        return SaveResult(uuid=line_uuid)
    async with write_transaction():
        await PurchaseOrderLine.update(
            {
                **{getattr(PurchaseOrderLine, name): value for name, value in values.items()},
                PurchaseOrderLine.acknowledged_at: utcnow(),
            }
        ).where(PurchaseOrderLine.id == line.id)
        await audit_log.record(
            viewer,
            entity_kind="material_purchase_order",
            entity_uuid=order.uuid,
            organisation_id=order.supplier,
            action="update",
            changes=changes,
            summary=f"{order.number} {answer.status}",
        )
        await events.record(
            viewer,
            events.PO_ACKNOWLEDGED,
            supplier_id=order.supplier,
            object_kind="purchase_order",
            object_uuid=order.uuid,
            link=f"/suppliers/purchase-orders/{order.uuid}",
            message=events.PO_ACKNOWLEDGED_MESSAGE,
            number=order.number or "",
            answer=events.answer(answer.status),
        )
    return SaveResult(uuid=line_uuid)


@access.checked_by_caller("acknowledge_line checked the line with get_purchase_order_line")
async def order_of_line(line_uuid: UUID) -> UUID:
    """The PO a line belongs to (after acknowledge_line has checked the viewer may see it)."""
    row = await (
        PurchaseOrderLine.select(PurchaseOrderLine.purchase_order._.uuid.as_alias("order_uuid"))
        .where(PurchaseOrderLine.uuid == line_uuid)
        .first()
    )
    assert row is not None
    return row["order_uuid"]  # type: ignore[no-any-return]


# ---------------------------------------------------------------------------
# Follow-ups for the brand's buyers (through the scheduler's public service)

ACKNOWLEDGE_WITHIN_DAYS = 3
# Weeks this close need a supplier's answer now; later weeks can wait for the next version.
COMMIT_HORIZON_WEEKS = 6


@access.system_query("scheduled job: every supplier's unanswered POs and forecasts")
async def plan_follow_ups() -> str:
    """Follow-ups for POs still unanswered ``ACKNOWLEDGE_WITHIN_DAYS`` after sending, and for
    suppliers leaving near forecast weeks without a commitment. Each is created once (per PO;
    per supplier and forecast version), however often the job runs."""
    from scheduler.services import RuleFollowUp, insert_rule_follow_ups

    now = utcnow()
    items: list[RuleFollowUp] = []
    overdue = await PurchaseOrderLine.raw(
        "SELECT po.uuid AS order_uuid, po.number AS number, po.supplier AS supplier, "
        "COALESCE(po.created_by, o.owner) AS owner, COUNT(*) AS lines "
        "FROM material_purchase_order_line l "
        "JOIN material_purchase_order po ON po.id = l.purchase_order "
        "JOIN organisation o ON o.id = po.supplier "
        "WHERE po.status = 'sent' AND l.acknowledgement IS NULL AND po.sent_at <= {} "
        "GROUP BY po.uuid, po.number, po.supplier, COALESCE(po.created_by, o.owner)",
        _timestamp_param_at(now - timedelta(days=ACKNOWLEDGE_WITHIN_DAYS)),
    )
    for row in overdue:
        if row["owner"] is None:
            continue
        items.append(
            RuleFollowUp(
                rule_key="suppliers.po_unacknowledged",
                episode=str(row["order_uuid"]),
                organisation_id=row["supplier"],
                owner_id=row["owner"],
                title=N_("Chase the supplier: %(lines)s lines of %(number)s unanswered"),
                title_params={"lines": row["lines"], "number": row["number"]},
                due_at=now,
                priority="high",
                subject_kind="material_po",
                subject_uuid=UUID(str(row["order_uuid"])),
            )
        )
    current, _previous = await latest_versions()
    if current is not None:
        until = current.first_week + timedelta(weeks=COMMIT_HORIZON_WEEKS)
        uncommitted = await ForecastLine.raw(
            "SELECT f.supplier AS supplier, COALESCE(v.published_by, o.owner) AS owner, "
            "o.legal_name AS supplier_name, COUNT(*) AS weeks "
            "FROM material_forecast_line f "
            "JOIN material_forecast v ON v.id = f.forecast "
            "JOIN organisation o ON o.id = f.supplier "
            "LEFT JOIN material_commitment c "
            "ON c.material = f.material AND c.week_start = f.week_start "
            "WHERE f.forecast = {} AND f.net_total > 0 AND f.week_start < {} AND c.id IS NULL "
            "GROUP BY f.supplier, COALESCE(v.published_by, o.owner), o.legal_name",
            current.id,
            until,
        )
        for row in uncommitted:
            if row["owner"] is None:
                continue
            items.append(
                RuleFollowUp(
                    rule_key="suppliers.forecast_uncommitted",
                    episode=f"{row['supplier']}:v{current.number}",
                    organisation_id=row["supplier"],
                    owner_id=row["owner"],
                    # Worded to fit any number: a stored message has no plural form.
                    title=N_("Forecast weeks without a commitment from %(supplier)s: %(weeks)s"),
                    title_params={"supplier": row["supplier_name"], "weeks": row["weeks"]},
                    due_at=now,
                )
            )
    created = await insert_rule_follow_ups(items)
    return f"{created} purchasing follow-ups planned"


def _timestamp_param_at(moment: Any) -> Any:
    return moment.isoformat(sep=" ") if is_sqlite() else moment


# ---------------------------------------------------------------------------
# Advance ship notices and receipts


@dataclass(frozen=True)
class Certificate:
    """A test report or certificate: the name to show, the type its bytes are, the bytes."""

    name: str
    content_type: str
    content: bytes


@dataclass(frozen=True)
class UploadedFile:
    """A file as the browser sent it: the name the uploader's computer gave it, the bytes."""

    name: str
    content: bytes


def certificate_from_upload(upload: UploadedFile) -> tuple[Certificate | None, str | None]:
    """The certificate an upload holds, judged by its bytes (PDF, JPEG or PNG whatever its
    name says), under a name safe to show and send back; or why it is refused."""
    kind = uploads.detect_type(upload.content, forms.CERTIFICATE_TYPES)
    if kind is None:
        return None, _("Upload the report as PDF, JPEG or PNG.")
    if len(upload.content) > forms.MAX_CERTIFICATE_BYTES:
        return None, _("The file is larger than 5 MB.")
    name = uploads.display_name(upload.name, kind, fallback="certificate")
    return Certificate(name, kind.content_type, upload.content), None


async def create_ship_notice(
    viewer: Viewer,
    order_uuid: UUID,
    data: Mapping[str, Any],
    upload: UploadedFile | None = None,
) -> SaveResult:
    """The supplier announces a shipment against one of its sent POs. (The same notice sent
    again is answered once by the handlers, through partner_portal.idempotency.)"""
    order = await get_purchase_order(viewer, order_uuid, SupplierAction.answer_as_supplier)
    lines = await PurchaseOrderLine.select(
        PurchaseOrderLine.id,
        PurchaseOrderLine.uuid,
        PurchaseOrderLine.acknowledgement,
        PurchaseOrderLine.material._.kind.as_alias("kind"),
    ).where(PurchaseOrderLine.purchase_order == order.id)
    by_uuid = {str(line["uuid"]): line for line in lines}
    needs_dye_lot = any(line["kind"] == "fabric" for line in lines)
    notice, errors = forms.parse_ship_notice(data, list(by_uuid), needs_dye_lot)
    if order.status != PurchaseOrderStatus.sent:
        errors = {**errors, "shipped_on": _("This purchase order is not open.")}
    certificate, problem = certificate_from_upload(upload) if upload else (None, None)
    if problem:
        errors = {**errors, "certificate": problem}
    if notice is None or errors:
        return SaveResult(errors=errors)
    rejected = [key for key in notice.quantities if by_uuid[key]["acknowledgement"] == "rejected"]
    if rejected:
        return SaveResult(errors={f"quantity-{rejected[0]}": _("You rejected this line.")})
    async with write_transaction():
        row = (
            await ShipNotice.insert(
                ShipNotice(
                    purchase_order=order.id,
                    supplier=order.supplier,
                    shipped_on=notice.shipped_on,
                    expected_on=notice.expected_on,
                    carrier=notice.carrier,
                    tracking_number=notice.tracking_number,
                    dye_lot=notice.dye_lot,
                    certificate_name=certificate.name if certificate else "",
                    certificate_type=certificate.content_type if certificate else "",
                    certificate=certificate.content if certificate else None,
                    created_by=viewer.user_id,
                    created_at=utcnow(),
                )
            )
            .returning(ShipNotice.id, ShipNotice.uuid)
            .run()
        )[0]
        await ShipNoticeLine.insert(
            *(
                ShipNoticeLine(
                    ship_notice=row["id"],
                    purchase_order_line=by_uuid[key]["id"],
                    quantity=quantity,
                )
                for key, quantity in notice.quantities.items()
            )
        ).run()
        await audit_log.record(
            viewer,
            entity_kind="material_ship_notice",
            entity_uuid=row["uuid"],
            organisation_id=order.supplier,
            action="create",
            changes={
                "dye_lot": [None, notice.dye_lot],
                "carrier": [None, notice.carrier],
                "tracking_number": [None, notice.tracking_number],
            },
            summary=order.number or "",
        )
        await events.record(
            viewer,
            events.SHIP_NOTICE,
            supplier_id=order.supplier,
            object_kind="purchase_order",
            object_uuid=order.uuid,
            link=f"/suppliers/purchase-orders/{order.uuid}",
            message=events.SHIP_NOTICE_MESSAGE,
            number=order.number or "",
            date=messages.on_date(notice.shipped_on),
        )
    return SaveResult(uuid=row["uuid"])


async def ship_notices(order: VisiblePurchaseOrder) -> list[ShipNoticeEntry]:
    """A PO's ship notices with their lines (two queries)."""
    notices = await (
        ShipNotice.select(
            ShipNotice.id,
            ShipNotice.uuid,
            ShipNotice.shipped_on,
            ShipNotice.expected_on,
            ShipNotice.carrier,
            ShipNotice.tracking_number,
            ShipNotice.dye_lot,
            ShipNotice.certificate_name,
        )
        .where(ShipNotice.purchase_order == order.id)
        .order_by(ShipNotice.id)
    )
    if not notices:
        return []
    lines = await ShipNoticeLine.select(
        ShipNoticeLine.ship_notice,
        ShipNoticeLine.quantity,
        ShipNoticeLine.purchase_order_line._.material._.code.as_alias("material_code"),
    ).where(ShipNoticeLine.ship_notice.is_in([notice["id"] for notice in notices]))
    return [
        ShipNoticeEntry.from_row(
            {**notice, "lines": [line for line in lines if line["ship_notice"] == notice["id"]]}
        )
        for notice in notices
    ]


async def certificate_of(viewer: Viewer, notice_uuid: UUID) -> Certificate:
    """A ship notice's test report or certificate, for whoever may see its PO (404 otherwise)."""
    certificate = await get_certificate(viewer, notice_uuid)
    content = certificate.certificate
    # Judged again by its bytes: a file stored before uploads were checked so is sent as
    # bytes to download, never as the type its uploader claimed.
    kind = uploads.detect_type(content, forms.CERTIFICATE_TYPES)
    return Certificate(
        certificate.certificate_name or "certificate",
        kind.content_type if kind else "application/octet-stream",
        content,
    )


async def record_receipt(viewer: Viewer, line_uuid: UUID, data: Mapping[str, Any]) -> SaveResult:
    """The brand records material received on a PO line with its inspection result. Only
    accepted material counts against the line; the PO closes when every line it still
    expects is received."""
    line, order = await get_purchase_order_line(viewer, line_uuid, SupplierAction.manage_purchasing)
    receipt, errors = forms.parse_receipt(data)
    if receipt is None:
        return SaveResult(errors=errors)
    if order.status not in (PurchaseOrderStatus.sent, PurchaseOrderStatus.closed):
        return SaveResult(errors={"received_on": _("Send the purchase order first.")})
    async with write_transaction():
        row = (
            await Receipt.insert(
                Receipt(
                    purchase_order_line=line.id,
                    supplier=order.supplier,
                    received_on=receipt.received_on,
                    accepted_quantity=receipt.accepted_quantity,
                    rejected_quantity=receipt.rejected_quantity,
                    quality_note=receipt.quality_note,
                    recorded_by=viewer.user_id,
                    recorded_at=utcnow(),
                )
            )
            .returning(Receipt.uuid)
            .run()
        )[0]
        lock = "" if is_sqlite() else " FOR UPDATE"
        received = await PurchaseOrderLine.raw(
            f"SELECT received_quantity FROM material_purchase_order_line WHERE id = {{}}{lock}",
            line.id,
        )
        await PurchaseOrderLine.update(
            {
                PurchaseOrderLine.received_quantity: Decimal(received[0]["received_quantity"])
                + receipt.accepted_quantity
            }
        ).where(PurchaseOrderLine.id == line.id)
        await _close_if_received(order)
        await audit_log.record(
            viewer,
            entity_kind="material_receipt",
            entity_uuid=row["uuid"],
            organisation_id=order.supplier,
            action="create",
            changes={
                "accepted_quantity": [None, str(receipt.accepted_quantity)],
                "rejected_quantity": [None, str(receipt.rejected_quantity)],
            },
            summary=order.number or "",
        )
    return SaveResult(uuid=row["uuid"])


async def _close_if_received(order: VisiblePurchaseOrder) -> None:
    lines = await PurchaseOrderLine.select(
        PurchaseOrderLine.quantity,
        PurchaseOrderLine.confirmed_quantity,
        PurchaseOrderLine.acknowledgement,
        PurchaseOrderLine.received_quantity,
    ).where(PurchaseOrderLine.purchase_order == order.id)
    for line in lines:
        if line["acknowledgement"] == "rejected":
            continue
        expected = line["quantity"]
        if line["acknowledgement"] == "changed" and line["confirmed_quantity"] is not None:
            expected = line["confirmed_quantity"]
        if line["received_quantity"] < expected:
            return
    await PurchaseOrder.update({PurchaseOrder.status: PurchaseOrderStatus.closed.value}).where(
        (PurchaseOrder.id == order.id) & (PurchaseOrder.status == PurchaseOrderStatus.sent.value)
    )


async def receipts_of(order: VisiblePurchaseOrder) -> dict[int, list[ReceiptRecord]]:
    """A PO's receipts by the id of the line they were received on, oldest first."""
    rows = await (
        Receipt.select(*Receipt.all_columns())
        .where(Receipt.purchase_order_line._.purchase_order == order.id)
        .order_by(Receipt.received_on)
    )
    by_line: dict[int, list[ReceiptRecord]] = defaultdict(list)
    for receipt in ReceiptRecord.from_rows(rows):
        by_line[receipt.purchase_order_line].append(receipt)
    return by_line
