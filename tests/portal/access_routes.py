"""The kernel's routes in the access matrix: partners, contacts, users, catalog, account."""

from __future__ import annotations

import secrets
from datetime import UTC, datetime, timedelta
from typing import Any

from partner_portal.accounts.services import hash_secret
from partner_portal.accounts.tables import ApiToken
from partner_portal.catalog.tables import PriceList, Season, SizeScale, Style
from partner_portal.partners.tables import Contact, User
from tests.access_matrix import (
    BRAND_MEMBERS,
    CATALOG_MANAGERS,
    EXPORTERS,
    ORGANISATIONS,
    PARTNER_EDITORS,
    PEOPLE_MANAGERS,
    Route,
    Subject,
    SubjectContext,
    anyone,
    edit_partner,
    edit_user,
    log_interaction,
    manage_contacts,
    manage_user,
    on_token,
    only,
    transfer_partner,
    view_partner,
)

ROUTES: dict[str, Route] = {
    "GET /partners": Route(anyone),
    "GET /partners/choices": Route(anyone),
    "GET /partners/new": Route(only(PARTNER_EDITORS)),
    "POST /partners/new": Route(only(PARTNER_EDITORS)),
    "GET /partners/{partner_id:uuid}": Route(view_partner, "partner"),
    "GET /partners/{partner_id:uuid}/edit": Route(edit_partner, "partner"),
    "POST /partners/{partner_id:uuid}/edit": Route(edit_partner, "partner"),
    "GET /partners/{partner_id:uuid}/contacts/new": Route(manage_contacts, "partner"),
    "POST /partners/{partner_id:uuid}/contacts/new": Route(manage_contacts, "partner"),
    "GET /partners/{partner_id:uuid}/log-call": Route(log_interaction, "partner"),
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
    "GET /api/v1/partners/{partner_id:uuid}/timeline": Route(view_partner, "partner"),
    "POST /api/v1/partners/{partner_id:uuid}/timeline": Route(log_interaction, "partner"),
    "PATCH /api/v1/partners/{partner_id:uuid}": Route(edit_partner, "partner"),
    "PUT /api/v1/partners/{partner_id:uuid}/external-ref": Route(edit_partner, "partner"),
    "GET /api/v1/partners/{partner_id:uuid}/contacts": Route(view_partner, "partner"),
    "POST /api/v1/partners/{partner_id:uuid}/contacts": Route(manage_contacts, "partner"),
    "GET /api/v1/contacts/{contact_id:uuid}": Route(view_partner, "contact"),
    "PATCH /api/v1/contacts/{contact_id:uuid}": Route(manage_contacts, "contact"),
    "DELETE /api/v1/contacts/{contact_id:uuid}": Route(manage_contacts, "contact"),
    "GET /users": Route(only(PEOPLE_MANAGERS)),
    "GET /api/v1/users": Route(only(PEOPLE_MANAGERS)),
    "GET /api/v1/users/{user_id:uuid}": Route(manage_user, "user"),
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
    "GET /readyz",
    "GET /login",
    "POST /login",
    "POST /logout",
    # The language of the pages seen before signing in: a cookie, nothing else.
    "GET /language/{locale:str}",
    "GET /set-password/{token:str}",
    "POST /set-password/{token:str}",
    "GET /schema",
    "GET /schema/openapi.json",
    "GET /schema/{path:str}",
    "GET /static/{file_path:path}",
    # The calendar feed: calendar apps cannot sign in; the secret is in the address.
    "GET /calendar-feed/{token:str}",
}


async def partner(context: SubjectContext, target: str | None) -> Any:
    return context.cast.organisations()[str(target)].uuid


async def contact(context: SubjectContext, target: str | None) -> Any:
    # Recreated when a request deleted it.
    key = f"contact:{target}"
    existing = context.cache.get(key)
    if existing and await Contact.exists().where(Contact.uuid == existing):
        return existing
    organisation = context.cast.organisations()[str(target)]
    row = (
        await Contact.insert(
            Contact(
                organisation=organisation.id,
                name=f"联系人 {target}",
                created_at=datetime.now(UTC),
            )
        )
        .returning(Contact.uuid)
        .run()
    )
    context.cache[key] = row[0]["uuid"]
    return row[0]["uuid"]


async def user(context: SubjectContext, target: str | None) -> Any:
    # A user nobody acts as, so deactivating them signs no actor out.
    key = f"user:{target}"
    if key not in context.cache:
        organisation = context.cast.organisations()[str(target)]
        role = {
            "brand": "brand_staff",
            "distributor_a": "distributor",
            "distributor_b": "distributor",
            "retailer_a": "retailer",
            "mill": "supplier",
            "bank": "group_client",
        }[str(target)]
        row = (
            await User.insert(
                User(
                    email=f"target@{target}.test",
                    display_name="Target",
                    role=role,
                    organisation=organisation.id,
                    created_at=datetime.now(UTC),
                )
            )
            .returning(User.uuid)
            .run()
        )
        context.cache[key] = row[0]["uuid"]
    await User.update({User.is_active: True}).where(User.uuid == context.cache[key])
    return context.cache[key]


async def style(context: SubjectContext, target: str | None) -> Any:
    """An active style (partner users see active styles only)."""
    from partner_portal.catalog import services as catalog

    if "style" not in context.cache:
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
        context.cache["style"] = row[0]["uuid"]
    return context.cache["style"]


async def season(context: SubjectContext, target: str | None) -> Any:
    """The style's season (made with it)."""
    await style(context, target)
    row = await Season.select(Season.uuid).where(Season.code == "SS27").first()
    assert row is not None
    return row["uuid"]


async def size_scale(context: SubjectContext, target: str | None) -> Any:
    """The style's size scale, so it is in use."""
    await style(context, target)
    row = await SizeScale.select(SizeScale.uuid).where(SizeScale.code == "ALPHA").first()
    assert row is not None
    return row["uuid"]


async def price_list(context: SubjectContext, target: str | None) -> Any:
    from partner_portal.catalog import services as catalog

    if "price_list" not in context.cache:
        list_id = await catalog.create_price_list(None, "CNY", "CNY", True, None)
        row = await PriceList.select(PriceList.uuid).where(PriceList.id == list_id).first()
        assert row is not None
        context.cache["price_list"] = row["uuid"]
    return context.cache["price_list"]


async def token(context: SubjectContext, target: str | None) -> Any:
    cast, member = context.cast, context.member
    owner = (
        cast.users[member]
        if target == "own"
        else cast.users["admin" if member != "admin" else "kam"]
    )
    now = datetime.now(UTC)
    row = (
        await ApiToken.insert(
            ApiToken(
                user=owner.id,
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


SUBJECTS = {
    "partner": Subject(partner, ORGANISATIONS),
    "contact": Subject(contact, ORGANISATIONS),
    "user": Subject(user, ORGANISATIONS),
    "style": Subject(style),
    "season": Subject(season),
    "size_scale": Subject(size_scale),
    "price_list": Subject(price_list),
    "token": Subject(token, ("own", "someone else's")),
}
