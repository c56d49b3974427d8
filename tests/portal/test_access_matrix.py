"""Every registered route, for every member of the cast, against DESIGN.md §2.

The expectations here are written from the design, not read from access.py:
who sees which organisations (SEES) and which role may do what (the rules below).
A row of an organisation the user may not see answers 404; a visible row with an
action the role lacks answers 403; anything else must not be refused. A route
added without an entry in ROUTES fails the completeness test, so none is missed.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from partner_portal.accounts.services import hash_secret
from partner_portal.accounts.tables import ApiToken
from partner_portal.catalog.tables import PriceList, Season, SizeScale, Style
from partner_portal.partners.tables import Contact, User
from tests.support import Cast, PortalClient

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
# The brand's merchandisers manage the catalog (DESIGN.md §2: brand_staff); KAMs read it.
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
    subject: str | None = (
        None  # partner, contact, user, token, style, price_list, season, size_scale
    )


ROUTES: dict[str, Route] = {
    "GET /partners": Route(anyone),
    "GET /partners/new": Route(only(PARTNER_EDITORS)),
    "POST /partners/new": Route(only(PARTNER_EDITORS)),
    "GET /partners/{partner_id:uuid}": Route(view_partner, "partner"),
    "GET /partners/{partner_id:uuid}/edit": Route(edit_partner, "partner"),
    "POST /partners/{partner_id:uuid}/edit": Route(edit_partner, "partner"),
    "GET /partners/{partner_id:uuid}/contacts/new": Route(manage_contacts, "partner"),
    "POST /partners/{partner_id:uuid}/contacts/new": Route(manage_contacts, "partner"),
    "POST /partners/{partner_id:uuid}/timeline": Route(log_interaction, "partner"),
    "POST /partners/{partner_id:uuid}/transfer": Route(transfer_partner, "partner"),
    "GET /partners/transfer": Route(only({"admin"})),
    "POST /partners/transfer": Route(only({"admin"})),
    "GET /partners/export.csv": Route(only(EXPORTERS)),
    "GET /contacts/export.csv": Route(only(EXPORTERS)),
    "GET /partners/import": Route(only({"admin"})),
    "POST /partners/import": Route(only({"admin"})),
    "GET /partners/import-template.csv": Route(only({"admin"})),
    "GET /contacts/{contact_id:uuid}/edit": Route(manage_contacts, "contact"),
    "POST /contacts/{contact_id:uuid}/edit": Route(manage_contacts, "contact"),
    "POST /contacts/{contact_id:uuid}/delete": Route(manage_contacts, "contact"),
    "GET /api/v1/partners": Route(anyone),
    "POST /api/v1/partners": Route(only(PARTNER_EDITORS)),
    "GET /api/v1/partners/{partner_id:uuid}": Route(view_partner, "partner"),
    "PATCH /api/v1/partners/{partner_id:uuid}": Route(edit_partner, "partner"),
    "GET /api/v1/partners/{partner_id:uuid}/contacts": Route(view_partner, "partner"),
    "POST /api/v1/partners/{partner_id:uuid}/contacts": Route(manage_contacts, "partner"),
    "GET /api/v1/contacts/{contact_id:uuid}": Route(view_partner, "contact"),
    "PATCH /api/v1/contacts/{contact_id:uuid}": Route(manage_contacts, "contact"),
    "DELETE /api/v1/contacts/{contact_id:uuid}": Route(manage_contacts, "contact"),
    "GET /users": Route(only(PEOPLE_MANAGERS)),
    "GET /users/invite": Route(only(PEOPLE_MANAGERS)),
    "POST /users/invite": Route(only(PEOPLE_MANAGERS)),
    "GET /users/{user_id:uuid}": Route(manage_user, "user"),
    "POST /users/{user_id:uuid}/deactivate": Route(manage_user, "user"),
    "POST /users/{user_id:uuid}/reactivate": Route(manage_user, "user"),
    "POST /users/{user_id:uuid}/new-link": Route(manage_user, "user"),
    "GET /users/{user_id:uuid}/edit": Route(edit_user, "user"),
    "POST /users/{user_id:uuid}/edit": Route(edit_user, "user"),
    "GET /audit": Route(only({"admin"})),
    # Tested against an active style, which every signed-in user may see.
    "GET /catalog/styles": Route(anyone),
    "GET /catalog/styles/new": Route(only(CATALOG_MANAGERS)),
    "POST /catalog/styles/new": Route(only(CATALOG_MANAGERS)),
    "GET /catalog/styles/{style_id:uuid}": Route(anyone, "style"),
    "GET /catalog/styles/{style_id:uuid}/edit": Route(only(CATALOG_MANAGERS), "style"),
    "POST /catalog/styles/{style_id:uuid}/edit": Route(only(CATALOG_MANAGERS), "style"),
    "GET /catalog/price-lists": Route(only(BRAND_MEMBERS)),
    "GET /catalog/price-lists/{price_list_id:uuid}/prices": Route(
        only(BRAND_MEMBERS), "price_list"
    ),
    "POST /catalog/price-lists/{price_list_id:uuid}/prices": Route(
        only(CATALOG_MANAGERS), "price_list"
    ),
    "GET /catalog/price-lists/new": Route(only(CATALOG_MANAGERS)),
    "POST /catalog/price-lists/new": Route(only(CATALOG_MANAGERS)),
    "GET /catalog/price-lists/{price_list_id:uuid}/edit": Route(
        only(CATALOG_MANAGERS), "price_list"
    ),
    "POST /catalog/price-lists/{price_list_id:uuid}/edit": Route(
        only(CATALOG_MANAGERS), "price_list"
    ),
    "GET /catalog/seasons": Route(only(CATALOG_MANAGERS)),
    "GET /catalog/seasons/new": Route(only(CATALOG_MANAGERS)),
    "POST /catalog/seasons/new": Route(only(CATALOG_MANAGERS)),
    "GET /catalog/seasons/{season_id:uuid}/edit": Route(only(CATALOG_MANAGERS), "season"),
    "POST /catalog/seasons/{season_id:uuid}/edit": Route(only(CATALOG_MANAGERS), "season"),
    "POST /catalog/seasons/{season_id:uuid}/collections": Route(only(CATALOG_MANAGERS), "season"),
    "GET /catalog/size-scales": Route(only(CATALOG_MANAGERS)),
    "GET /catalog/styles/export.csv": Route(only(CATALOG_MANAGERS)),
    "GET /catalog/prices/export.csv": Route(only(CATALOG_MANAGERS)),
    "GET /catalog/import-template.csv": Route(only(CATALOG_MANAGERS)),
    "GET /catalog/import": Route(only(CATALOG_MANAGERS)),
    "POST /catalog/import": Route(only(CATALOG_MANAGERS)),
    "GET /catalog/size-scales/new": Route(only(CATALOG_MANAGERS)),
    "POST /catalog/size-scales/new": Route(only(CATALOG_MANAGERS)),
    "GET /catalog/size-scales/{scale_id:uuid}/edit": Route(only(CATALOG_MANAGERS), "size_scale"),
    "POST /catalog/size-scales/{scale_id:uuid}/edit": Route(only(CATALOG_MANAGERS), "size_scale"),
    "GET /account": Route(anyone),
    "POST /account/preferences": Route(anyone),
    "GET /account/password": Route(anyone),
    "POST /account/password": Route(anyone),
    "GET /account/tokens": Route(anyone),
    "POST /account/tokens": Route(anyone),
    "POST /account/tokens/{token_id:uuid}/revoke": Route(on_token, "token"),
}
# Open to everyone, signed in or not.
PUBLIC = {
    "GET /",
    "GET /healthz",
    "GET /login",
    "POST /login",
    "POST /logout",
    "GET /set-password/{token:str}",
    "POST /set-password/{token:str}",
    "GET /schema",
    "GET /schema/openapi.json",
    "GET /schema/{path:str}",
    "GET /static/{file_path:path}",
}


def registered_routes() -> set[str]:
    from partner_portal.app import create_app

    app = create_app()
    return {
        f"{method} {route.path}"
        for route in app.routes
        for method in getattr(route, "methods", ())
        if method not in ("HEAD", "OPTIONS")
    }


def test_every_registered_route_has_an_expectation() -> None:
    routes = registered_routes()
    assert routes - PUBLIC - set(ROUTES) == set(), "add the new routes to ROUTES or PUBLIC"
    assert set(ROUTES) - routes == set(), "ROUTES names routes that no longer exist"


class Subjects:
    """One row of each kind per organisation, recreated when a request deleted or changed it."""

    def __init__(self, cast: Cast) -> None:
        self.cast = cast
        self.contacts: dict[str, Any] = {}
        self.users: dict[str, Any] = {}

    async def contact(self, organisation: str) -> Any:
        org = self.cast.organisations()[organisation]
        existing = self.contacts.get(organisation)
        if existing and await Contact.exists().where(Contact.uuid == existing):
            return existing
        row = (
            await Contact.insert(
                Contact(
                    organisation=org.id, name=f"联系人 {organisation}", created_at=datetime.now(UTC)
                )
            )
            .returning(Contact.uuid)
            .run()
        )
        self.contacts[organisation] = row[0]["uuid"]
        return row[0]["uuid"]

    async def user(self, organisation: str) -> Any:
        # A user nobody acts as, so deactivating them signs no actor out.
        if organisation not in self.users:
            org = self.cast.organisations()[organisation]
            role = {
                "brand": "brand_staff",
                "distributor_a": "distributor",
                "distributor_b": "distributor",
                "retailer_a": "retailer",
                "mill": "supplier",
                "bank": "group_client",
            }[organisation]
            row = (
                await User.insert(
                    User(
                        email=f"target@{organisation}.test",
                        display_name="Target",
                        role=role,
                        organisation=org.id,
                        created_at=datetime.now(UTC),
                    )
                )
                .returning(User.uuid)
                .run()
            )
            self.users[organisation] = row[0]["uuid"]
        await User.update({User.is_active: True}).where(User.uuid == self.users[organisation])
        return self.users[organisation]

    async def style(self) -> Any:
        """An active style (partner users see active styles only)."""
        from partner_portal.catalog import services as catalog

        if not hasattr(self, "_style"):
            season = await catalog.create_season(None, "SS27", "Spring/Summer 2027")
            scale = await catalog.create_size_scale(None, "ALPHA", "Alpha", "alpha", ["S", "M"])
            row = (
                await Style.insert(
                    Style(
                        code="SS27-MATRIX",
                        season=season,
                        category="shirts",
                        name_en="Matrix shirt",
                        size_scale=scale,
                        status="active",
                        created_at=datetime.now(UTC),
                        updated_at=datetime.now(UTC),
                    )
                )
                .returning(Style.uuid)
                .run()
            )
            self._style = row[0]["uuid"]
        return self._style

    async def season(self) -> Any:
        """The style's season (made with it)."""
        await self.style()
        row = await Season.select(Season.uuid).where(Season.code == "SS27").first()
        assert row is not None
        return row["uuid"]

    async def size_scale(self) -> Any:
        """The style's size scale, so it is in use."""
        await self.style()
        row = await SizeScale.select(SizeScale.uuid).where(SizeScale.code == "ALPHA").first()
        assert row is not None
        return row["uuid"]

    async def price_list(self) -> Any:
        from partner_portal.catalog import services as catalog

        if not hasattr(self, "_price_list"):
            list_id = await catalog.create_price_list(None, "CNY", "CNY", True, None)
            row = await PriceList.select(PriceList.uuid).where(PriceList.id == list_id).first()
            assert row is not None
            self._price_list = row["uuid"]
        return self._price_list

    async def token(self, owner: int) -> Any:
        now = datetime.now(UTC)
        row = (
            await ApiToken.insert(
                ApiToken(
                    user=owner,
                    name="matrix",
                    token_hash=hash_secret(secrets.token_hex(16)),
                    prefix="tl_matrix",
                    created_at=now - timedelta(minutes=1),
                )
            )
            .returning(ApiToken.uuid)
            .run()
        )
        return row[0]["uuid"]


