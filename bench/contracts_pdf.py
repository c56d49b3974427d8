"""How fast contract PDFs render: a 3-page and a 10-page bilingual (English + 简体中文)
contract, median of several runs, and contracts per minute from one process.

    .venv/bin/python bench/contracts_pdf.py [--runs 7] [--batch 20] [--no-append]

It uses the demo's bilingual distribution template and clauses, filled with a partner
whose names need Chinese and Korean glyphs, lengthened by repeating its sections until
the PDF has the wanted number of pages. Rendering is the same code path as issuing
(contracts.rendering and contracts.printing: sandboxed template -> document HTML -> WeasyPrint in one thread),
without the database. Appends a section to bench/RESULTS.md unless --no-append.
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from contracts import printing, rendering, template_values
from contracts.demo import CLAUSES, TEMPLATES
from partner_portal.pdf import print_html_sync

RESULTS = Path(__file__).resolve().parent / "RESULTS.md"


def bilingual_document(repeats: int) -> str:
    body_source = next(body for _n, _k, language, body in TEMPLATES if language == "bilingual_zh")
    bodies = {key: body for key, (_title, body) in CLAUSES.items()}
    context = template_values.sample_context(bodies)
    body = rendering.contract_body(body_source, context)
    return printing.document_html(
        language="bilingual_zh",
        title="Distribution agreement · 经销合同",
        number="TL-BENCH-0001",
        version=1,
        brand=context["brand"],
        partner=context["partner"],
        body_html=body * repeats,
        fingerprint=printing.fingerprint_of("TL-BENCH-0001", 1, {}, body * repeats),
    )


def document_with_pages(pages: int) -> tuple[str, int]:
    """The bilingual contract lengthened to exactly ``pages`` pages (or the nearest above)."""
    repeats = 1
    while True:
        html = bilingual_document(repeats)
        count = print_html_sync(html).page_count
        if count >= pages:
            return html, count
        repeats += 1


def timed(html: str) -> float:
    started = time.perf_counter()
    print_html_sync(html)
    return time.perf_counter() - started


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=7, help="timed renders per size (median)")
    parser.add_argument("--batch", type=int, default=20, help="3-page contracts for the rate")
    parser.add_argument("--no-append", action="store_true", help="print only")
    arguments = parser.parse_args()

    load_before = os.getloadavg()[0]
    started = time.perf_counter()
    print_html_sync(bilingual_document(1))  # loads WeasyPrint and the CJK fonts
    cold = time.perf_counter() - started

    rows = []
    for pages in (3, 10):
        html, actual = document_with_pages(pages)
        times = [timed(html) for _ in range(arguments.runs)]
        rows.append((actual, statistics.median(times), min(times), max(times)))

    html, _pages = document_with_pages(3)
    started = time.perf_counter()
    for _ in range(arguments.batch):
        print_html_sync(html)
    elapsed = time.perf_counter() - started
    per_minute = arguments.batch / elapsed * 60

    now = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    lines = [
        f"## Contract PDFs (contracts), {now}",
        "",
        f"Bilingual (English + 简体中文) distribution contract with Chinese and Korean party "
        f"names, WeasyPrint in one thread; nproc {os.cpu_count()}, Python "
        f"{platform.python_version()}, load average {load_before:.2f} before the run. "
        f"First render in a fresh process (loads WeasyPrint and the CJK fonts): {cold:.2f} s.",
        "",
        f"| contract | pages | median s (of {arguments.runs}) | min s | max s |",
        "|---|---:|---:|---:|---:|",
    ]
    for (pages, median, fastest, slowest), name in zip(rows, ("3-page", "10-page"), strict=True):
        lines.append(
            f"| {name} bilingual | {pages} | {median:.2f} | {fastest:.2f} | {slowest:.2f} |"
        )
    lines += [
        "",
        f"One process rendering 3-page contracts back to back: {arguments.batch} in "
        f"{elapsed:.1f} s, **{per_minute:.0f} contracts per minute** (a web process renders "
        "in a worker thread, so requests keep being served meanwhile).",
        "",
    ]
    report = "\n".join(lines)
    print(report)
    if not arguments.no_append:
        with RESULTS.open("a", encoding="utf-8") as results:
            results.write("\n" + report)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
