"""What happens to a contract that its parties hear of (partner_portal/events): the kinds
of event the contracts module records, their messages, and ``record``, the one way its
services record them."""

from __future__ import annotations

from typing import Any

from contracts.records import ContractRecord
from partner_portal import messages
from partner_portal.access import Viewer
from partner_portal.events import services as events
from partner_portal.i18n import N_
from partner_portal.registries import EventKind

ISSUED = EventKind("contract.issued", N_("A contract is sent for signature"))
ACCEPTED = EventKind("contract.accepted", N_("A partner accepts a contract"))
COUNTERSIGNED = EventKind("contract.countersigned", N_("The brand countersigns a contract"))
DECLINED = EventKind("contract.declined", N_("A contract is declined"))
EXPIRING = EventKind("contract.expiring", N_("A contract enters its notice period"))

KINDS = (ISSUED, ACCEPTED, COUNTERSIGNED, DECLINED, EXPIRING)

ISSUED_MESSAGE = N_("Contract %(number)s (%(title)s) version %(version)s was sent for signature")
ACCEPTED_MESSAGE = N_("Contract %(number)s (%(title)s) was accepted by %(signer)s")
COUNTERSIGNED_MESSAGE = N_("Contract %(number)s (%(title)s) was countersigned by %(signer)s")
DECLINED_MESSAGE = N_("Contract %(number)s (%(title)s) was declined: %(reason)s")
EXPIRING_MESSAGE = N_("Contract %(number)s (%(title)s) ends on %(end)s: its notice period began")


async def record(
    viewer: Viewer | None,
    kind: EventKind,
    contract: ContractRecord,
    message: str,
    **params: Any,
) -> None:
    """Tell the contract's partner, its KAM and the brand users following either what
    happened; call inside the transaction of the change (``viewer`` None: the system)."""
    await events.record_event(
        viewer,
        kind.type,
        organisation_id=contract.organisation,
        object_kind="contract",
        object_uuid=contract.uuid,
        message=message,
        params={"number": contract.number, "title": contract.title, **params},
        link=f"/contracts/{contract.uuid}",
        payload={
            "number": contract.number,
            "kind": contract.kind,
            **messages.plain_params(params),
        },
    )
