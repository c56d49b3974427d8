"""A NUL byte, a 22-digit number or a superscript digit in any parameter of any route gets
an answer, never a 500.

Every route of the access matrix is tried as an anonymous visitor and as a member of the
cast the matrix lets in. The parameters are discovered, not listed by hand: the query
parameters of the handler's signature; the fields of the filter forms and the query keys
of the links on the route's own page; the fields of every form posting to the route (on
its own page, the pages above it, or the page a refused post re-renders); the fields of
an API route's JSON body type; and the path's text placeholders. Each is sent alone with
a NUL byte, with a number no 64-bit column holds and with "²", the rest of a form
keeping the values the page filled in.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Awaitable, Callable, Iterator
from functools import cache
from html.parser import HTMLParser
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, quote, urlencode, urlsplit

import msgspec
import pytest

from tests.access_matrix import MEMBERS, OK, Route, Subject, SubjectContext, collect_routes
from tests.support import Cast, PortalClient

NUL = "a\x00b"
HUGE = "1234567890123456789012"
# str.isdigit() says yes, int() says no: the end of many an `int(text) if text.isdigit()`.
SUPERSCRIPT_TWO = "²"
HOSTILE = (NUL, HUGE, SUPERSCRIPT_TWO)
UUID_PLACEHOLDER = re.compile(r"\{[a-z_]+:uuid\}")
TEXT_PLACEHOLDER = re.compile(r"\{[a-z_]+:(?:str|path)\}")
# Handler parameters Litestar fills itself (not from the query string).
RESERVED = {"request", "scope", "state", "headers", "cookies", "query", "body", "socket", "data"}
ROUTES, SUBJECTS, PUBLIC = collect_routes()
EVERY_ROUTE = sorted(set(ROUTES) | PUBLIC)


async def _no_row(context: SubjectContext, target: str | None) -> Any:
    return None


# Public routes whose address holds a secret: how to make a valid one, so their forms show.
async def _group_link(context: SubjectContext) -> str:
    from tests.group_orders.support import add_people, make_campaign, make_uniform, token_for

    campaign = await make_campaign(context.cast, await make_uniform())
    (person,) = await add_people(campaign, ("E1", "王小明", "零售"))
    return token_for(campaign, person, context.cache["secret_key"])


async def _invitation(context: SubjectContext) -> str:
    from partner_portal.accounts.services import create_invitation
    from partner_portal.settings import load_settings

    return await create_invitation(load_settings(), context.cast.retailer.id, None)


async def _calendar_feed(context: SubjectContext) -> str:
    from partner_portal.accounts.services import viewer_for_user_id
    from scheduler.feeds import rotate_feed

    return await rotate_feed(await viewer_for_user_id(context.cast.kam.id))


async def _survey(context: SubjectContext) -> str:
    import secrets
    from datetime import timedelta

    from insights.tables import Survey
    from partner_portal.accounts.services import hash_secret
    from partner_portal.clock import utcnow
    from partner_portal.orders.tables import Order

    order_uuid = await SUBJECTS["submitted_order"].make(context, "distributor_a")
    order = await Order.select(Order.id, Order.buyer).where(Order.uuid == order_uuid).first()
    assert order is not None
    token = secrets.token_urlsafe(24)
    await Survey.insert(
        Survey(
            order=order["id"],
            organisation=order["buyer"],
            token_hash=hash_secret(token),
            sent_at=utcnow(),
            expires_at=utcnow() + timedelta(days=30),
        )
    ).run()
    return token


VALID_SECRETS: dict[str, Callable[[SubjectContext], Awaitable[str]]] = {
    "/g/{token:str}": _group_link,
    "/set-password/{token:str}": _invitation,
    "/calendar-feed/{token:str}": _calendar_feed,
    "/survey/{token:str}": _survey,
}


# ---------------------------------------------------------------------------
# What a page offers: its forms (fields and the values it filled in) and its links


@dataclasses.dataclass
class Form:
    method: str
    action: str
    multipart: bool
    values: dict[str, str] = dataclasses.field(default_factory=dict)
    names: list[str] = dataclasses.field(default_factory=list)


class PageReader(HTMLParser):
    """The forms of an HTML page and the addresses its links and htmx attributes name."""

    def __init__(self, page_url: str) -> None:
        super().__init__(convert_charrefs=True)
        self.page_url = page_url
        self.forms: list[Form] = []
        self.links: list[str] = []
        self._form: Form | None = None
        self._textarea: str | None = None
        self._pressed_button = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = {name: value or "" for name, value in attrs}
        for link_attribute in ("href", "hx-get", "hx-post", "action"):
            if link_attribute in attributes:
                self.links.append(attributes[link_attribute])
        if tag == "form":
            self._form = Form(
                method=(attributes.get("method") or "get").lower(),
                action=attributes.get("action") or self.page_url,
                multipart="multipart" in attributes.get("enctype", ""),
            )
            self.forms.append(self._form)
            self._pressed_button = False
            return
        form = self._form
        name = attributes.get("name")
        if form is None or not name:
            return
        if name not in form.names:
            form.names.append(name)
        kind = attributes.get("type", "text").lower()
        if tag == "input" and kind in ("checkbox", "radio"):
            if "checked" in attributes:
                form.values[name] = attributes.get("value", "on")
        elif tag == "input" and kind == "file":
            pass
        elif (tag == "input" and kind in ("submit", "image")) or tag == "button":
            # The first named button is the one a person presses (intent=save...).
            if not self._pressed_button and kind != "button":
                form.values[name] = attributes.get("value", "")
                self._pressed_button = True
        elif tag == "input":
            form.values[name] = attributes.get("value", "")
        elif tag == "textarea":
            self._textarea = name
            form.values[name] = ""

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.handle_starttag(tag, attrs)

    def handle_data(self, data: str) -> None:
        if self._form is not None and self._textarea:
            self._form.values[self._textarea] += data

    def handle_endtag(self, tag: str) -> None:
        if tag == "form":
            self._form = None
        elif tag == "textarea":
            self._textarea = None


class OptionReader(HTMLParser):
    """The chosen option of each <select>: the selected one, else the first."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.chosen: dict[str, str] = {}
        self._select: str | None = None
        self._selected: set[str] = set()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = {name: value or "" for name, value in attrs}
        if tag == "select":
            self._select = attributes.get("name") or None
        elif tag == "option" and self._select:
            value = attributes.get("value", "")
            if self._select not in self.chosen or (
                "selected" in attributes and self._select not in self._selected
            ):
                self.chosen[self._select] = value
                if "selected" in attributes:
                    self._selected.add(self._select)

    def handle_endtag(self, tag: str) -> None:
        if tag == "select":
            self._select = None


