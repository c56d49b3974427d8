"""The partner list: filters, paging, the export of partners and contacts, and the
choices its filters offer. Visibility comes from partner_portal.access."""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qsl, urlencode
from uuid import UUID

from piccolo.querystring import QueryString

from partner_portal import access, regions
from partner_portal.access import Viewer
from partner_portal.database import after_position, list_parameter, one_of, one_of_sql
from partner_portal.inputs import MAX_PAGE, field_text, whole_number
from partner_portal.partners import forms, search
from partner_portal.partners.choices import owner_rows
from partner_portal.partners.tables import (
    Address,
    Contact,
    Organisation,
    OrganisationKind,
    Territory,
)

PAGE_SIZE = 50


# ---------------------------------------------------------------------------
# The list


@dataclass(frozen=True)
class PartnerFilters:
    """What the list is narrowed to; also the query string the list remembers."""

    q: str = ""
    kind: str = ""
    tier: str = ""
    territory: str = ""
    status: str = ""
    owner: str = ""
    page: int = 1
    # Keyset paging (the API): the partners after this (legal name, id), ``limit`` of them.
    after: tuple[str, int] | None = None
    limit: int | None = None

    FILTER_NAMES = ("q", "kind", "tier", "territory", "status", "owner")

    @classmethod
    def from_query(cls, params: Mapping[str, Any]) -> PartnerFilters:
        """Filters from request query parameters; unknown values are dropped, not errors."""

        def text(name: str, limit: int = 100) -> str:
            return field_text(params, name, limit)

        page = whole_number(text("page"), minimum=1, maximum=MAX_PAGE) or 1
        kind = text("kind")
        tier = text("tier")
        status = text("status")
        owner = text("owner")
        try:
            owner = str(UUID(owner)) if owner else ""
        except ValueError:
            owner = ""
        return cls(
            q=text("q", search.MAX_QUERY),
            kind=kind if kind in forms.PARTNER_KINDS else "",
            tier=tier if tier in {"platinum", "gold", "silver", "standard"} else "",
            # A region by its code or its name (杭州 finds CN-ZJ-HZ: regions.py).
            territory=(regions.resolve(text("territory", 100)) or text("territory", 10).upper())[
                :10
            ],
            status=status if status in {"prospect", "active", "dormant", "churned"} else "",
            owner=owner,
            page=page,
        )

    @classmethod
    def from_query_string(cls, query_string: str) -> PartnerFilters:
        return cls.from_query(dict(parse_qsl(query_string)))

    def query_string(self, page: int | None = None) -> str:
        """The filters as a query string (without the page unless given)."""
        pairs = [(name, getattr(self, name)) for name in self.FILTER_NAMES if getattr(self, name)]
        if page and page > 1:
            pairs.append(("page", str(page)))
        return urlencode(pairs)

    @property
    def active(self) -> bool:
        return any(getattr(self, name) for name in self.FILTER_NAMES)


@dataclass
class PartnerPage:
    rows: list[dict[str, Any]]
    total: int
    page: int
    filters: PartnerFilters

    @property
    def pages(self) -> int:
        return max(1, math.ceil(self.total / PAGE_SIZE))

    @property
    def has_previous(self) -> bool:
        return self.page > 1

    @property
    def has_next(self) -> bool:
        return self.page < self.pages


def _partner_query(query: Any, viewer: Viewer, filters: PartnerFilters) -> Any:
    """A query on Organisation narrowed to visible partners matching the filters."""
    query = access.scoped(query, viewer).where(Organisation.kind != OrganisationKind.brand.value)
    if filters.q:
        # Names, English names, tax ids and contacts' names and e-mails (partners/search.py).
        query = query.where(search.partner_condition(filters.q))
    if filters.kind:
        query = query.where(Organisation.kind == filters.kind)
    if filters.tier:
        query = query.where(Organisation.tier == filters.tier)
    if filters.status:
        query = query.where(Organisation.status == filters.status)
    if filters.owner:
        query = query.where(Organisation.owner._.uuid == UUID(filters.owner))
    if filters.territory:
        # A bare country code (CN) matches every region of the country; a region matches
        # under any of its codes and with the regions inside it (CN-31 finds CN-SH, CN-ZJ
        # finds a partner holding Hangzhou, CN-ZJ-HZ: regions.py).
        code = filters.territory
        region = (
            Territory.region_code.like(f"{code}-%")
            if len(code) == 2
            else Territory.region_code.is_in(regions.within(code))
        )
        query = query.where(
            Organisation.id.is_in(Territory.select(Territory.organisation).where(region))
        )
    return query


_LIST_COLUMNS = (
    Organisation.id,
    Organisation.uuid,
    Organisation.legal_name,
    Organisation.english_name,
    Organisation.kind,
    Organisation.country,
    Organisation.tax_id,
    Organisation.tier,
    Organisation.status,
    Organisation.owner._.display_name.as_alias("owner_name"),
    Organisation.owner._.email.as_alias("owner_email"),
    Organisation.parent_distributor._.legal_name.as_alias("parent_name"),
)


