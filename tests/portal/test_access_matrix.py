"""Every registered route, for every member of the cast, against docs/ARCHITECTURE.md §2.

The routes and their expectations live beside each module's tests
(tests/<module>/access_routes.py: ROUTES, SUBJECTS, and for the kernel PUBLIC);
the vocabulary is tests/access_matrix.py. A route added without an entry fails
the completeness test, so none is missed.
"""

from __future__ import annotations

import re
import uuid
from typing import Any

import pytest

from tests.access_matrix import MEMBERS, OK, Subject, SubjectContext, collect_routes
from tests.support import Cast, PortalClient

PLACEHOLDER = re.compile(r"\{[a-z_]+:uuid\}")
ROUTES, SUBJECTS, PUBLIC = collect_routes()


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
    assert routes - PUBLIC - set(ROUTES) == set(), "add the new routes to an access_routes.py"
    assert set(ROUTES) - routes == set(), "ROUTES names routes that no longer exist"
    unknown = {route.subject for route in ROUTES.values()} - set(SUBJECTS) - {None}
    assert unknown == set(), "routes name subjects nobody defines"


async def request(client: PortalClient, method: str, url: str) -> int:
    if url.startswith("/api/"):
        body: dict[str, Any] = {"json": {}} if method in ("POST", "PATCH", "PUT") else {}
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
    subject = SUBJECTS[route.subject] if route.subject else Subject(_no_row)
    cache: dict[str, Any] = {}
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
        context = SubjectContext(cast, member, cache)
        for target in subject.targets:
            url = template
            if route.subject:
                url = PLACEHOLDER.sub(str(await subject.make(context, target)), url, count=1)
            expected = route.rule(member, target)
            status = await request(client, method, url)
            refused = status in (401, 403, 404) or status >= 500
            if (expected == OK and refused) or (expected != OK and status != expected):
                mismatches.append(f"{member} on {target}: expected {expected}, got {status}")
    assert not mismatches, "\n".join(mismatches)


async def _no_row(context: SubjectContext, target: str | None) -> Any:
    return None


@pytest.mark.parametrize("route_key", sorted(ROUTES))
async def test_a_signed_out_visitor_is_asked_to_sign_in(
    route_key: str, client: PortalClient
) -> None:
    method, template = route_key.split(" ", 1)
    url = PLACEHOLDER.sub(str(uuid.uuid4()), template)
    status = await request(client, method, url)
    if template.startswith("/api/"):
        assert status == 401
    else:
        assert status == 303
