"""The brand's order rules (minimum per style, multiples, minimum order value, credit limit,
at-once stock) and the credit figures they read. The kernel's submit runs ``check_order``
through registry.order_checks and refuses an order with a blocking finding; the matrix
page shows the same findings as warnings while the buyer types."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from piccolo.query.methods.select import Select

from distributors.access import DistributorAction
from distributors.records import PartnerCreditRow
from distributors.tables import MinimumOrderValue, OrderRule, PartnerCredit, RuleKind
from partner_portal import access, inputs
from partner_portal.access import Viewer
from partner_portal.audit import services as audit_log
from partner_portal.catalog.tables import PriceList, Sku
from partner_portal.clock import utcnow
from partner_portal.database import write_transaction
from partner_portal.edits import SaveResult
from partner_portal.i18n import N_, format_money
from partner_portal.i18n import gettext as _
from partner_portal.orders.services import open_order_value, round_money, shortfalls_for
from partner_portal.orders.tables import OrderChannel
from partner_portal.partners.tables import Organisation
from partner_portal.registries import OrderFinding, StockPolicy, registry
from partner_portal.statements import Prepared

RULE_TITLES = {
    RuleKind.min_style_quantity: N_("Minimum quantity per style"),
    RuleKind.order_multiple: N_("Order in multiples of"),
    RuleKind.min_order_value: N_("Minimum order value"),
    RuleKind.credit_limit: N_("Credit limit (open orders + unpaid invoices)"),
    RuleKind.at_once_stock: N_("Available stock for at-once orders"),
    RuleKind.pre_book_capacity: N_("Pre-book capacity of the delivery window"),
}
# Group campaigns are made to order per employee: the bulk-ordering rules do not fit them.
CHECKED_CHANNELS = frozenset(
    {OrderChannel.distributor, OrderChannel.retailer, OrderChannel.rep_entered}
)


@dataclass
class Rule:
    kind: RuleKind
    enabled: bool = False
    blocking: bool = False
    quantity: int | None = None
    # the minimum order value in each currency that has one (orders in a currency without
    # one are not held to it)
    amounts: dict[str, Decimal] = field(default_factory=dict)
    version: int = 0

    @property
    def title(self) -> str:
        return _(RULE_TITLES[self.kind])


@dataclass(frozen=True)
class GridRules:
    """What the order grid states before anything is typed: the minimum per style and the
    multiple every cell must be (None: no such rule in force)."""

    min_style_quantity: int | None = None
    multiple: int | None = None
    multiple_blocks: bool = False


async def grid_rules() -> GridRules:
    rules = await stored_rules()  # the grid needs no minimum order values
    minimum = rules[RuleKind.min_style_quantity]
    multiple = rules[RuleKind.order_multiple]
    in_force = multiple.enabled and multiple.quantity and multiple.quantity > 1
    return GridRules(
        min_style_quantity=minimum.quantity if minimum.enabled else None,
        multiple=multiple.quantity if in_force else None,
        multiple_blocks=bool(in_force and multiple.blocking),
    )


async def load_rules() -> dict[RuleKind, Rule]:
    """Every rule kind, as stored or switched off, the minimum order values with their
    rule (two queries)."""
    rules = await stored_rules()
    rules[RuleKind.min_order_value].amounts = {
        row["currency"]: row["amount"]
        for row in await MinimumOrderValue.select(
            MinimumOrderValue.currency, MinimumOrderValue.amount
        )
    }
    return rules


@Prepared
def _every_rule() -> Select:
    return OrderRule.select()


async def stored_rules() -> dict[RuleKind, Rule]:
    """Every rule kind, as stored or switched off, without the minimum order values (one
    query)."""
    rules = {kind: Rule(kind) for kind in RuleKind}
    for row in await _every_rule.rows():
        kind = RuleKind(row["kind"])
        rules[kind] = Rule(
            kind=kind,
            enabled=row["enabled"],
            blocking=row["blocking"],
            quantity=row["quantity"],
            version=row["version"],
        )
    return rules


@access.system_query("the currencies of the brand's price lists, for the order rules form")
async def selling_currencies() -> list[str]:
    """The currencies the brand sells in: those of its price lists (CNY without any)."""
    rows = await PriceList.select(PriceList.currency).distinct()
    return sorted({row["currency"] for row in rows} or {"CNY"})


def rule_form_values(rules: Mapping[RuleKind, Rule]) -> dict[str, str]:
    values: dict[str, str] = {}
    for kind, rule in rules.items():
        values[f"{kind}-enabled"] = "on" if rule.enabled else ""
        values[f"{kind}-severity"] = "blocking" if rule.blocking else "warning"
        values[f"{kind}-quantity"] = "" if rule.quantity is None else str(rule.quantity)
        for currency, amount in rule.amounts.items():
            values[f"{kind}-amount-{currency}"] = str(amount)
    return values


def _parse_rules(
    data: Mapping[str, str], currencies: Sequence[str]
) -> tuple[list[Rule], dict[str, str]]:
    rules: list[Rule] = []
    errors: dict[str, str] = {}
    for kind in RuleKind:
        rule = Rule(
            kind,
            enabled=bool(data.get(f"{kind}-enabled")),
            blocking=data.get(f"{kind}-severity") == "blocking",
        )
        quantity_text = data.get(f"{kind}-quantity", "").strip()
        if kind in (RuleKind.min_style_quantity, RuleKind.order_multiple):
            if quantity_text:
                rule.quantity = inputs.valid(
                    errors,
                    f"{kind}-quantity",
                    inputs.quantity(quantity_text, maximum=100_000),
                    _("Enter a whole number from 1 to 100,000."),
                )
            elif rule.enabled:
                errors[f"{kind}-quantity"] = _("Enter the quantity this rule asks for.")
        if kind == RuleKind.min_order_value:
            for currency in currencies:
                field_name = f"{kind}-amount-{currency}"
                amount = _minimum(data.get(field_name, ""), currency, field_name, errors)
                if amount is not None:
                    rule.amounts[currency] = amount
            typed_wrong = any(key.startswith(f"{kind}-amount-") for key in errors)
            if rule.enabled and not rule.amounts and not typed_wrong:
                errors[f"{kind}-amount-{currencies[0]}"] = _("Enter the minimum order value.")
        rules.append(rule)
    return rules, errors


def _minimum(text: str, currency: str, field_name: str, errors: dict[str, str]) -> Decimal | None:
    """A minimum order value as typed in ``currency`` (empty: none in that currency)."""
    if not text.strip():
        return None
    amount = inputs.valid(errors, field_name, inputs.money(text, currency))
    if amount == 0:
        errors[field_name] = _("Enter an amount above zero.")
        return None
    return amount


async def save_rules(viewer: Viewer, data: Mapping[str, str]) -> SaveResult:
    """Save all rules at once, or none with messages by field."""
    access.require(viewer, DistributorAction.manage_order_rules)
    rules, errors = _parse_rules(data, await selling_currencies())
    if errors:
        return SaveResult(errors=errors)
    before = await load_rules()
    now = utcnow()
    async with write_transaction():
        for rule in rules:
            values: dict[Any, Any] = {
                OrderRule.enabled: rule.enabled,
                OrderRule.blocking: rule.blocking,
                OrderRule.quantity: rule.quantity,
                OrderRule.updated_at: now,
            }
            updated = (
                await OrderRule.update({**values, OrderRule.version: OrderRule.version + 1})
                .where(OrderRule.kind == rule.kind)
                .returning(OrderRule.id)
            )
            if not updated:
                await OrderRule.insert(
                    OrderRule(
                        kind=rule.kind,
                        **{column._meta.name: value for column, value in values.items()},
                    )
                )
        minimums = next(rule for rule in rules if rule.kind == RuleKind.min_order_value)
        await MinimumOrderValue.delete(force=True)
        if minimums.amounts:
            await MinimumOrderValue.insert(
                *[
                    MinimumOrderValue(currency=currency, amount=amount, updated_at=now)
                    for currency, amount in sorted(minimums.amounts.items())
                ]
            )
        await audit_log.record(
            viewer,
            entity_kind="order_rules",
            entity_uuid=viewer.user_uuid,
            organisation_id=viewer.organisation_id,
            action="edit",
            changes=audit_log.changes_between(
                {kind.value: _rule_text(rule) for kind, rule in before.items()},
                {rule.kind.value: _rule_text(rule) for rule in rules},
            ),
        )
    return SaveResult(uuid=viewer.user_uuid)


def _rule_text(rule: Rule) -> str:
    if not rule.enabled:
        return "off"
    amounts = " ".join(f"{amount} {currency}" for currency, amount in sorted(rule.amounts.items()))
    figure = rule.quantity if rule.quantity is not None else amounts
    return f"{'blocking' if rule.blocking else 'warning'} {figure or ''}".strip()


# ---------------------------------------------------------------------------
# Credit: the unpaid amount per partner and a credit limit where no contract sets one


@dataclass(frozen=True)
class CreditLimit:
    amount: Decimal
    blocking: bool


@access.system_query("order check: the buyer's credit limit")
async def credit_limit_for(organisation_id: int, rule: Rule) -> CreditLimit | None:
    """The credit limit an order is held to, and whether going over it blocks.

    A contract in force that sets a limit wins, checked whether or not the brand's credit
    rule is on, blocking as the contract says; else the limit kept here, when the brand's
    rule is on, blocking as the rule says."""
    terms = await registry.terms_for(organisation_id)
    if terms is not None and terms.credit_limit is not None:
        return CreditLimit(terms.credit_limit, terms.credit_limit_blocks)
    if not rule.enabled:
        return None
    recorded = await recorded_credit_limit(organisation_id)
    return None if recorded is None else CreditLimit(recorded, rule.blocking)


@access.system_query("a partner's credit limit, for the order check and new contracts' terms")
async def recorded_credit_limit(organisation_id: int) -> Decimal | None:
    """The credit limit kept on the partner here (registry.partner_credit_limit)."""
    row = (
        await PartnerCredit.select(PartnerCredit.credit_limit)
        .where(PartnerCredit.organisation == organisation_id)
        .first()
    )
    if row is None or row["credit_limit"] is None:
        return None
    return Decimal(row["credit_limit"])


@access.system_query("order check: the buyer's unpaid amount")
async def unpaid_amount(organisation_id: int) -> Decimal:
    row = (
        await PartnerCredit.select(PartnerCredit.unpaid_amount)
        .where(PartnerCredit.organisation == organisation_id)
        .first()
    )
    return Decimal(0) if row is None else row["unpaid_amount"]


async def credit_rows(viewer: Viewer) -> list[PartnerCreditRow]:
    """Buying partners the viewer may see with the credit figures kept here (two queries).
    A contract's credit limit, where one sets it, wins over the limit kept here."""
    partners = (
        await access.scoped(
            Organisation.select(
                Organisation.id,
                Organisation.uuid,
                Organisation.legal_name,
                Organisation.kind,
                Organisation.currency,
            ),
            viewer,
        )
        .where(Organisation.kind.is_in(["distributor", "retailer"]))
        .order_by(Organisation.legal_name)
    )
    credits = {
        row["organisation"]: row
        for row in await PartnerCredit.select().where(
            PartnerCredit.organisation.is_in([row["id"] for row in partners] or [-1])
        )
    }
    rows = []
    for partner in partners:
        credit = credits.get(partner["id"])
        figures = {
            "credit_limit": credit["credit_limit"] if credit else None,
            "unpaid_amount": credit["unpaid_amount"] if credit else Decimal(0),
            "version": credit["version"] if credit else 0,
        }
        rows.append(PartnerCreditRow.from_row({**partner, **figures}))
    return rows