# One page with its total and each partner's contact figures in a single round trip.
# The visibility filter and the search stay Piccolo's (from _partner_query); only the
# wrapping is SQL, because building five Piccolo queries cost more than running them.
# The main contact's id is picked beside the page's rows (PostgreSQL works it out for the
# page's 50 only, after the LIMIT) and the contact joined by that id: joined on the
# subquery itself, PostgreSQL hashed every contact of every partner for each page.
_PAGE_SQL = """
SELECT p.*,
       (SELECT COUNT(*) FROM contact c WHERE c.organisation = p.id) AS contact_count,
       pc.name AS primary_name, pc.phone AS primary_phone, pc.wechat_id AS primary_wechat_id
FROM (SELECT q.*, COUNT(*) OVER () AS total_count,
             (SELECT MIN(c.id) FROM contact c
              WHERE c.organisation = q.id AND c.is_primary = {}) AS primary_id
      FROM ({}) q
      ORDER BY q.legal_name, q.id LIMIT {} OFFSET {}) p
LEFT JOIN contact pc ON pc.id = p.primary_id
ORDER BY p.legal_name, p.id
"""


async def list_partners(viewer: Viewer, filters: PartnerFilters) -> PartnerPage:
    """One page (50) of the partners the viewer may see, sorted by name.

    The brand itself is not a partner. Two queries whatever the page size: the page
    (with the total, owner and parent names, contact count and main contact) and the
    territories of its partners.
    """
    query = _partner_query(Organisation.select(*_LIST_COLUMNS), viewer, filters)
    if filters.limit is not None:
        return await _keyset_page(query, filters, filters.limit)
    inner = query.querystrings[0]
    page = filters.page
    rows = await _page_rows(inner, page)
    if not rows and page > 1:
        # Past the end (the list shrank since the link was made): show the last page.
        total = await _partner_query(Organisation.count(), viewer, filters)
        page = max(1, math.ceil(total / PAGE_SIZE))
        rows = await _page_rows(inner, page)
    total = rows[0]["total_count"] if rows else 0
    await _attach_territories(rows)
    return PartnerPage(rows=rows, total=total, page=page, filters=filters)


async def _keyset_page(query: Any, filters: PartnerFilters, limit: int) -> PartnerPage:
    """The ``limit`` partners after ``filters.after`` in the list's order (name, id), and
    one more, which tells the caller there is a next page (the API's cursor paging)."""
    if filters.after is not None:
        query = query.where(
            after_position((Organisation.legal_name, Organisation.id), filters.after)
        )
    rows = await _page_rows(query.querystrings[0], 1, limit + 1)
    await _attach_territories(rows)
    return PartnerPage(
        rows=rows, total=rows[0]["total_count"] if rows else 0, page=1, filters=filters
    )


@access.checked_by_caller("runs the scoped partner query its caller built")
async def _page_rows(inner: QueryString, page: int, size: int = PAGE_SIZE) -> list[dict[str, Any]]:
    rows = await Organisation.raw(_PAGE_SQL, True, inner, size, (page - 1) * size)
    for row in rows:
        if isinstance(row["uuid"], str):  # SQLite does not type a subquery's columns
            row["uuid"] = UUID(row["uuid"])
        row["primary_contact"] = (
            {
                "name": row["primary_name"],
                "phone": row["primary_phone"],
                "wechat_id": row["primary_wechat_id"],
            }
            if row["primary_name"] is not None
            else None
        )
    return rows  # type: ignore[no-any-return]


@access.checked_by_caller("territories of the partners its caller listed through scoped")
async def _attach_territories(rows: list[dict[str, Any]]) -> None:
    by_id = {row["id"]: row for row in rows}
    for row in rows:
        row["territories"] = []
    if not rows:
        return
    territories = await Territory.raw(
        "SELECT organisation, region_code FROM territory "
        f"WHERE {one_of_sql('organisation')} ORDER BY region_code",
        list_parameter(by_id),
    )
    for territory in territories:
        by_id[territory["organisation"]]["territories"].append(territory["region_code"])


async def list_all_partners(viewer: Viewer, filters: PartnerFilters) -> list[dict[str, Any]]:
    """Every visible partner matching the filters (no paging), for the CSV export."""
    rows = await _partner_query(
        Organisation.select(*Organisation.all_columns(), *_LIST_COLUMNS[9:]), viewer, filters
    ).order_by(Organisation.legal_name, Organisation.id)
    ids = [row["id"] for row in rows]
    by_id = {row["id"]: row for row in rows}
    for row in rows:
        row.update(territories=[], address=None)
    if ids:
        for territory in await Territory.select(
            Territory.organisation, Territory.region_code
        ).where(one_of(Territory.organisation, ids)):
            by_id[territory["organisation"]]["territories"].append(territory["region_code"])
        for address in await (
            Address.select(*Address.all_columns())
            .where(one_of(Address.organisation, ids))
            .order_by(Address.id)
        ):
            # The first address (usually the office) goes in the row.
            if by_id[address["organisation"]]["address"] is None:
                by_id[address["organisation"]]["address"] = address
    return rows


async def list_all_contacts(viewer: Viewer, filters: PartnerFilters) -> list[dict[str, Any]]:
    """The contacts of every visible partner matching the filters, for the CSV export."""
    partners = _partner_query(Organisation.select(Organisation.id), viewer, filters)
    return await (
        Contact.select(
            *Contact.all_columns(),
            Contact.organisation.legal_name.as_alias("partner_name"),
            Contact.organisation.uuid.as_alias("partner_uuid"),
        )
        .where(Contact.organisation.is_in(partners))
        .order_by(Contact.organisation.legal_name, Contact.name)
    )


async def filter_choices(viewer: Viewer) -> dict[str, Any]:
    """What the filter form offers: kinds, tiers, statuses, and owners for brand users."""
    owners = await owner_rows(include_inactive=False) if viewer.is_brand else []
    return {
        "kinds": forms.PARTNER_KINDS,
        "tiers": ("platinum", "gold", "silver", "standard"),
        "statuses": ("prospect", "active", "dormant", "churned"),
        "owners": owners,
    }
