"""The partner picker of forms (a follow-up's, an opportunity's, a case's, a contract's
partner): a menu of every partner the viewer sees when they are few; past MENU_LIMIT a
search field (the partner list's search, partners/search.py) that brings at most
MENU_LIMIT matching partners. Either way the form posts the partner's UUID under its own
field name, and the form's service checks it as before.

The choices are the partners (not the brand) the viewer sees through the access policy,
optionally of some kinds only; the route ``GET /partners/choices`` answers the search
field as it is typed in (htmx), and a form page given ``?partner_q=`` without JavaScript.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any, ClassVar
from urllib.parse import urlencode
from uuid import UUID

from piccolo.query.methods.select import Select

from partner_portal import access, inputs
from partner_portal.access import Viewer
from partner_portal.database import one_of_text
from partner_portal.partners import search
from partner_portal.partners.tables import Organisation, OrganisationKind
from partner_portal.statements import Parameter, Prepared

# Past this many partners a menu is a search field; the order list's buyer filter and the
# agenda's partner filter take their limit from here.
MENU_LIMIT = 40
# What the search field is called, in a form page's query string and in the route's.
QUERY_FIELD = "partner_q"


@dataclass(frozen=True)
class PartnerPicker:
    """What the picker macro draws: ``menu`` (every partner, few enough) or, past
    MENU_LIMIT, ``matches`` of the search text ``query``; ``chosen``, the partner the form
    names (a re-rendered form keeps it shown)."""

    menu: list[dict[str, Any]] | None
    matches: list[dict[str, Any]]
    chosen: dict[str, Any] | None
    query: str
    kinds: tuple[str, ...]
    query_field: ClassVar[str] = QUERY_FIELD
    query_limit: ClassVar[int] = search.MAX_QUERY

    @property
    def route(self) -> str:
        """Where the search field asks for matches as it is typed in."""
        return "/partners/choices?" + urlencode([("kind", kind) for kind in self.kinds])


# Every kind of partner: the brand is nobody's partner.
PARTNER_KINDS = tuple(kind.value for kind in OrganisationKind if kind != OrganisationKind.brand)


def partners(viewer: Viewer, kinds: Iterable[str] | Parameter = ()) -> Select:
    """The partners of these kinds (every kind for none) the viewer sees, by name."""
    chosen = kinds if isinstance(kinds, Parameter) else (tuple(kinds) or PARTNER_KINDS)
    return (
        access.scoped(
            Organisation.select(Organisation.uuid, Organisation.legal_name, Organisation.kind),
            viewer,
        )
        .where(one_of_text(Organisation.kind, chosen))
        .order_by(Organisation.legal_name)
    )


@Prepared
def _first_partners(viewer: Viewer) -> Select:
    return partners(viewer, Parameter("kinds")).limit(MENU_LIMIT + 1)


@Prepared
def _named_partner(viewer: Viewer) -> Select:
    return (
        partners(viewer, Parameter("kinds")).where(Organisation.uuid == Parameter("uuid")).limit(1)
    )


async def menu(viewer: Viewer, kinds: Iterable[str] = ()) -> list[dict[str, Any]]:
    """The first MENU_LIMIT partners of these kinds the viewer sees, and one more when
    there are more (then a search field instead): every form's and filter's menu."""
    return await _first_partners.rows(viewer, kinds=tuple(kinds) or PARTNER_KINDS)


def query_text(query: Mapping[str, Any]) -> str:
    """The search text a request carries (bounded like the partner list's search box)."""
    return inputs.field_text(query, QUERY_FIELD, search.MAX_QUERY)


def known_kinds(kinds: Iterable[str]) -> tuple[str, ...]:
    """The partner kinds among ``kinds`` (a hand-made query string may hold anything)."""
    partner_kinds = {kind.value for kind in OrganisationKind} - {OrganisationKind.brand.value}
    return tuple(kind for kind in kinds if kind in partner_kinds)


async def matching(viewer: Viewer, text: str, kinds: Iterable[str] = ()) -> list[dict[str, Any]]:
    """At most MENU_LIMIT partners the viewer sees whose search text holds ``text``."""
    if not text:
        return []
    query = partners(viewer, kinds).where(search.partner_condition(text))
    return list(await query.limit(MENU_LIMIT))


async def chosen_partner(
    viewer: Viewer, chosen: object, kinds: Iterable[str] = ()
) -> dict[str, Any] | None:
    """The partner ``chosen`` (a UUID's text) names, if the viewer sees it."""
    try:
        chosen_uuid = UUID(str(chosen or ""))
    except ValueError:
        return None
    return await _named_partner.first(viewer, kinds=tuple(kinds) or PARTNER_KINDS, uuid=chosen_uuid)


async def partner_picker(
    viewer: Viewer, chosen: object, query: str = "", kinds: Iterable[str] = ()
) -> PartnerPicker:
    """The picker for a form whose partner field holds ``chosen`` (a UUID's text, or
    nothing): a menu when the viewer sees MENU_LIMIT partners or fewer (one query); else
    the partners matching ``query`` and the chosen one, if the viewer sees it."""
    kinds = known_kinds(kinds)
    rows = await menu(viewer, kinds)
    if len(rows) <= MENU_LIMIT:
        return PartnerPicker(menu=rows, matches=[], chosen=None, query="", kinds=kinds)
    named = await chosen_partner(viewer, chosen, kinds)
    found = [row for row in await matching(viewer, query, kinds) if row != named]
    return PartnerPicker(menu=None, matches=found, chosen=named, query=query, kinds=kinds)
