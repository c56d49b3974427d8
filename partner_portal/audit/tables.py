from __future__ import annotations

from piccolo.columns import JSON, ForeignKey, OnDelete, Serial, Text, Timestamptz, Varchar
from piccolo.columns.column_types import UUID
from piccolo.table import Table

from partner_portal.partners.tables import Organisation, User


class AuditEntry(Table, tablename="audit_entry"):
    """One change to a shared record: who, when, from where, and the values before and after."""

    id: Serial
    occurred_at = Timestamptz(index=True)
    actor = ForeignKey(User, null=True, on_delete=OnDelete.set_null, index=True)
    # Kept as text too, so the entry still reads right after the user is gone.
    actor_label = Varchar(length=254, default="")
    ip_address = Varchar(length=64, default="")
    entity_kind = Varchar(length=40, index=True)
    entity_uuid = UUID(null=True, default=None, index=True)
    # The organisation the record belongs to, for filtering and for access.
    organisation = ForeignKey(Organisation, null=True, on_delete=OnDelete.set_null, index=True)
    action = Varchar(length=40)
    # A line saying what happened: as written (a record's name), or, when the portal words
    # it, in English here for searches, with the message id and parameters it is read from
    # in each reader's language (partner_portal/messages.py).
    summary = Text(default="")
    summary_message = Text(default="")
    summary_params = JSON(default="{}")
    changes = JSON(default="{}")
