"""The line sheet and its PDF as a buyer gets them (issue 16): the demo's full-season sheet
(52 styles, a picture for each) in `threadline serve`, signed in as the demo Shanghai
distributor.

    .venv/bin/python bench/sheet_pdf.py [--rounds 5]

Prepares (once) a SQLite database with the demo data and its pictures (var/bench_sheet*),
then times, after one warm-up each: the PDF download (aim: under 2 s for 50 styles) and the
sheet page's first 24 cards, wall-clock and the server's CPU seconds (from /proc).
Appends a section to bench/RESULTS.md with `uptime`'s load.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.orders_bench import threadline  # noqa: E402
from bench.run import Server, append_results, free_port, log_in  # noqa: E402

PASSWORD = "threadline-demo"
MEDIA_DIR = ROOT / "var" / "bench_sheet_media"


async def measure(url: str, rounds: int) -> str:
    from partner_portal.demo import demo_logins

    email = next(login.email for login in demo_logins() if login.role == "distributor")
    server = Server(url, free_port(), workers=1)
    server.start()
    try:
        await server.wait_ready()
        async with httpx.AsyncClient(base_url=server.base, timeout=60) as client:
            await log_in(client, email, PASSWORD)
            listing = (await client.get("/line-sheets")).text
            marker = listing.index("full collection")
            start = listing.rindex('href="/line-sheets/', 0, marker) + len('href="/line-sheets/')
            sheet = listing[start : listing.index('"', start)]
            figures: dict[str, list[tuple[float, float]]] = {"pdf": [], "page": []}
            for name, path in (
                ("pdf", f"/line-sheets/{sheet}/pdf"),
                ("page", f"/line-sheets/{sheet}"),
            ):
                (await client.get(path)).raise_for_status()  # warm-up
                for _ in range(rounds):
                    cpu = server.cpu_seconds()
                    began = time.perf_counter()
                    response = await client.get(path)
                    response.raise_for_status()
                    figures[name].append((time.perf_counter() - began, server.cpu_seconds() - cpu))
            pdf = (await client.get(f"/line-sheets/{sheet}/pdf")).content
    finally:
        server.stop()
    return report(figures, pdf, rounds)


def report(figures: dict[str, list[tuple[float, float]]], pdf: bytes, rounds: int) -> str:
    pages = subprocess.run(["pdfinfo", "-"], input=pdf, capture_output=True, check=True)
    page_count = next(
        line.split()[-1] for line in pages.stdout.decode().splitlines() if line.startswith("Pages")
    )
    load = subprocess.run(["uptime"], capture_output=True, text=True, check=False).stdout.strip()
    lines = [
        "## Line sheet and its PDF (bench/sheet_pdf.py)",
        "",
        f"Demo full-season sheet, 52 styles with pictures; SQLite, 1 worker; median of {rounds}"
        f" after a warm-up. PDF: {page_count} pages, {len(pdf) // 1024} KB. Load: {load}",
        "",
        "| request | wall ms (median) | server CPU ms (median) |",
        "|---|---|---|",
    ]
    for name, label in (("pdf", "PDF, cover + 52 styles"), ("page", "sheet page, first 24 cards")):
        wall = statistics.median(f[0] for f in figures[name]) * 1000
        cpu = statistics.median(f[1] for f in figures[name]) * 1000
        lines.append(f"| {label} | {wall:.0f} | {cpu:.0f} |")
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rounds", type=int, default=5)
    options = parser.parse_args(argv)
    url = os.environ.get("BENCH_DATABASE_URL", f"sqlite:///{ROOT / 'var' / 'bench_sheet.sqlite3'}")
    os.environ["MEDIA_DIR"] = str(MEDIA_DIR)
    threadline(url, "migrate")
    threadline(url, "demo-data", "--if-empty")
    text = asyncio.run(measure(url, options.rounds))
    print(text)
    append_results(text)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
