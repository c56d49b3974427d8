"""Contract states, kinds and their labels, and the error a step the state refuses raises.

Lifecycle: draft -> issued -> accepted (partner) -> countersigned (brand) -> active
(from its start date) -> expiring (inside the notice period) -> expired, renewed (its
renewal became active) or terminated. Either side may decline (back to the brand,
who edits and issues a new version). Editing an issued contract returns it to draft;
issuing again supersedes the earlier version, which can then no longer be accepted.
State changes are conditional updates (``WHERE status = ...``), so a double click or two
people acting at once move a contract once.
"""

from __future__ import annotations

from contracts.tables import (
    ContractStatus,
)
from partner_portal.i18n import N_
from partner_portal.i18n import gettext as _

S = ContractStatus
EDITABLE = (S.draft, S.issued, S.declined)
ISSUABLE = (S.draft, S.declined)
IN_FORCE = (S.active, S.expiring)
TERMINABLE = (S.draft, S.issued, S.accepted, S.countersigned, S.active, S.expiring, S.declined)
RENEWABLE = (S.active, S.expiring, S.expired)
# Which kind of contract fits which kind of partner (the first is the default).
KINDS_FOR_PARTNER: dict[str, tuple[str, ...]] = {
    "distributor": ("distribution", "framework", "nda"),
    "retailer": ("distribution", "framework", "nda"),
    "fabric_supplier": ("supply", "framework", "nda"),
    "trim_supplier": ("supply", "framework", "nda"),
    "group_client": ("group_purchase", "framework", "nda"),
}

LABELS: dict[str, str] = {
    "draft": N_("Draft"),
    "issued": N_("Issued, awaiting the partner"),
    "accepted": N_("Accepted, awaiting countersignature"),
    "countersigned": N_("Signed, starts later"),
    "active": N_("Active"),
    "expiring": N_("Expiring"),
    "expired": N_("Expired"),
    "renewed": N_("Renewed"),
    "terminated": N_("Terminated"),
    "declined": N_("Declined"),
    "distribution": N_("Distribution agreement"),
    "supply": N_("Supply agreement"),
    "group_purchase": N_("Group purchase agreement"),
    "framework": N_("Framework agreement"),
    "nda": N_("Non-disclosure agreement"),
    "en": N_("English"),
    "zh_Hans": N_("Simplified Chinese"),
    "ko": N_("Korean"),
    "bilingual_zh": N_("English and Simplified Chinese"),
    "bilingual_ko": N_("English and Korean"),
    "partner": N_("Partner"),
    "brand": N_("Brand"),
    "accepted_decision": N_("Accepted"),
    "countersigned_decision": N_("Countersigned"),
    "declined_decision": N_("Declined"),
}


def label(code: str) -> str:
    """The translated name of a contract status, kind, language or side."""
    message = LABELS.get(code)
    return _(message) if message else code


class ContractError(Exception):
    """A step the contract's state does not allow; the message is for the user (409)."""
