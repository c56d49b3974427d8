"""The main menu and the start page, for every member of the cast: each sees the entries
its role may use (the kernel and every module register theirs), in the reader's language,
the current one marked."""

from __future__ import annotations

import re

from partner_portal.partners.tables import User
from tests.access_matrix import MEMBERS
from tests.support import Cast, PortalClient

MENU_LINK = re.compile(r'<a href="([^"]+)"\s*(aria-current="page")?\s*>([^<]+)</a>')

BRAND_MENU = [
    ("Agenda", "/agenda"),
    ("Partners", "/partners"),
    ("Orders", "/orders"),
    ("Line sheets", "/line-sheets"),
    ("Catalog", "/catalog/styles"),
    ("Stock", "/stock"),
    ("Health", "/insights"),
    ("Purchasing", "/suppliers/forecast"),
    ("Reorder forecast", "/suppliers/reorders"),
    ("Group orders", "/group-orders"),
    ("Sales and service", "/sales/opportunities"),
    ("Contracts", "/contracts"),
]
# KAMs do not keep the catalog, so neither the stock page nor purchasing is theirs; nor is
# the reorder forecast (every buyer's orders of a style, other KAMs' partners' too).
KAM_MENU = [
    entry for entry in BRAND_MENU if entry[0] not in ("Purchasing", "Stock", "Reorder forecast")
]
# Orders and line sheets come first after partners: a phone shows the first three.
DISTRIBUTOR_MENU = [
    ("Partners", "/partners"),
    ("Orders", "/orders"),
    ("Line sheets", "/line-sheets"),
    ("Catalog", "/catalog/styles"),
    ("Deals and service", "/sales/cases"),
    ("Contracts", "/contracts"),
]
USERS = ("Users", "/users")
# Organisation admins connect their systems (webhooks).
WEBHOOKS = ("Webhooks", "/webhooks")
MENUS = {
    "admin": [*BRAND_MENU, WEBHOOKS, USERS, ("Audit log", "/audit")],
    "staff": BRAND_MENU,
    "kam": KAM_MENU,
    "kam_manager": KAM_MENU,
    "other_kam": KAM_MENU,
    # Organisation admins invite their colleagues; the colleague does not.
    "distributor": [*DISTRIBUTOR_MENU, WEBHOOKS, USERS],
    "distributor_colleague": DISTRIBUTOR_MENU,
    "other_distributor": [*DISTRIBUTOR_MENU, WEBHOOKS, USERS],
    "retailer": [*DISTRIBUTOR_MENU, WEBHOOKS, USERS],
    "supplier": [
        ("Partners", "/partners"),
        ("Catalog", "/catalog/styles"),
        ("Purchasing", "/suppliers/forecast"),
        ("Contracts", "/contracts"),
        WEBHOOKS,
        USERS,
    ],
    "client": [
        ("Partners", "/partners"),
        ("Orders", "/orders"),
        ("Catalog", "/catalog/styles"),
        ("Group orders", "/group-orders"),
        ("Deals and service", "/sales/cases"),
        ("Contracts", "/contracts"),
        WEBHOOKS,
        USERS,
    ],
}
BRAND_MEMBERS = {"admin", "staff", "kam", "kam_manager", "other_kam"}


def menu(html: str) -> list[tuple[str, str, bool]]:
    """(label, address, marked current) of each main menu entry."""
    nav = html.split('<nav class="mainnav"', 1)[1].split("</nav>", 1)[0]
    return [(label.strip(), href, bool(current)) for href, current, label in MENU_LINK.findall(nav)]


async def test_each_member_of_the_cast_sees_the_menu_of_their_role(
    client: PortalClient, cast: Cast
) -> None:
    seen = {}
    for member in MEMBERS:
        client.cookies.clear()
        await client.sign_in(cast.users[member])
        seen[member] = [
            (label, href) for label, href, _ in menu((await client.get("/partners")).text)
        ]
    assert seen == MENUS


async def test_the_start_page_is_the_agenda_for_the_brand_and_what_needs_them_for_partners(
    client: PortalClient, cast: Cast
) -> None:
    for member in MEMBERS:
        client.cookies.clear()
        await client.sign_in(cast.users[member])
        response = await client.get("/")
        if member in BRAND_MEMBERS:
            assert (member, response.headers["location"]) == (member, "/agenda")
        else:
            assert (member, response.status_code) == (member, 200)
            assert "What needs you now" in response.text


async def test_the_menu_marks_the_area_of_the_page(client: PortalClient, cast: Cast) -> None:
    await client.sign_in(cast.admin)
    for path, current in [
        ("/partners", "Partners"),
        ("/follow-ups/new", "Agenda"),
        ("/catalog/seasons", "Catalog"),
        ("/distributors/rules", "Line sheets"),
        ("/sales/cases", "Sales and service"),
        ("/suppliers/materials", "Purchasing"),
        ("/users", "Users"),
    ]:
        page = await client.get(path)
        assert page.status_code == 200, path
        marked = [label for label, _href, is_current in menu(page.text) if is_current]
        assert (path, marked) == (path, [current])


async def test_the_menu_is_in_the_readers_language(client: PortalClient, cast: Cast) -> None:
    await User.update({User.locale: "zh_Hans"}).where(User.id == cast.distributor.id)
    await client.sign_in(cast.distributor)
    labels = [label for label, _href, _current in menu((await client.get("/partners")).text)]
    assert labels[:4] == ["合作伙伴", "订单", "订货单", "商品目录"]


def test_the_layout_names_no_module() -> None:
    from pathlib import Path

    layout = (Path(__file__).resolve().parents[2] / "templates" / "base.html").read_text()
    module_marks = ["Action", "/agenda", "/line-sheets", "/insights", "/suppliers", "/group-orders"]
    module_marks += ["/sales", "/contracts", "/orders", "/catalog", "/users", "/audit"]
    assert [mark for mark in module_marks if mark in layout] == []