def read_page(url: str, html: str) -> PageReader:
    reader = PageReader(url)
    reader.feed(html)
    options = OptionReader()
    options.feed(html)
    for form in reader.forms:
        for name, value in options.chosen.items():
            if name in form.names and name not in form.values:
                form.values[name] = value
    return reader


def path_of(address: str) -> str:
    return urlsplit(address).path


def one_of_each(names: list[str]) -> list[str]:
    """One field per kind: q-101 and q-102 (cells of a grid) are tried once."""
    seen: set[str] = set()
    chosen = []
    for name in names:
        shape = re.sub(r"[0-9a-f]{8}-[0-9a-f-]{27}|\d+", "#", name)
        if shape not in seen:
            seen.add(shape)
            chosen.append(name)
    return chosen


# ---------------------------------------------------------------------------
# What a route reads


def handler_of(app: Any, method: str, template: str) -> Any:
    for route in app.routes:
        if route.path == template:
            for handler in getattr(route, "route_handlers", ()):
                if method in handler.http_methods:
                    return handler
    raise LookupError(f"{method} {template}")


def signature_query_names(app: Any, method: str, template: str) -> list[str]:
    """The query parameters a handler declares (FromQuery and the like)."""
    handler = handler_of(app, method, template)
    path_names = set(re.findall(r"\{([a-z_]+):", template))
    dependencies = set(handler.resolve_dependencies())
    names = []
    for name, parameter in handler.parsed_fn_signature.parameters.items():
        if name in RESERVED or name in path_names or name in dependencies:
            continue
        alias = getattr(parameter.kwarg_definition, "query", None)
        if getattr(parameter.kwarg_definition, "header", None) or getattr(
            parameter.kwarg_definition, "cookie", None
        ):
            continue
        names.append(alias or name)
    return names


def json_body_fields(app: Any, method: str, template: str) -> list[str]:
    """The fields of an API route's JSON body type (a struct or dataclass)."""
    handler = handler_of(app, method, template)
    parameter = handler.parsed_fn_signature.parameters.get("data")
    if parameter is None:
        return []
    annotation = parameter.annotation
    if isinstance(annotation, type) and issubclass(annotation, msgspec.Struct):
        return [field.encode_name for field in msgspec.structs.fields(annotation)]
    if dataclasses.is_dataclass(annotation):
        return [field.name for field in dataclasses.fields(annotation)]
    return []


# ---------------------------------------------------------------------------
# The test


@dataclasses.dataclass
class Attempt:
    who: str
    method: str
    url: str
    where: str
    value: str
    status: int

    def __str__(self) -> str:
        return f"{self.who}: {self.method} {self.url} {self.where}={self.value!r} -> {self.status}"


