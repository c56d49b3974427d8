"""What a partner form or import names by reference, and how those references resolve:
the distributors a retailer may be attached to and the users who may own partners."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any
from uuid import UUID

from partner_portal import access
from partner_portal.access import Action, Viewer
from partner_portal.i18n import gettext as _
from partner_portal.partners.forms import OrganisationInput
from partner_portal.partners.tables import Organisation, OrganisationKind, Role, User

OWNER_ROLES = (Role.kam.value, Role.brand_admin.value)


@access.system_query("the brand's KAMs and admins who own partners, as choices")
async def owner_rows(include_inactive: bool) -> list[dict[str, Any]]:
    query = User.select(
        User.id, User.uuid, User.display_name, User.email, User.role, User.is_active
    ).where(
        User.role.is_in(list(OWNER_ROLES)),
        User.organisation._.kind == OrganisationKind.brand.value,
    )
    if not include_inactive:
        query = query.where(User.is_active == True)  # noqa: E712
    return await query.order_by(User.display_name)


@dataclass
class Choices:
    """Distributors the viewer may attach a retailer to, and users who may own partners."""

    distributors: list[dict[str, Any]]
    owners: list[dict[str, Any]]

    def distributor_id(self, reference: str) -> int | None:
        """A distributor by UUID, or by exact legal or English name (imports)."""
        return _find(self.distributors, reference, ("legal_name", "english_name"))

    def owner_id(self, reference: str) -> int | None:
        """An owner by UUID, or by e-mail (imports)."""
        return _find(self.owners, reference.lower(), ("email",))


def _find(rows: Sequence[dict[str, Any]], reference: str, names: Iterable[str]) -> int | None:
    reference = reference.strip()
    try:
        wanted = UUID(reference)
    except ValueError:
        matches = [row for row in rows if any(str(row[name]) == reference for name in names)]
        return matches[0]["id"] if len(matches) == 1 else None
    return next((row["id"] for row in rows if row["uuid"] == wanted), None)


async def form_choices(viewer: Viewer, current_owner_id: int | None = None) -> Choices:
    """The choices of the partner form; the partner's current owner stays a choice even
    after they left, so editing other fields does not drop the owner."""
    distributors = await (
        access.scoped(
            Organisation.select(
                Organisation.id,
                Organisation.uuid,
                Organisation.legal_name,
                Organisation.english_name,
            ),
            viewer,
        )
        .where(Organisation.kind == OrganisationKind.distributor.value)
        .order_by(Organisation.legal_name)
    )
    owners = [
        row
        for row in await owner_rows(include_inactive=True)
        if row["is_active"] or row["id"] == current_owner_id
    ]
    return Choices(distributors=distributors, owners=owners)


@dataclass(frozen=True)
class ResolvedOrganisation:
    """Validated input with its references turned into row ids."""

    values: OrganisationInput
    parent_distributor_id: int | None
    owner_id: int | None


def resolve_organisation(
    viewer: Viewer,
    values: OrganisationInput,
    choices: Choices,
    existing: access.VisibleOrganisation | None = None,
) -> tuple[ResolvedOrganisation | None, dict[str, str]]:
    """Check the rules that need the database: the parent distributor and the owner.

    Only a retailer has a parent distributor, and it must be one the viewer can see.
    A brand admin picks the owner (an active KAM or admin); a KAM's new partners are
    their own, and a KAM's edit keeps the owner (moving partners is a transfer).
    """
    errors: dict[str, str] = {}
    parent_id = None
    if values.parent_distributor:
        if values.kind != OrganisationKind.retailer.value:
            errors["parent_distributor"] = _("Only a retailer is served by a distributor.")
        else:
            parent_id = choices.distributor_id(values.parent_distributor)
            if parent_id is None:
                errors["parent_distributor"] = _("Choose one of the distributors in the list.")
    owner_id: int | None
    if viewer.can(Action.assign_partner_owner):
        owner_id = choices.owner_id(values.owner) if values.owner else None
        if values.owner and owner_id is None:
            errors["owner"] = _("The owner must be an active key-account manager.")
    elif existing is not None:
        owner_id = existing.owner
    else:
        owner_id = viewer.user_id if access.owns_partners_they_create(viewer) else None
    if errors:
        return None, errors
    return ResolvedOrganisation(values, parent_id, owner_id), {}