def targets(subject: str | None) -> tuple[str | None, ...]:
    if subject in ("partner", "contact", "user"):
        return ORGANISATIONS
    if subject == "token":
        return ("own", "someone else's")
    return (None,)


async def request(client: PortalClient, method: str, url: str) -> int:
    if url.startswith("/api/"):
        body: dict[str, Any] = {"json": {}} if method in ("POST", "PATCH") else {}
        response = await client.request(
            method, url, headers={"x-csrftoken": await client.csrf_token()}, **body
        )
    elif method == "POST":
        response = await client.post_form(url, {})
    else:
        response = await client.get(url)
    return response.status_code


@pytest.mark.parametrize("route_key", sorted(ROUTES))
async def test_each_member_of_the_cast_gets_what_the_design_says(
    route_key: str, client: PortalClient, cast: Cast, frozen_clock: Any
) -> None:
    method, template = route_key.split(" ", 1)
    route = ROUTES[route_key]
    subjects = Subjects(cast)
    mismatches = []
    for member in MEMBERS:
        client.cookies.clear()
        if template.startswith("/api/"):
            # The API is used with bearer tokens; reads also accept the session cookie.
            from partner_portal.accounts.services import create_api_token, viewer_for_user_id

            token = await create_api_token(
                await viewer_for_user_id(cast.users[member].id), "matrix"
            )
            client.headers["Authorization"] = f"Bearer {token}"
        else:
            client.headers.pop("Authorization", None)
            await client.sign_in(cast.users[member])
        for target in targets(route.subject):
            url = template
            if route.subject == "partner":
                url = url.replace("{partner_id:uuid}", str(cast.organisations()[str(target)].uuid))
            elif route.subject == "contact":
                url = url.replace("{contact_id:uuid}", str(await subjects.contact(str(target))))
            elif route.subject == "user":
                url = url.replace("{user_id:uuid}", str(await subjects.user(str(target))))
            elif route.subject == "style":
                url = url.replace("{style_id:uuid}", str(await subjects.style()))
            elif route.subject == "price_list":
                url = url.replace("{price_list_id:uuid}", str(await subjects.price_list()))
            elif route.subject == "season":
                url = url.replace("{season_id:uuid}", str(await subjects.season()))
            elif route.subject == "size_scale":
                url = url.replace("{scale_id:uuid}", str(await subjects.size_scale()))
            elif route.subject == "token":
                owner = (
                    cast.users[member]
                    if target == "own"
                    else cast.users["admin" if member != "admin" else "kam"]
                )
                url = url.replace("{token_id:uuid}", str(await subjects.token(owner.id)))
            expected = route.rule(member, target)
            status = await request(client, method, url)
            refused = status in (401, 403, 404) or status >= 500
            if (expected == OK and refused) or (expected != OK and status != expected):
                mismatches.append(f"{member} on {target}: expected {expected}, got {status}")
    assert not mismatches, "\n".join(mismatches)


@pytest.mark.parametrize("route_key", sorted(ROUTES))
async def test_a_signed_out_visitor_is_asked_to_sign_in(
    route_key: str, client: PortalClient, cast: Cast
) -> None:
    method, template = route_key.split(" ", 1)
    url = (
        template.replace("{partner_id:uuid}", str(cast.distributor_a.uuid))
        .replace("{contact_id:uuid}", str(cast.distributor_a.uuid))
        .replace("{user_id:uuid}", str(cast.kam.uuid))
        .replace("{token_id:uuid}", str(cast.kam.uuid))
        .replace("{style_id:uuid}", str(cast.kam.uuid))
        .replace("{price_list_id:uuid}", str(cast.kam.uuid))
        .replace("{season_id:uuid}", str(cast.kam.uuid))
        .replace("{scale_id:uuid}", str(cast.kam.uuid))
    )
    status = await request(client, method, url)
    if template.startswith("/api/"):
        assert status == 401
    else:
        assert status == 303