async def send(
    client: PortalClient,
    method: str,
    url: str,
    form: dict[str, str] | None = None,
    *,
    multipart: bool = False,
    json: Any = None,
) -> int:
    headers = {"x-csrftoken": await client.csrf_token()}
    if json is not None:
        response = await client.request(method, url, json=json, headers=headers)
    elif method == "GET":
        response = await client.get(url)
    elif multipart:
        response = await client.request(
            method,
            url,
            data=form or {},
            files={"__empty": ("", b"", "application/octet-stream")},
            headers=headers,
        )
    else:
        response = await client.request(method, url, data=form or {}, headers=headers)
    return response.status_code


async def page_of(client: PortalClient, url: str) -> PageReader | None:
    response = await client.get(url)
    if response.status_code != 200 or "text/html" not in response.headers.get("content-type", ""):
        return None
    return read_page(url, response.text)


def with_query(url: str, name: str, value: str) -> str:
    parts = urlsplit(url)
    query = [(key, item) for key, item in parse_qsl(parts.query) if key != name]
    query.append((name, value))
    return f"{parts.path}?{urlencode(query)}"


def permitted(route: Route, subject: Subject) -> Iterator[tuple[str, str | None]]:
    """(member, target) pairs the matrix lets in, the first one first."""
    for target in subject.targets:
        for member in MEMBERS:
            if route.rule(member, target) == OK:
                yield member, target


async def sign_in_as(client: PortalClient, cast: Cast, member: str | None, api: bool) -> None:
    from partner_portal.accounts.services import create_api_token, viewer_for_user_id

    client.cookies.clear()
    client.headers.pop("Authorization", None)
    if member is None:
        return
    if api:
        viewer = await viewer_for_user_id(cast.users[member].id)
        client.headers["Authorization"] = f"Bearer {await create_api_token(viewer, 'hostile')}"
    else:
        await client.sign_in(cast.users[member])


TEMPLATES = Path(__file__).resolve().parents[2] / "templates"
JINJA_EXPRESSION = re.compile(r"\{\{.*?\}\}")
JINJA_STATEMENT = re.compile(r"\{%.*?%\}")
ROUTE_PLACEHOLDER = re.compile(r"\{[a-z_]+:[a-z]+\}")


@cache
def template_forms() -> list[tuple[str, list[str], bool]]:
    """(action shape, field names, multipart) of every form posting somewhere in the
    templates: the fields of forms a page shows only in some states (a shipment form on
    a submitted order...). A Jinja expression in an action is ``*``, in a name ``1``."""
    found = []
    for path in TEMPLATES.rglob("*.html"):
        text = path.read_text()
        for attributes, body in re.findall(r"<form\b([^>]*)>(.*?)</form>", text, re.S):
            if 'method="post"' not in attributes:
                continue
            names = [
                JINJA_EXPRESSION.sub("1", name) for name in re.findall(r'\bname="([^"]+)"', body)
            ]
            # Where the form posts, and where htmx posts it while it is filled in.
            for action in re.findall(r'\b(?:action|hx-post)="([^"]*)"', attributes):
                shape = JINJA_EXPRESSION.sub("*", JINJA_STATEMENT.sub("", action))
                found.append((shape.split("?")[0], names, "multipart" in attributes))
    return found


def forms_in_templates(template: str) -> list[Form]:
    shape = ROUTE_PLACEHOLDER.sub("*", template)
    return [
        Form("post", shape, multipart, names=list(dict.fromkeys(names)))
        for action, names, multipart in template_forms()
        if action == shape and names
    ]


async def forms_posting_to(client: PortalClient, url: str, method: str) -> list[Form]:
    """The forms that post to ``url``: on its own page, the pages above it, or what an
    empty post re-renders."""
    target = path_of(url)
    pages = []
    parts = target.rstrip("/").split("/")
    for depth in range(len(parts), 1, -1):
        page = await page_of(client, "/".join(parts[:depth]))
        if page is not None:
            pages.append(page)
    response = await client.request(
        method, url, data={}, headers={"x-csrftoken": await client.csrf_token()}
    )
    if "text/html" in response.headers.get("content-type", ""):
        pages.append(read_page(url, response.text))
    found = []
    for page in pages:
        for form in page.forms:
            if form.method == "post" and path_of(form.action) == target:
                found.append(form)
    return found


@dataclasses.dataclass
class Plan:
    """Where a route reads its input: found once, then tried by each visitor."""

    method: str
    template: str
    url: str
    query_names: list[str]
    forms: list[Form]
    json_fields: list[str]