def _money(
    text: str, currency: str, field: str, errors: dict[str, str], allow_empty: bool
) -> Decimal | None:
    """An amount in the partner's currency (empty: none, where ``allow_empty``)."""
    if not text.strip():
        if not allow_empty:
            errors[field] = _("Enter an amount (0 if nothing is unpaid).")
        return None
    return inputs.valid(errors, field, inputs.money(text, currency, maximum=inputs.MAX_WIDE_AMOUNT))


@access.checked_by_caller("the partner comes from get_organisation")
async def save_credit(
    viewer: Viewer, organisation: access.VisibleOrganisation, data: Mapping[str, str]
) -> SaveResult:
    """Set a partner's unpaid amount and own credit limit; the version stops two finance
    people overwriting each other's figures."""
    access.require(viewer, DistributorAction.manage_partner_credit, organisation.id)
    errors: dict[str, str] = {}
    currency = organisation.currency
    limit = _money(data.get("credit_limit", ""), currency, "credit_limit", errors, allow_empty=True)
    unpaid = _money(
        data.get("unpaid_amount", ""), currency, "unpaid_amount", errors, allow_empty=False
    )
    opened = data.get("version", "0")
    if errors:
        return SaveResult(errors=errors)
    now = utcnow()
    async with write_transaction():
        current = (
            await PartnerCredit.select()
            .where(PartnerCredit.organisation == organisation.id)
            .first()
        )
        current_version = current["version"] if current else 0
        if str(current_version) != opened:
            return SaveResult(
                errors={"version": _("Someone saved these figures first; here they are now.")},
                current_version=current_version,
            )
        if current is None:
            await PartnerCredit.insert(
                PartnerCredit(
                    organisation=organisation.id,
                    credit_limit=limit,
                    unpaid_amount=unpaid,
                    updated_at=now,
                )
            )
        else:
            await PartnerCredit.update(
                {
                    PartnerCredit.credit_limit: limit,
                    PartnerCredit.unpaid_amount: unpaid,
                    PartnerCredit.updated_at: now,
                    PartnerCredit.version: PartnerCredit.version + 1,
                }
            ).where(PartnerCredit.id == current["id"])
        await audit_log.record(
            viewer,
            entity_kind="partner_credit",
            entity_uuid=organisation.uuid,
            organisation_id=organisation.id,
            action="edit",
            changes=audit_log.changes_between(
                {
                    "credit_limit": str(current["credit_limit"]) if current else "None",
                    "unpaid_amount": str(current["unpaid_amount"]) if current else "0",
                },
                {"credit_limit": str(limit), "unpaid_amount": str(unpaid)},
            ),
        )
    return SaveResult(uuid=organisation.uuid)


