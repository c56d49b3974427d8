"""Test helpers: the fixed cast of organisations and users, and a client that
signs in and sends the CSRF token like the portal's own pages do."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import cache
from pathlib import Path
from typing import Any

import httpx
import pytest

PASSWORD = "correct horse battery staple"


@cache
def _password_hash() -> str:
    from partner_portal.accounts.services import hash_password

    return hash_password(PASSWORD)


@dataclass
class Member:
    id: int
    uuid: Any
    email: str
    role: str
    organisation_id: int


@dataclass
class Org:
    id: int
    uuid: Any
    legal_name: str
    kind: str


@dataclass
class Demo:
    """The demo data (`threadline demo-data` with every plugin) in a test's database."""

    summary: str
    media_dir: Path


@dataclass
class Cast:
    """The brand, its staff, and partners of every kind (docs/ARCHITECTURE.md §12).

    kam_manager manages kam; kam owns distributor_a, retailer_a (served by
    distributor_a) and bank (a corporate client); other_kam owns distributor_b
    and mill (a fabric supplier). Users are attributes too: cast.kam, cast.supplier...
    """

    brand: Org
    distributor_a: Org
    distributor_b: Org
    retailer_a: Org
    mill: Org
    bank: Org
    users: dict[str, Member] = field(default_factory=dict)

    def __getattr__(self, name: str) -> Member:
        try:
            return self.__dict__["users"][name]
        except KeyError:
            raise AttributeError(name) from None

    def organisations(self) -> dict[str, Org]:
        return {
            "brand": self.brand,
            "distributor_a": self.distributor_a,
            "distributor_b": self.distributor_b,
            "retailer_a": self.retailer_a,
            "mill": self.mill,
            "bank": self.bank,
        }


async def _organisations(*rows: dict[str, Any]) -> list[Org]:
    """Insert organisations in one statement (the cast is built before almost every test)."""
    from partner_portal.partners.tables import Organisation

    now = datetime.now(UTC)
    inserted = (
        await Organisation.insert(
            *(Organisation(created_at=now, updated_at=now, status="active", **row) for row in rows)
        )
        .returning(Organisation.id, Organisation.uuid, Organisation.legal_name)
        .run()
    )
    by_name = {row["legal_name"]: row for row in inserted}
    return [
        Org(by_name[row["legal_name"]]["id"], by_name[row["legal_name"]]["uuid"],
            row["legal_name"], row["kind"])
        for row in rows
    ]  # fmt: skip


async def _users(*rows: tuple[str, str, Org, dict[str, Any]]) -> list[Member]:
    """Insert users, given as (email, role, organisation, other values), in one statement."""
    from partner_portal.partners.tables import User

    now = datetime.now(UTC)
    inserted = (
        await User.insert(
            *(
                User(
                    email=email,
                    display_name=values.get("display_name", email.split("@")[0]),
                    password_hash=_password_hash(),
                    role=role,
                    organisation=organisation.id,
                    created_at=now,
                    **{name: value for name, value in values.items() if name != "display_name"},
                )
                for email, role, organisation, values in rows
            )
        )
        .returning(User.id, User.uuid, User.email)
        .run()
    )
    by_email = {row["email"]: row for row in inserted}
    return [
        Member(by_email[email]["id"], by_email[email]["uuid"], email, role, organisation.id)
        for email, role, organisation, _ in rows
    ]


async def _user(email: str, role: str, organisation: Org, **values: Any) -> Member:
    (member,) = await _users((email, role, organisation, values))
    return member


async def demo_member(role: str) -> Member:
    """The demo user README lists for a role ("brand_staff", "distributor", ...)."""
    from partner_portal.demo import demo_logins
    from partner_portal.partners.tables import User

    email = next(login.email for login in demo_logins() if login.role == role)
    row = (
        await User.select(User.id, User.uuid, User.role, User.organisation)
        .where(User.email == email)
        .first()
    )
    assert row is not None, email
    return Member(row["id"], row["uuid"], email, row["role"], row["organisation"])