async def discover(
    client: PortalClient, app: Any, route_key: str, url: str, page_ready: bool
) -> Plan:
    method, template = route_key.split(" ", 1)
    is_api = template.startswith("/api/")
    query_names = set(signature_query_names(app, method, template))
    forms: list[Form] = []
    if page_ready and method == "GET" and not is_api:
        page = await page_of(client, url)
        if page is not None:
            for form in page.forms:
                if form.method == "get" and path_of(form.action) == path_of(url):
                    query_names |= set(form.names)
            for link in page.links:
                if path_of(link) == path_of(url):
                    query_names |= {key for key, _ in parse_qsl(urlsplit(link).query)}
    elif page_ready and method != "GET" and not is_api:
        forms = await forms_posting_to(client, url, method)
        # Forms the page does not show now: their fields, with the values of a shown one.
        shown = {name for form in forms for name in form.names}
        for form in forms_in_templates(template):
            unseen = [name for name in form.names if name not in shown]
            if unseen:
                values = forms[0].values if forms else {}
                forms.append(Form("post", url, form.multipart, dict(values), unseen))
    json_fields = json_body_fields(app, method, template) if is_api and method != "GET" else []
    return Plan(method, template, url, one_of_each(sorted(query_names)), forms, json_fields)


async def attack(client: PortalClient, plan: Plan, who: str) -> list[Attempt]:
    """Send each parameter of the plan alone with each hostile value."""
    method, url = plan.method, plan.url
    results: list[Attempt] = []

    async def attempt(where: str, value: object, call: Awaitable[int], target_url: str) -> None:
        results.append(Attempt(who, method, target_url, where, str(value), await call))

    # Text placeholders of the path (secrets in addresses, file names).
    for placeholder in TEXT_PLACEHOLDER.findall(plan.template):
        for value in HOSTILE:
            hostile_url = plan.template.replace(placeholder, quote(value, safe=""))
            await attempt("path", value, send(client, method, hostile_url), hostile_url)
    for name in plan.query_names:
        for value in HOSTILE:
            hostile_url = with_query(url, name, value)
            await attempt(f"?{name}", value, send(client, method, hostile_url), hostile_url)
    for form in plan.forms:
        action_query = urlsplit(form.action).query
        post_url = url + (f"?{action_query}" if action_query else "")
        for name in one_of_each(form.names):
            for value in HOSTILE:
                data = {**form.values, name: value}
                call = send(client, method, post_url, data, multipart=form.multipart)
                await attempt(name, value, call, post_url)
    for name in plan.json_fields:
        json_values: tuple[str | int, ...] = (NUL, HUGE, int(HUGE))
        for json_value in json_values:
            call = send(client, method, url, json={name: json_value})
            await attempt(f"json.{name}", json_value, call, url)
    if not plan.forms and not plan.json_fields and method != "GET":
        for value in HOSTILE:
            await attempt("form", value, send(client, method, url, {"q": value}), url)
    return results


@pytest.mark.parametrize("route_key", EVERY_ROUTE)
async def test_no_route_answers_a_nul_byte_or_a_number_it_cannot_read_with_a_server_error(
    route_key: str, app: Any, client: PortalClient, cast: Cast, settings: Any, frozen_clock: Any
) -> None:
    template = route_key.split(" ", 1)[1]
    is_api = template.startswith("/api/")
    route = ROUTES.get(route_key)
    subject = SUBJECTS[route.subject] if route and route.subject else Subject(_no_row)
    # The member the matrix lets in (none for public routes) finds the route's parameters.
    member, target = next(
        iter(permitted(route, subject) if route else ()), (None, subject.targets[0])
    )
    context = SubjectContext(cast, member or MEMBERS[0], {"secret_key": settings.secret_key})
    await sign_in_as(client, cast, member, is_api)
    url = template
    if route is not None and route.subject:
        url = UUID_PLACEHOLDER.sub(str(await subject.make(context, target)), url, count=1)
    secret_maker = VALID_SECRETS.get(template)
    if secret_maker is not None:
        url = TEXT_PLACEHOLDER.sub(await secret_maker(context), url)
    plan = await discover(client, app, route_key, url, not TEXT_PLACEHOLDER.search(url))
    attempts = await attack(client, plan, member or "anonymous")
    if member is not None:
        await sign_in_as(client, cast, None, is_api)
        attempts += await attack(client, plan, "anonymous")
    failures = [str(attempt) for attempt in attempts if attempt.status >= 500]
    assert not failures, "\n".join(failures)
    nul_accepted = [
        str(attempt) for attempt in attempts if attempt.value == NUL and attempt.status != 400
    ]
    assert not nul_accepted, "a NUL byte is refused with 400:\n" + "\n".join(nul_accepted)
