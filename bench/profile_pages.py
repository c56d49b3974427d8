"""Where each page of the mixed load spends its time: a pyinstrument profile per page.

    .venv/bin/python bench/profile_pages.py [--database-url URL] [--requests 20]
        [--pages "line sheet,partner search"]

The app runs in this process (the same Litestar app `threadline serve` builds) on the
benchmark database (filled by bench/generate.py when empty). One demo user per role of
bench/load.py signs in, the role's pages resolve to the same paths load.py opens, and
each page is requested --requests times under the profiler after two unmeasured ones.
For each page it prints the milliseconds per request the profiler saw and the shares of
that time by where it was spent (templates, Piccolo building queries, the database
driver, Litestar, our own code, waiting for I/O), and writes the full profile as HTML to
bench/out/profile-<page>.html (git-ignored). The shares, not the milliseconds, are the
point: the server's CPU per request is what bench/load.py --pages-only measures.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
import time
from collections import defaultdict
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.load import DEMO_PASSWORD, LINKS, LISTS, ROLE_PAGES, ROLE_USERS
from bench.run import LOG_DIR, REPO, database_url, ensure_data, log_in

# Where a sampled frame's own time goes, by the file it runs in (first match wins).
CATEGORIES = (
    ("templates (Jinja)", ("/jinja2/", ".html")),
    ("Piccolo (building queries, rows)", ("/piccolo/",)),
    ("database driver", ("/asyncpg/", "/aiosqlite/", "/sqlite3/")),
    ("waiting for I/O", ("/selectors.py", "/asyncio/base_events.py")),
    ("Litestar, msgspec, httpx (framework)", ("/litestar/", "/msgspec/", "/httpx/", "/anyio/")),
    ("Babel (formatting)", ("/babel/",)),
    ("our code", (str(REPO),)),
)


def categorise(file_path: str) -> str:
    for name, needles in CATEGORIES:
        if any(needle in file_path for needle in needles):
            return name
    return "other (stdlib, ...)"


def shares(frame: Any) -> dict[str, float]:
    """Seconds of each category's own time in a pyinstrument frame tree."""
    totals: dict[str, float] = defaultdict(float)
    pending = [frame]
    while pending:
        current = pending.pop()
        children = list(current.children)
        own = current.time - sum(child.time for child in children)
        totals[categorise(current.file_path or "")] += max(own, 0.0)
        pending += children
    return totals


async def resolve_paths(client: Any, role: str) -> list[tuple[str, str]]:
    """(page name, first path) for each page of the role that user can open."""
    found: dict[str, str] = {}
    for kind, pattern in LINKS.items():
        if any("{" + kind + "}" in page.path for page in ROLE_PAGES[role]):
            response = await client.get(LISTS[kind])
            match = pattern.search(response.text) if response.status_code == 200 else None
            if match:
                found[kind] = match.group(1)
    paths = []
    for page in ROLE_PAGES[role]:
        kinds = [kind for kind in LINKS if "{" + kind + "}" in page.path]
        if not kinds:
            paths.append((page.name, page.path))
        elif kinds[0] in found:
            paths.append((page.name, page.path.format(**{kinds[0]: found[kinds[0]]})))
    return paths


async def demo_emails() -> dict[str, str]:
    from partner_portal.partners.tables import User

    active = User.is_active == True  # noqa: E712
    rows = await User.select(User.email, User.role, User.organisation.kind.as_alias("kind")).where(
        active
    )
    emails = {}
    for role, (user_role, kind) in ROLE_USERS.items():
        candidates = sorted(
            row["email"]
            for row in rows
            if row["role"] == user_role
            and row["kind"] == kind
            and not row["email"].endswith(".bench.demo")
        )
        if candidates:
            emails[role] = candidates[0]
    return emails


async def profile(arguments: argparse.Namespace) -> list[str]:
    from litestar.testing import AsyncTestClient
    from pyinstrument import Profiler

    from partner_portal.app import create_app

    app = create_app()
    lines = [
        "| page | role | ms per request (profiled, in process) | "
        + " | ".join(name for name, _ in CATEGORIES)
        + " | other |",
        "|---|---|---:|" + "---:|" * (len(CATEGORIES) + 1),
    ]
    wanted = {name.strip() for name in arguments.pages.split(",")} if arguments.pages else None
    seen: set[str] = set()
    LOG_DIR.mkdir(parents=True, exist_ok=True)
    # Read before the app starts: its lifespan opens the database pool in the test
    # client's own event loop.
    emails = await demo_emails()
    async with AsyncTestClient(app=app, base_url="http://127.0.0.1") as client:
        client.follow_redirects = False  # a sign-in answers 303; the start page is not needed
        for role, email in emails.items():
            client.cookies.clear()
            await log_in(client, email, DEMO_PASSWORD)
            for name, path in await resolve_paths(client, role):
                if name in seen or (wanted and name not in wanted):
                    continue
                seen.add(name)
                for _ in range(2):
                    await client.get(path)
                profiler = Profiler(interval=0.0005, async_mode="disabled")
                started = time.perf_counter()
                profiler.start()
                statuses = set()
                for _ in range(arguments.requests):
                    statuses.add((await client.get(path)).status_code)
                profiler.stop()
                elapsed = time.perf_counter() - started
                session = profiler.last_session
                assert session is not None
                root = session.root_frame()
                totals = shares(root) if root is not None else {}
                whole = sum(totals.values()) or 1.0
                slug = name.replace(" ", "-")
                (LOG_DIR / f"profile-{slug}.html").write_text(profiler.output_html())
                columns = [f"{totals.get(category, 0) / whole:.0%}" for category, _ in CATEGORIES]
                columns.append(f"{totals.get('other (stdlib, ...)', 0) / whole:.0%}")
                status = "" if statuses == {200} else f" (status {sorted(statuses)})"
                lines.append(
                    f"| {name}{status} | {role} | {elapsed * 1000 / arguments.requests:.1f} | "
                    + " | ".join(columns)
                    + " |"
                )
                print(lines[-1], flush=True)
    return lines


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--database-url", default=None)
    parser.add_argument("--requests", type=int, default=20, help="profiled requests per page")
    parser.add_argument("--pages", default="", help="comma-separated page names (default: all)")
    arguments = parser.parse_args(argv)
    url = database_url(arguments.database_url)
    ensure_data(url, force=False)
    # The app reads its settings from the environment, as `threadline serve` does.
    os.environ.update(
        DATABASE_URL=url, SCHEDULER_IN_PROCESS="0", TEMPLATE_AUTO_RELOAD="0", LOG_LEVEL="warning"
    )
    os.chdir(REPO)
    lines = asyncio.run(profile(arguments))
    print()
    print("\n".join(lines))
    return 0


if __name__ == "__main__":
    sys.exit(main())