async def build_cast() -> Cast:
    from partner_portal.partners.tables import Organisation

    (brand,) = await _organisations(
        {"kind": "brand", "legal_name": "锦绣服饰有限公司", "english_name": "Jinxiu Apparel"}
    )
    # Inserted in the order the tests have always seen them (ids follow it).
    admin, kam_manager = await _users(
        ("admin@brand.test", "brand_admin", brand, {"display_name": "管理员"}),
        ("lead@brand.test", "kam", brand, {"display_name": "陈经理"}),
    )
    kam = await _user("kam@brand.test", "kam", brand, display_name="王小明", manager=kam_manager.id)
    other_kam, staff = await _users(
        ("other.kam@brand.test", "kam", brand, {"display_name": "김민준"}),
        ("staff@brand.test", "brand_staff", brand, {"display_name": "李娜"}),
    )
    distributor_a, distributor_b = await _organisations(
        {
            "kind": "distributor",
            "legal_name": "上海锦程贸易有限公司",
            "english_name": "Shanghai Jincheng Trading",
            "tier": "gold",
            "owner": kam.id,
        },
        {
            "kind": "distributor",
            "legal_name": "서울패션유통",
            "english_name": "Seoul Fashion Distribution",
            "country": "KR",
            "currency": "KRW",
            "language": "ko",
            "tier": "silver",
            "owner": other_kam.id,
        },
    )
    (retailer_a,) = await _organisations(
        {
            "kind": "retailer",
            "legal_name": "杭州衣尚店",
            "english_name": "Hangzhou Yishang Store",
            "parent_distributor": distributor_a.id,
            "owner": kam.id,
        }
    )
    mill, bank = await _organisations(
        {
            "kind": "fabric_supplier",
            "legal_name": "绍兴纺织有限公司",
            "english_name": "Shaoxing Textiles",
            "owner": other_kam.id,
        },
        {
            "kind": "group_client",
            "legal_name": "华东银行",
            "english_name": "East China Bank",
            "owner": kam.id,
        },
    )
    partner_users = await _users(
        ("buyer@jincheng.test", "distributor", distributor_a, {"is_org_admin": True}),
        ("colleague@jincheng.test", "distributor", distributor_a, {}),
        ("buyer@seoulfashion.test", "distributor", distributor_b, {"is_org_admin": True}),
        ("shop@yishang.test", "retailer", retailer_a, {"is_org_admin": True}),
        ("sales@shaoxing.test", "supplier", mill, {"is_org_admin": True}),
        ("hr@ecbank.test", "group_client", bank, {"is_org_admin": True}),
    )
    users = {
        "admin": admin,
        "kam_manager": kam_manager,
        "kam": kam,
        "other_kam": other_kam,
        "staff": staff,
        **dict(
            zip(
                ("distributor", "distributor_colleague", "other_distributor", "retailer",
                 "supplier", "client"),
                partner_users,
                strict=True,
            )
        ),
    }  # fmt: skip
    assert await Organisation.count() == 6
    return Cast(brand, distributor_a, distributor_b, retailer_a, mill, bank, users)


