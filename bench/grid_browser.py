"""The order grid in Chromium (issue 16): main-thread time per edit on the demo's 17- and
52-style line sheets and a generated 300-style sheet.

    .venv/bin/python bench/grid_browser.py

Prepares (once) a database with the demo data and a 300-style sheet, starts the real
server (`threadline serve`), signs in as the demo Shanghai distributor in Debian's
headless Chromium and, on each sheet's grid:

- types into cells spread over the whole sheet with the keyboard, with a
  PerformanceObserver for long tasks (> 50 ms on the main thread) running, and counts them;
- reads, around each of those keyboard edits, Chromium's own counters of the main thread's
  time in script, style and layout (DevTools' Performance.getMetrics), so a growth is seen
  where it lies;
- times each edit's own work: setting a cell, the input event (the grid's script adds up
  the totals) and the style and layout it causes (a forced layout), via performance.now().

Aim: every edit < 50 ms of main-thread time, not growing with the number of styles.

Before the browser, the server's CPU per grid page (the page as first sent, GET
/line-sheets/<id>/order, ``PAGE_REQUESTS`` times each, one after another) is read from
/proc for the server's process tree. Where the grid draws its styles in batches as the
buyer scrolls, every batch is loaded before the edits are measured.
Appends a section to bench/RESULTS.md with `uptime`'s load.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import statistics
import subprocess
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench import run as bench_run  # noqa: E402
from bench.orders_bench import threadline  # noqa: E402
from bench.run import Connection, Server, append_results, free_port, log_in  # noqa: E402

CHROMIUM = "/usr/bin/chromium"
PASSWORD = "threadline-demo"
GENERATED_TITLE = "BENCH 300 styles"
GENERATED_STYLES = 300
EDITS = 30
PAGE_REQUESTS = 20


def database_url() -> str:
    return os.environ.get("BENCH_DATABASE_URL", f"sqlite:///{ROOT / 'var' / 'bench_grid.sqlite3'}")


async def prepare() -> dict[str, Any]:
    """The three sheets (uuid, style count) and the distributor's e-mail; the generated
    sheet is made once: copies of the first demo style, priced as it is, shown to the
    distributor with the core range."""
    from datetime import UTC, datetime

    from distributors.tables import LineSheet, LineSheetAudience, LineSheetStyle
    from partner_portal.catalog.tables import Colourway, Price, Size, Sku, Style
    from partner_portal.database import write_transaction
    from partner_portal.demo import demo_logins
    from partner_portal.partners.tables import Organisation, User

    email = next(login.email for login in demo_logins() if login.role == "distributor")
    user = await User.select(User.organisation).where(User.email == email).first()
    assert user is not None
    organisation = user["organisation"]
    sheets = await LineSheet.select(LineSheet.id, LineSheet.uuid, LineSheet.title, LineSheet.season)
    if not any(sheet["title"] == GENERATED_TITLE for sheet in sheets):
        template = await Style.select().where(Style.season == sheets[0]["season"]).first()
        assert template is not None
        sizes = await Size.select(Size.id).where(Size.size_scale == template["size_scale"])
        colours = await Colourway.select(Colourway.code, Colourway.name).where(
            Colourway.style == template["id"]
        )
        prices = await Price.select(Price.price_list, Price.size, Price.wholesale).where(
            Price.style == template["id"]
        )
        now = datetime.now(UTC)
        async with write_transaction():
            styles = await Style.insert(
                *[
                    Style(
                        code=f"BENCH-{number:03d}",
                        season=template["season"],
                        category=template["category"],
                        name_en=f"{template['name_en']} {number}",
                        name_zh=f"{template['name_zh']} {number}",
                        name_ko=f"{template['name_ko']} {number}",
                        size_scale=template["size_scale"],
                        status="active",
                        created_at=now,
                        updated_at=now,
                    )
                    for number in range(1, GENERATED_STYLES + 1)
                ]
            ).returning(Style.id)
            style_ids = [row["id"] for row in styles]
            for style_id in style_ids:
                colourways = await Colourway.insert(
                    *[Colourway(style=style_id, code=c["code"], name=c["name"]) for c in colours]
                ).returning(Colourway.id)
                await Sku.insert(
                    *[
                        Sku(style=style_id, colourway=colourway["id"], size=size["id"])
                        for colourway in colourways
                        for size in sizes
                    ]
                )
                await Price.insert(
                    *[
                        Price(
                            price_list=price["price_list"],
                            style=style_id,
                            size=price["size"],
                            wholesale=price["wholesale"],
                        )
                        for price in prices
                    ]
                )
            generated = await LineSheet.insert(
                LineSheet(
                    season=template["season"],
                    title=GENERATED_TITLE,
                    published=True,
                    created_at=now,
                    updated_at=now,
                )
            ).returning(LineSheet.id)
            await LineSheetStyle.insert(
                *[
                    LineSheetStyle(line_sheet=generated[0]["id"], style=style_id, position=position)
                    for position, style_id in enumerate(style_ids)
                ]
            )
        sheets = await LineSheet.select(
            LineSheet.id, LineSheet.uuid, LineSheet.title, LineSheet.season
        )
    # The distributor sees every sheet (the core range is for other tiers in the demo).
    async with write_transaction():
        for sheet in sheets:
            await LineSheetAudience.delete().where(
                (LineSheetAudience.line_sheet == sheet["id"])
                & (LineSheetAudience.organisation == organisation)
            )
            await LineSheetAudience.insert(
                LineSheetAudience(line_sheet=sheet["id"], organisation=organisation)
            )
    counts = {
        sheet["uuid"]: await LineSheetStyle.count().where(LineSheetStyle.line_sheet == sheet["id"])
        for sheet in sheets
    }
    assert await Organisation.exists().where(Organisation.id == organisation)
    return {
        "email": email,
        "sheets": sorted(
            ({"uuid": str(uuid), "styles": count} for uuid, count in counts.items()),
            key=lambda sheet: sheet["styles"],
        ),
    }


# Each edit: a cell, a value; set, fire input, force the layout, and time it all.
TIMED_EDIT = """([index, value]) => {
    const cells = document.querySelectorAll("input.qty");
    const cell = cells[Math.floor(index * (cells.length - 1))];
    const started = performance.now();
    cell.value = String(value);
    cell.dispatchEvent(new Event("input", {bubbles: true}));
    document.body.offsetHeight;
    return performance.now() - started;
}"""

OBSERVE = """() => {
    window.benchLongTasks = [];
    new PerformanceObserver((list) => {
        for (const entry of list.getEntries()) window.benchLongTasks.push(entry.duration);
    }).observe({type: "longtask"});
}"""


async def page_cpu(server: Server, prepared: dict[str, Any]) -> dict[str, dict[str, float]]:
    """Server CPU ms and bytes per grid page as first sent, for each sheet."""
    import httpx

    async with httpx.AsyncClient(base_url=server.base, timeout=120) as client:
        await log_in(client, prepared["email"], PASSWORD)
        cookies = "; ".join(f"{name}={value}" for name, value in client.cookies.items())
    connection = Connection(server.port, cookies)
    figures: dict[str, dict[str, float]] = {}
    try:
        for sheet in prepared["sheets"]:
            path = f"/line-sheets/{sheet['uuid']}/order"
            status, size = await connection.get(path)  # warm: templates, catalogues
            assert status == 200, status
            before = server.cpu_seconds()
            for _ in range(PAGE_REQUESTS):
                status, size = await connection.get(path)
                assert status == 200, status
            spent = server.cpu_seconds() - before
            figures[sheet["uuid"]] = {"cpu_ms": spent * 1000 / PAGE_REQUESTS, "bytes": size}
            print(f"{sheet['styles']} styles: {figures[sheet['uuid']]}", flush=True)
    finally:
        await connection.close()
    return figures


async def load_every_batch(page: Any) -> None:
    """Scroll until the grid has drawn all its styles (no batch left to load)."""
    for _ in range(200):
        drawn = await page.locator("section.matrix-style").count()
        if not await page.locator(".grid-more").count():
            return
        # The block is replaced by the batch it fetches: scroll the page, not the block.
        await page.evaluate("window.scrollTo(0, document.body.scrollHeight)")
        await page.wait_for_function(
            "drawn => document.querySelectorAll('section.matrix-style').length > drawn", arg=drawn
        )
    raise SystemExit("the grid kept announcing more styles")


METRICS = ("ScriptDuration", "RecalcStyleDuration", "LayoutDuration")


async def metrics(devtools: Any) -> dict[str, float]:
    answer = await devtools.send("Performance.getMetrics")
    return {metric["name"]: metric["value"] for metric in answer["metrics"]}


async def measure_sheet(
    page: Any, devtools: Any, base: str, sheet: dict[str, Any]
) -> dict[str, Any]:
    await page.goto(f"{base}/line-sheets/{sheet['uuid']}/order", wait_until="load")
    first_cells = await page.locator("input.qty").count()
    await load_every_batch(page)
    await page.evaluate("window.scrollTo(0, 0)")
    cells = await page.locator("input.qty").count()
    await page.evaluate(OBSERVE)
    # Typed with the keyboard, spread from the first style to the last. Scrolling to a cell
    # lays out the styles coming into view: that settles first, so the long tasks counted
    # are those of the edits.
    edit_tasks: list[float] = []
    scroll_tasks: list[float] = []
    spent: dict[str, list[float]] = {name: [] for name in METRICS}
    for edit in range(EDITS):
        index = edit / (EDITS - 1)
        await page.evaluate(
            """(index) => { const cells = document.querySelectorAll("input.qty");
               const cell = cells[Math.floor(index * (cells.length - 1))];
               cell.scrollIntoView({block: "center"}); cell.focus(); cell.select(); }""",
            index,
        )
        await page.wait_for_timeout(300)
        seen = await page.evaluate("window.benchLongTasks.length")
        before = await metrics(devtools)
        await page.keyboard.type(str(edit % 9 + 1))
        await page.wait_for_timeout(300)
        after = await metrics(devtools)
        for name in METRICS:
            spent[name].append((after[name] - before[name]) * 1000)
        tasks = await page.evaluate("window.benchLongTasks")
        scroll_tasks.extend(tasks[len(scroll_tasks) + len(edit_tasks) : seen])
        edit_tasks.extend(tasks[seen:])
    timed = [
        await page.evaluate(TIMED_EDIT, [edit / (EDITS - 1), edit % 7 + 2]) for edit in range(EDITS)
    ]
    return {
        "styles": sheet["styles"],
        "cells": cells,
        "first_cells": first_cells,
        "edit_median_ms": statistics.median(timed),
        "edit_p95_ms": statistics.quantiles(timed, n=20, method="inclusive")[18],
        "edit_max_ms": max(timed),
        "edit_long_tasks": len(edit_tasks),
        "edit_long_task_ms": sum(edit_tasks),
        "scroll_long_tasks": len(scroll_tasks),
        "scroll_long_task_ms": sum(scroll_tasks),
        **{f"{name}_ms": statistics.median(spent[name]) for name in METRICS},
    }


async def browse(server: Server, prepared: dict[str, Any]) -> list[dict[str, Any]]:
    base = server.base
    cpu = await page_cpu(server, prepared)
    from playwright.async_api import async_playwright

    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(
            executable_path=CHROMIUM, headless=True, args=["--no-sandbox", "--disable-gpu"]
        )
        page = await browser.new_page(viewport={"width": 1280, "height": 900})
        page.set_default_timeout(120_000)
        devtools = await page.context.new_cdp_session(page)
        await devtools.send("Performance.enable")
        await page.goto(f"{base}/login")
        await page.get_by_label("E-mail").fill(prepared["email"])
        await page.get_by_label("Password").fill(PASSWORD)
        await page.get_by_role("button", name="Sign in").click()
        await page.wait_for_url(lambda url: "/login" not in url)
        results = [await measure_sheet(page, devtools, base, sheet) for sheet in prepared["sheets"]]
        await browser.close()
    for result, sheet in zip(results, prepared["sheets"], strict=True):
        result.update(
            page_cpu_ms=cpu[sheet["uuid"]]["cpu_ms"], page_kb=cpu[sheet["uuid"]]["bytes"] / 1024
        )
    return results


def report(results: list[dict[str, Any]], load: str) -> str:
    lines = [
        "",
        f"## Order grid in Chromium (bench/grid_browser.py), load `{load}`",
        "",
        f"{EDITS} keyboard edits spread over each sheet with a long-task (> 50 ms) "
        "PerformanceObserver, the tasks of each edit told from those of scrolling to its "
        "cell, and Chromium's main-thread script, style and layout time around each "
        "(Performance.getMetrics, median of the keyboard edits); "
        f"then {EDITS} timed edits (set a cell, input event, forced layout). Server CPU "
        f"per grid page as first sent: mean of {PAGE_REQUESTS} GETs, one at a time, from /proc.",
        "",
        "| styles | cells (drawn with the page) | page server CPU ms | page kB "
        "| edit median ms | edit p95 ms | edit max ms | long tasks of edits (ms) "
        "| long tasks of scrolling to the next cell (ms) "
        "| keyboard edit: script / style / layout ms |",
        "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for row in results:
        lines.append(
            f"| {row['styles']} | {row['cells']} ({row['first_cells']}) | "
            f"{row['page_cpu_ms']:.0f} | {row['page_kb']:.0f} | {row['edit_median_ms']:.1f} | "
            f"{row['edit_p95_ms']:.1f} | {row['edit_max_ms']:.1f} | {row['edit_long_tasks']} ({row['edit_long_task_ms']:.0f}) | "
            f"{row['scroll_long_tasks']} ({row['scroll_long_task_ms']:.0f}) | "
            f"{row['ScriptDuration_ms']:.2f} / {row['RecalcStyleDuration_ms']:.2f} / "
            f"{row['LayoutDuration_ms']:.2f} |"
        )
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--no-record", action="store_true")
    arguments = parser.parse_args(argv)
    if arguments.child:
        print(json.dumps(asyncio.run(prepare())))
        return 0
    url = database_url()
    threadline(url, "migrate")
    threadline(url, "demo-data", "--if-empty")
    prepared = json.loads(
        subprocess.run(
            [sys.executable, __file__, "--child"],
            env={**os.environ, "DATABASE_URL": url},
            cwd=ROOT,
            check=True,
            capture_output=True,
            text=True,
        )
        .stdout.strip()
        .splitlines()[-1]
    )
    load = subprocess.run(["uptime"], capture_output=True, text=True).stdout.strip()
    # A loaded machine (other sessions share it) may take longer than bench/run.py's 30 s.
    bench_run.STARTUP_SECONDS = 180
    server = Server(url, free_port(), 1)
    server.start()
    try:
        asyncio.run(server.wait_ready())
        results = asyncio.run(browse(server, prepared))
    finally:
        server.stop()
    text = report(results, load)
    print(text)
    if not arguments.no_record:
        append_results(text)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