async def stock_policy() -> StockPolicy:
    """Whether going over the stock or the pre-book capacity blocks: the brand's two stock
    rules, switched on and set to block (registry.stock_policy)."""
    rules = await load_rules()

    def blocks(kind: RuleKind) -> bool:
        return rules[kind].enabled and rules[kind].blocking

    return StockPolicy(
        at_once_blocks=blocks(RuleKind.at_once_stock),
        pre_book_blocks=blocks(RuleKind.pre_book_capacity),
    )


# ---------------------------------------------------------------------------
# The check the kernel runs before submission (and the matrix page while typing)


async def check_order(
    order: Mapping[str, Any], lines: Sequence[Mapping[str, Any]]
) -> list[OrderFinding]:
    """What the brand's enabled rules say about an order and its lines (lines carry sku,
    style, quantity and line_total). A fixed number of queries whatever the line count."""
    if order.get("channel", OrderChannel.distributor) not in CHECKED_CHANNELS or not lines:
        return []
    all_rules = await load_rules()
    rules = [
        rule for rule in all_rules.values() if rule.enabled and rule.kind != RuleKind.credit_limit
    ]
    credit = await credit_limit_for(order["buyer"], all_rules[RuleKind.credit_limit])
    if not rules and credit is None:
        return []
    style_ids = {line["style"] for line in lines}
    codes = {
        row["style"]: row["code"]
        for row in await Sku.select(
            Sku.style,
            Sku.style._.code.as_alias("code"),
        )
        .where(Sku.style.is_in(sorted(style_ids)))
        .distinct()
    }
    currency = order.get("currency") or ""
    total = sum((Decimal(line["line_total"]) for line in lines), Decimal(0))
    findings: list[OrderFinding] = []
    for rule in rules:
        for message in await _apply(rule, order, lines, codes, currency, total):
            findings.append(OrderFinding(message=message, blocking=rule.blocking))
    if credit is not None:
        findings.extend(
            await _credit_findings(order["buyer"], order.get("id"), credit, currency, total)
        )
    return findings