class PortalClient(httpx.AsyncClient):
    """An HTTP client on the app in this event loop, sending the CSRF token on unsafe requests."""

    @classmethod
    def for_app(cls, app: Any) -> PortalClient:
        return cls(transport=httpx.ASGITransport(app=app), base_url="http://testserver")

    async def csrf_token(self) -> str:
        if "csrftoken" not in self.cookies:
            await self.get("/login")
        return str(self.cookies["csrftoken"])

    async def post_form(
        self, url: str, data: dict[str, Any] | None = None, **kwargs: Any
    ) -> httpx.Response:
        """POST a form as a page would, with the CSRF token htmx sends as a header."""
        token = await self.csrf_token()
        headers = {"x-csrftoken": token, **kwargs.pop("headers", {})}
        return await self.post(url, data=data or {}, headers=headers, **kwargs)

    async def sign_in(self, member: Member) -> PortalClient:
        """Start a session straight in the database: as log_in, without the password check's cost."""
        import secrets
        from datetime import timedelta

        from partner_portal.accounts.services import hash_secret
        from partner_portal.accounts.tables import Session
        from partner_portal.web import SESSION_COOKIE

        token = secrets.token_urlsafe(32)
        now = datetime.now(UTC)
        await Session.insert(
            Session(
                token_hash=hash_secret(token),
                user=member.id,
                created_at=now,
                expires_at=now + timedelta(days=1),
            )
        ).run()
        self.cookies.set(SESSION_COOKIE, token)
        return self

    async def log_in(self, member: Member | str) -> PortalClient:
        email = member if isinstance(member, str) else member.email
        response = await self.post_form("/login", {"email": email, "password": PASSWORD})
        assert response.status_code == 303, response.text
        return self

    async def post_form_twice_at_once(
        self, url: str, data: dict[str, Any]
    ) -> tuple[httpx.Response, httpx.Response]:
        """The same form posted twice at the same moment, as a double click sends it."""
        token = await self.csrf_token()
        first, second = await asyncio.gather(
            self.post(url, data=data, headers={"x-csrftoken": token}),
            self.post(url, data=data, headers={"x-csrftoken": token}),
        )
        return first, second


def landed_on_one_page(*responses: httpx.Response) -> str:
    """Every response redirects (303) to the same page; returns that page."""
    assert {response.status_code for response in responses} == {303}, [
        response.text[:500] for response in responses
    ]
    locations = {response.headers["location"] for response in responses}
    assert len(locations) == 1, locations
    return locations.pop()


def problem_fields(response: httpx.Response, status: int = 400) -> dict[str, str]:
    """An API error answer's field errors as {field: code}, after checking that it is an
    RFC 9457 problem with the status, a title and a detail."""
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    problem = response.json()
    assert problem["status"] == status and problem["title"] and problem["detail"]
    return {error["field"]: error["code"] for error in problem.get("errors", [])}


def problem_messages(response: httpx.Response) -> dict[str, str]:
    """An API error answer's field errors as {field: message}."""
    return {error["field"]: error["message"] for error in response.json().get("errors", [])}


async def queries_during(
    call: Callable[[], Awaitable[Any]], monkeypatch: pytest.MonkeyPatch
) -> tuple[int, Any]:
    """How many queries ``call`` sends to the database, and what it returns."""
    from partner_portal.database import current_engine

    # Patched on the class: the PostgreSQL engine has slots, not an instance dict.
    engine_class = type(current_engine())
    original = engine_class.run_querystring
    count = 0

    async def counting(self: Any, *args: Any, **kwargs: Any) -> Any:
        nonlocal count
        count += 1
        return await original(self, *args, **kwargs)

    monkeypatch.setattr(engine_class, "run_querystring", counting)
    try:
        result = await call()
    finally:
        monkeypatch.setattr(engine_class, "run_querystring", original)
    return count, result


async def cursor_pages(
    client: PortalClient, path: str, size: int = 2, key: str = "id"
) -> list[list[str]]:
    """The item ids (or another field, ``key``) of each page of ``size`` of an API list,
    following next_cursor to the last page."""
    pages: list[list[str]] = []
    cursor = ""
    while True:
        answer = await client.get(path, params={"limit": size, "cursor": cursor})
        assert answer.status_code == 200, answer.text
        body: dict[str, Any] = answer.json()
        pages.append([item[key] for item in body["items"]])
        if body["next_cursor"] is None:
            return pages
        cursor = body["next_cursor"]


async def check_a_forged_cursor_is_refused_in_korean(client: PortalClient, path: str) -> None:
    """A cursor the API did not hand out is a 400 problem on the field ``cursor``, in the
    reader's language."""
    answer = await client.get(
        path, params={"cursor": "not-a-cursor"}, headers={"Accept-Language": "ko"}
    )
    assert problem_fields(answer) == {"cursor": "invalid"}
    assert answer.json()["title"] == "잘못된 요청"
    assert (
        problem_messages(answer)["cursor"] == "이전 페이지의 next_cursor를 받은 그대로 보내십시오."
    )
