"""Domain events: one row per thing that happened (an order submitted, a PO
acknowledged...), written in the same transaction as the change. The event is the one
source of the notifications it causes (services.record_event fans it out at once) and
the outbox a webhook delivery reads later: it carries everything a receiver needs."""

from __future__ import annotations

import uuid

from piccolo.columns import (
    JSON,
    UUID,
    ForeignKey,
    OnDelete,
    Serial,
    Timestamptz,
    Varchar,
)
from piccolo.table import Table

from partner_portal.partners.tables import Organisation, User


class DomainEvent(Table, tablename="domain_event"):
    id: Serial  # increasing: a reader of the outbox continues after the last id it took
    uuid = UUID(default=uuid.uuid4, unique=True, index=True)
    type = Varchar(length=60, index=True)  # "order.submitted": <object kind>.<what happened>
    # The partner organisation the event is about (the buyer of an order, the supplier of
    # a PO, the client of a campaign): its users and its KAM hear of it.
    organisation = ForeignKey(Organisation, on_delete=OnDelete.cascade, index=True)
    # Whose user caused it (None: the system, a job).
    actor_organisation = ForeignKey(
        Organisation, null=True, default=None, on_delete=OnDelete.set_null
    )
    actor = ForeignKey(User, null=True, default=None, on_delete=OnDelete.set_null)
    object_kind = Varchar(length=40)  # "order", "purchase_order", "contract"...
    object_uuid = UUID(null=True, default=None, index=True)
    link = Varchar(length=300, default="")  # the object's page, from the site's root
    # What people read, rendered in each reader's language (partner_portal/messages.py).
    message = Varchar(length=300)
    params = JSON(default="{}")
    # What a machine reads: the object's public facts (ids, numbers, statuses, totals).
    payload = JSON(default="{}")
    created_at = Timestamptz(index=True)


class Following(Table, tablename="following"):
    """A brand user who asked to hear of a partner's or one object's events.

    ``user_subject`` is "<user id>:<organisation id or object uuid>", unique."""

    id: Serial
    user = ForeignKey(User, on_delete=OnDelete.cascade, index=True)
    organisation = ForeignKey(
        Organisation, null=True, default=None, on_delete=OnDelete.cascade, index=True
    )
    object_uuid = UUID(null=True, default=None, index=True)
    user_subject = Varchar(length=100, unique=True)
    created_at = Timestamptz()
