"""Sixteen writers at once against the real server (issue 14: the database under concurrency).

    .venv/bin/python bench/concurrent_writes.py [--seconds 60] [--server-workers 1]
        [--database-url URL]

Eight signed-in people write timeline notes through the pages (the form's CSRF token
sent as htmx sends it) and follow the redirect to the partner page, which must show the
note just saved; eight API clients create order drafts with bearer tokens and read each
one back. Every answer is counted by route and status; afterwards every write the server
acknowledged is looked up in the database. The script appends the counts to
bench/RESULTS.md; tests/portal/test_concurrent_writes.py runs the same load for a few
writes per writer on both databases.

The database is a copy made for the run (`threadline migrate`, then `demo-data`), so the
notes and drafts written here stay out of every other database. On PostgreSQL the named
database is emptied and filled the same way: use one of your own.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
import time
import uuid
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

REQUEST_TIMEOUT_SECONDS = 30


@dataclass(frozen=True)
class NoteWriter:
    """A signed-in person (their cookies: session and CSRF) writing notes on one partner."""

    cookies: dict[str, str]
    partner_uuid: str


@dataclass(frozen=True)
class DraftWriter:
    """An API client creating drafts for one buyer, each with one line."""

    token: str
    buyer_uuid: str
    line: dict[str, Any]


@dataclass
class WriteLoad:
    """What the writers saw."""

    answers: Counter[tuple[str, int]] = field(default_factory=Counter)  # (route, status)
    # Answers no writer should get (5xx, or a refusal of valid input), with their start.
    unexpected: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)  # summaries of notes the server saved
    drafts: list[str] = field(default_factory=list)  # ids of drafts the server saved
    # A page or read right after a save that did not show the row just saved.
    missing_after_save: list[str] = field(default_factory=list)
    seconds: float = 0.0

    @property
    def server_errors(self) -> int:
        return sum(count for (_, status), count in self.answers.items() if status >= 500)


async def write_concurrently(
    base_url: str,
    note_writers: list[NoteWriter],
    draft_writers: list[DraftWriter],
    writes_each: int | None = None,
    seconds: float | None = None,
) -> WriteLoad:
    """Run every writer at once: ``writes_each`` writes each, or until ``seconds`` passed."""
    if writes_each is None and seconds is None:
        raise ValueError("bound the load: writes_each or seconds")
    load = WriteLoad()
    deadline = time.monotonic() + seconds if seconds is not None else None

    def more(done: int) -> bool:
        if writes_each is not None and done >= writes_each:
            return False
        return deadline is None or time.monotonic() < deadline

    async def write_notes(number: int, writer: NoteWriter) -> None:
        async with httpx.AsyncClient(
            base_url=base_url, cookies=writer.cookies, timeout=REQUEST_TIMEOUT_SECONDS
        ) as client:
            done = 0
            while more(done):
                done += 1
                summary = f"load note {number}-{done} {uuid.uuid4().hex[:12]}"
                saved = await client.post(
                    f"/partners/{writer.partner_uuid}/timeline",
                    data={"kind": "note", "summary": summary},
                    headers={"x-csrftoken": writer.cookies["csrftoken"]},
                )
                if not _expected(load, "POST timeline note", saved, 303):
                    continue
                load.notes.append(summary)
                page = await client.get(saved.headers["location"])
                if _expected(load, "GET partner page after the note", page, 200) and (
                    summary not in page.text
                ):
                    load.missing_after_save.append(f"note {summary!r} not on the page after save")

    async def write_drafts(number: int, writer: DraftWriter) -> None:
        async with httpx.AsyncClient(
            base_url=base_url,
            headers={"Authorization": f"Bearer {writer.token}"},
            timeout=REQUEST_TIMEOUT_SECONDS,
        ) as client:
            done = 0
            while more(done):
                done += 1
                created = await client.post(
                    "/api/v1/orders",
                    json={
                        "buyer": writer.buyer_uuid,
                        "lines": [writer.line],
                        "customer_po": f"LOAD-{number}-{done}",
                    },
                )
                if not _expected(load, "POST /api/v1/orders", created, 201):
                    continue
                draft = created.json()["id"]
                load.drafts.append(draft)
                read = await client.get(f"/api/v1/orders/{draft}")
                if read.status_code == 404:
                    load.missing_after_save.append(f"draft {draft} answered 404 right after save")
                _expected(load, "GET /api/v1/orders/<id> after save", read, 200)

    started = time.monotonic()
    await asyncio.gather(
        *(write_notes(number, writer) for number, writer in enumerate(note_writers)),
        *(write_drafts(number, writer) for number, writer in enumerate(draft_writers)),
    )
    load.seconds = time.monotonic() - started
    return load


def _expected(load: WriteLoad, route: str, response: httpx.Response, status: int) -> bool:
    load.answers[route, response.status_code] += 1
    if response.status_code == status:
        return True
    load.unexpected.append(f"{route}: {response.status_code} {response.text[:200]}")
    return False


async def rows_not_found(load: WriteLoad) -> list[str]:
    """The acknowledged writes the database does not have (read in this process)."""
    from partner_portal.orders.tables import Order
    from partner_portal.partners.tables import TimelineEntry

    found_notes: set[str] = set()
    found_drafts: set[str] = set()
    if load.notes:
        rows = await TimelineEntry.select(TimelineEntry.summary).where(
            TimelineEntry.summary.is_in(load.notes)
        )
        found_notes = {row["summary"] for row in rows}
    if load.drafts:
        rows = await Order.select(Order.uuid).where(
            Order.uuid.is_in([uuid.UUID(draft) for draft in load.drafts])
        )
        found_drafts = {str(row["uuid"]) for row in rows}
    return [f"note {note!r}" for note in load.notes if note not in found_notes] + [
        f"draft {draft}" for draft in load.drafts if draft not in found_drafts
    ]


# --------------------------------------------------------------------------- the script

NOTE_WRITER_ROLES = ("brand_admin", "kam (manager)", "kam", "brand_staff")
# Buyers' own tokens (their e-mail from demo_logins) and the brand admin's, for them.
DRAFT_BUYER_ROLES = ("distributor", "retailer", "group_client")
CANDIDATE_LINES = 40


async def prepare_tokens(base_url: str) -> list[DraftWriter]:
    """Eight API clients: each demo buyer's own token and brand tokens ordering for them,
    each with a line that buyer can order (probed through the API: one draft each)."""
    from partner_portal.accounts.services import create_api_token, viewer_for_user_id
    from partner_portal.catalog.tables import Sku
    from partner_portal.demo import demo_logins
    from partner_portal.partners.tables import User

    logins = demo_logins()
    admin_email = next(login.email for login in logins if login.role == "brand_admin")
    buyers = [login.email for login in logins if login.role in DRAFT_BUYER_ROLES]
    pairs = [(email, email) for email in buyers] + [
        (admin_email, buyers[number % len(buyers)]) for number in range(8 - len(buyers))
    ]
    skus = await Sku.select(
        Sku.style.code.as_alias("style"),
        Sku.colourway.code.as_alias("colour"),
        Sku.size.label.as_alias("size"),
    ).limit(CANDIDATE_LINES)
    writers = []
    async with httpx.AsyncClient(base_url=base_url, timeout=REQUEST_TIMEOUT_SECONDS) as client:
        for caller, buyer in pairs:
            caller_row = await User.select(User.id).where(User.email == caller).first()
            buyer_row = await User.select(User.organisation.uuid).where(User.email == buyer).first()
            assert caller_row is not None and buyer_row is not None, (caller, buyer)
            token = await create_api_token(await viewer_for_user_id(caller_row["id"]), "load")
            buyer_uuid = str(buyer_row["organisation.uuid"])
            for sku in skus:
                line = {**sku, "quantity": 3}
                probe = await client.post(
                    "/api/v1/orders",
                    headers={"Authorization": f"Bearer {token}"},
                    json={"buyer": buyer_uuid, "lines": [line], "customer_po": "LOAD-PROBE"},
                )
                if probe.status_code == 201:
                    writers.append(DraftWriter(token, buyer_uuid, line))
                    break
            else:
                raise SystemExit(f"{caller} can order none of the first SKUs for {buyer}")
    return writers


async def sign_in_note_writers(base_url: str) -> list[NoteWriter]:
    """Eight sessions of the demo's brand users (some twice), each on a partner of its list."""
    from bench.run import UUID_IN_LINK, log_in
    from partner_portal.demo import DEMO_PASSWORD, demo_logins

    brand = [login.email for login in demo_logins() if login.role in NOTE_WRITER_ROLES]
    writers: list[NoteWriter] = []
    for number in range(8):
        async with httpx.AsyncClient(base_url=base_url, timeout=REQUEST_TIMEOUT_SECONDS) as client:
            await log_in(client, brand[number % len(brand)], DEMO_PASSWORD)
            listing = await client.get("/partners?page=1")
            partners = list(dict.fromkeys(UUID_IN_LINK.findall(listing.text)))
            partner = partners[number // len(brand)]
            writers.append(NoteWriter(dict(client.cookies.items()), partner))
    return writers


def report(
    url: str,
    arguments: argparse.Namespace,
    load: WriteLoad,
    missing: list[str],
    shutdown: str,
    load_average: float,
) -> str:
    from bench.run import heading

    writes = len(load.notes) + len(load.drafts)
    lines = [
        heading(url, load_average).replace(" — ", " — concurrent writes — ", 1),
        "",
        f"bench/concurrent_writes.py: 8 signed-in people writing timeline notes through the "
        f"pages (then opening the partner page the form redirects to) and 8 API clients "
        f"creating order drafts (then reading each back), all at once for "
        f"{arguments.seconds:.0f} s against `threadline serve --workers "
        f"{arguments.server_workers}`.",
        "",
        "| route | status | answers |",
        "|---|---:|---:|",
        *(
            f"| {route} | {status} | {count:,} |"
            for (route, status), count in sorted(load.answers.items())
        ),
        "",
        f"Saved: {len(load.notes):,} notes and {len(load.drafts):,} drafts in "
        f"{load.seconds:.1f} s ({writes / load.seconds:.1f} writes/s). "
        f"5xx: {load.server_errors:,}. Row missing right after its save: "
        f"{len(load.missing_after_save):,}. Acknowledged writes not in the database "
        f"afterwards: {len(missing):,}.",
        "",
        f"Shutdown: {shutdown}",
    ]
    if load.unexpected:
        lines += [
            "",
            "First unexpected answers:",
            "",
            *(f"- `{line}`" for line in load.unexpected[:5]),
        ]
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    from bench.run import (
        SHUTDOWN_SECONDS,
        Server,
        append_results,
        database_url,
        ensure_data,
        free_port,
    )

    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--database-url", default=None)
    parser.add_argument("--seconds", type=float, default=60.0, help="how long the writers write")
    parser.add_argument("--server-workers", type=int, default=1)
    parser.add_argument("--no-record", action="store_true", help="do not append to RESULTS.md")
    arguments = parser.parse_args(argv)
    url = database_url(arguments.database_url)
    os.environ["DATABASE_URL"] = url  # before the first import of piccolo_conf
    ensure_data(url, force=False)
    from partner_portal.database import close_database

    load_average = os.getloadavg()[0]
    server = Server(url, free_port(), arguments.server_workers)
    server.start()

    async def run() -> tuple[WriteLoad, list[str]]:
        try:
            await server.wait_ready()
            note_writers = await sign_in_note_writers(server.base)
            draft_writers = await prepare_tokens(server.base)
            print(f"Writing for {arguments.seconds:.0f} s ...", flush=True)
            load = await write_concurrently(
                server.base, note_writers, draft_writers, seconds=arguments.seconds
            )
            return load, await rows_not_found(load)
        finally:
            await close_database(started_pool=False)

    try:
        load, missing = asyncio.run(run())
    finally:
        clean, stopped_in = server.stop()
    shutdown = (
        f"SIGINT, the server exited in {stopped_in:.1f}s."
        if clean
        else f"FINDING: the server did not exit within {SHUTDOWN_SECONDS}s of SIGINT."
    )
    text = report(url, arguments, load, missing, shutdown, load_average)
    print(text)
    if not arguments.no_record:
        append_results(text)
    return 0 if clean and not (load.server_errors or load.missing_after_save or missing) else 1


if __name__ == "__main__":
    sys.exit(main())
