"""The shared vocabulary of the access matrix (tests/portal/test_access_matrix.py).

The expectations are written from docs/ARCHITECTURE.md §2, not read from access.py: who sees
which organisations (SEES) and which role may do what. Each module lists its routes
in tests/<module>/access_routes.py as ROUTES (route key -> Route) and, for rows of
its own, SUBJECTS (subject name -> Subject: how to make the row a URL points at).
A row of an organisation the user may not see answers 404; a visible row with an
action the role lacks answers 403; anything else must not be refused.
"""

from __future__ import annotations

import importlib
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from tests.support import Cast

OK = "ok"
ORGANISATIONS = ("brand", "distributor_a", "distributor_b", "retailer_a", "mill", "bank")
EVERYONE_BRAND = frozenset(ORGANISATIONS)
SEES: dict[str, frozenset[str]] = {
    "admin": EVERYONE_BRAND,
    "staff": EVERYONE_BRAND,
    # KAMs: their own organisation and the partners they own; a manager also the team's.
    "kam": frozenset({"brand", "distributor_a", "retailer_a", "bank"}),
    "kam_manager": frozenset({"brand", "distributor_a", "retailer_a", "bank"}),
    "other_kam": frozenset({"brand", "distributor_b", "mill"}),
    # A distributor: itself and the retailers it serves; other partners: themselves.
    "distributor": frozenset({"distributor_a", "retailer_a"}),
    "distributor_colleague": frozenset({"distributor_a", "retailer_a"}),
    "other_distributor": frozenset({"distributor_b"}),
    "retailer": frozenset({"retailer_a"}),
    "supplier": frozenset({"mill"}),
    "client": frozenset({"bank"}),
}
MEMBERS = tuple(SEES)
HOME = {
    "admin": "brand",
    "staff": "brand",
    "kam": "brand",
    "kam_manager": "brand",
    "other_kam": "brand",
    "distributor": "distributor_a",
    "distributor_colleague": "distributor_a",
    "other_distributor": "distributor_b",
    "retailer": "retailer_a",
    "supplier": "mill",
    "client": "bank",
}
KAMS = frozenset({"kam", "kam_manager", "other_kam"})
BRAND_MEMBERS = frozenset({"admin", "staff"}) | KAMS
PARTNER_EDITORS = frozenset({"admin"}) | KAMS
TIMELINE_WRITERS = PARTNER_EDITORS | {"staff"}
EXPORTERS = PARTNER_EDITORS | {"staff"}
ORGANISATION_ADMINS = frozenset(
    {"distributor", "other_distributor", "retailer", "supplier", "client"}
)
PEOPLE_MANAGERS = frozenset({"admin"}) | ORGANISATION_ADMINS
# The brand's merchandisers manage the catalog (docs/ARCHITECTURE.md §2: brand_staff); KAMs read it.
CATALOG_MANAGERS = frozenset({"admin", "staff"})

Rule = Callable[[str, str | None], int | str]


def anyone(member: str, target: str | None) -> int | str:
    return OK


def only(allowed: frozenset[str] | set[str]) -> Rule:
    """A page with no row: the role may use it or gets 403."""
    return lambda member, target: OK if member in allowed else 403


def on_partner(may: Callable[[str, str], bool]) -> Rule:
    """A page about an organisation: 404 unless visible, then 403 unless the role may."""

    def rule(member: str, target: str | None) -> int | str:
        assert target is not None
        if target not in SEES[member]:
            return 404
        return OK if may(member, target) else 403

    return rule


def may_manage_contacts(member: str, target: str) -> bool:
    # The brand's editors anywhere they see; a partner's users on their own organisation only.
    return member in PARTNER_EDITORS or (member not in BRAND_MEMBERS and HOME[member] == target)


def on_user(may: Callable[[str, str], bool]) -> Rule:
    """A page about a user of ``target``: brand admins see all users, everyone else their own organisation's."""

    def rule(member: str, target: str | None) -> int | str:
        assert target is not None
        if member != "admin" and HOME[member] != target:
            return 404
        return OK if may(member, target) else 403

    return rule


def on_token(member: str, target: str | None) -> int | str:
    return OK if target == "own" else 404


view_partner = on_partner(lambda member, target: True)
edit_partner = on_partner(lambda member, target: member in PARTNER_EDITORS)
manage_contacts = on_partner(may_manage_contacts)
log_interaction = on_partner(lambda member, target: member in TIMELINE_WRITERS)
transfer_partner = on_partner(lambda member, target: member == "admin")
manage_user = on_user(lambda member, target: member in PEOPLE_MANAGERS)
edit_user = on_user(lambda member, target: member == "admin")


@dataclass(frozen=True)
class Route:
    rule: Rule
    # The subject whose row the URL's {...:uuid} placeholder names (a key of some SUBJECTS).
    subject: str | None = None


@dataclass
class SubjectContext:
    """What a subject factory gets: the cast, who is asking, and a cache kept for one test."""

    cast: Cast
    member: str
    cache: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Subject:
    """How to make (or find) the row a route is tested against, for each target.

    ``make(context, target)`` returns the row's UUID; ``targets`` are the organisations
    (or other labels) the route is tried on, each passed to ``rule`` and ``make``.
    """

    make: Callable[[SubjectContext, str | None], Awaitable[Any]]
    targets: tuple[str | None, ...] = (None,)


TESTS = Path(__file__).resolve().parent


def collect_routes() -> tuple[dict[str, Route], dict[str, Subject], set[str]]:
    """Every module's ROUTES and SUBJECTS, and the routes open to everyone (PUBLIC)."""
    routes: dict[str, Route] = {}
    subjects: dict[str, Subject] = {}
    public: set[str] = set()
    for path in sorted(TESTS.glob("*/access_routes.py")):
        module = importlib.import_module(f"tests.{path.parent.name}.access_routes")
        for key in module.ROUTES:
            assert key not in routes, f"{key} is listed twice"
        routes.update(module.ROUTES)
        for name in getattr(module, "SUBJECTS", {}):
            assert name not in subjects, f"subject {name} is defined twice"
        subjects.update(getattr(module, "SUBJECTS", {}))
        # Routes open to everyone, signed in or not (login, employee and survey links...).
        public |= set(getattr(module, "PUBLIC", ()))
    return routes, subjects, public