async def _credit_findings(
    buyer_id: int, order_id: int | None, credit: CreditLimit, currency: str, total: Decimal
) -> list[OrderFinding]:
    exposure = await open_order_value(buyer_id, excluding=order_id) + await unpaid_amount(buyer_id)
    if exposure + total <= credit.amount:
        return []
    message = _(
        "Open orders and unpaid invoices (%(exposure)s) plus this order "
        "(%(total)s) exceed the credit limit of %(limit)s.",
        exposure=format_money(exposure, currency),
        total=format_money(round_money(total, currency), currency),
        limit=format_money(credit.amount, currency),
    )
    return [OrderFinding(message=message, blocking=credit.blocking)]


async def _apply(
    rule: Rule,
    order: Mapping[str, Any],
    lines: Sequence[Mapping[str, Any]],
    codes: Mapping[int, str],
    currency: str,
    total: Decimal,
) -> list[str]:
    if rule.kind == RuleKind.min_style_quantity and rule.quantity:
        per_style: dict[int, int] = {}
        for line in lines:
            per_style[line["style"]] = per_style.get(line["style"], 0) + line["quantity"]
        return [
            _(
                "Style %(code)s: %(quantity)s pieces; the minimum per style is %(minimum)s.",
                code=codes.get(style, style),
                quantity=quantity,
                minimum=rule.quantity,
            )
            for style, quantity in sorted(
                per_style.items(), key=lambda item: str(codes.get(item[0]))
            )
            if quantity < rule.quantity
        ]
    if rule.kind == RuleKind.order_multiple and rule.quantity and rule.quantity > 1:
        off = sorted(
            {
                codes.get(line["style"], str(line["style"]))
                for line in lines
                if line["quantity"] % rule.quantity
            }
        )
        return [
            _(
                "Style %(code)s: order each colour and size in multiples of %(multiple)s.",
                code=code,
                multiple=rule.quantity,
            )
            for code in off
        ]
    if rule.kind == RuleKind.min_order_value:
        minimum = rule.amounts.get(currency)
        if minimum is not None and total < minimum:
            return [
                _(
                    "The order comes to %(total)s; the minimum order is %(minimum)s.",
                    total=format_money(round_money(total, currency), currency),
                    minimum=format_money(minimum, currency),
                )
            ]
        return []
    if rule.kind in (RuleKind.at_once_stock, RuleKind.pre_book_capacity):
        if order.get("status", "draft") != "draft":
            # A submitted order being changed already holds its pieces: the order book
            # checks what a change adds against what is left when it holds them.
            return []
        at_once = rule.kind == RuleKind.at_once_stock
        short = await shortfalls_for(
            order.get("channel") or OrderChannel.distributor,
            order.get("delivery_window_start"),
            order.get("delivery_window_end"),
            [(line["sku"], line["quantity"]) for line in lines],
        )
        styles = {line["sku"]: line["style"] for line in lines}
        over = sorted(
            {
                codes.get(styles[item.sku_id], str(styles[item.sku_id]))
                for item in short
                if (item.window_id is None) == at_once
            }
        )
        message = (
            N_("Style %(code)s: more than the stock available to ship at once.")
            if at_once
            else N_("Style %(code)s: more than can still be pre-booked in this delivery window.")
        )
        return [_(message, code=code) for code in over]
    return []
