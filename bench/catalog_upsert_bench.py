"""The ERP's catalog push (issue 18): 10,000 styles with 100,000 SKUs (each with its
barcode and ERP reference) and a price each, upserted through the API in one call.

    .venv/bin/python bench/catalog_upsert_bench.py [--styles 10000] [--database-url URL]

In process, as bench/integration_bench.py: the app is called through httpx's ASGI
transport (JSON parsing, the body's validation, the idempotency claim, the upsert
service's reads and set-based writes, the audit entries, the commit). Three calls: every
style new; every style changed (a new name and price, the same SKUs); the same again
(nothing changes). Wall seconds, and the CPU seconds of the process (client and server:
the machine is shared, so wall time includes waiting for a CPU).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
import time
from pathlib import Path
from typing import Any
from uuid import uuid4

import httpx

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.integration_bench import brand_admin_token, database_url, fresh_database  # noqa: E402
from bench.run import append_results  # noqa: E402

COLOURS = ("BLK", "WHT")
SIZES = ("XS", "S", "M", "L", "XL")


def ean13(number: int) -> str:
    digits = f"{number:012d}"
    total = sum(int(digit) * (3 if index % 2 else 1) for index, digit in enumerate(digits))
    return digits + str((10 - total % 10) % 10)


def items(styles: int, name: str, wholesale: int) -> list[dict[str, Any]]:
    body = []
    for number in range(styles):
        skus = []
        for c, colour in enumerate(COLOURS):
            for s, size in enumerate(SIZES):
                sku = (number * len(COLOURS) + c) * len(SIZES) + s
                skus.append(
                    {"colour": colour, "size": size, "barcode": ean13(sku),
                     "external_ref": f"SKU-{sku:07d}"}
                )  # fmt: skip
        body.append(
            {
                "code": f"B-{number:06d}",
                "external_ref": f"ERP-{number:06d}",
                "season": "SS27",
                "category": "shirts",
                "size_scale": "BENCH",
                "status": "active",
                "name_en": f"{name} {number}",
                "colours": [{"code": colour, "name": colour.title()} for colour in COLOURS],
                "skus": skus,
                "prices": [{"price_list": "Bench CNY", "wholesale": f"{wholesale}.00"}],
            }
        )
    return body


async def reference_data() -> None:
    from partner_portal.catalog import services

    await services.create_season(None, "SS27", "Spring/Summer 2027")
    await services.create_size_scale(None, "BENCH", "Bench", "alpha", list(SIZES))
    await services.create_price_list(None, "Bench CNY", "CNY", False, None)


async def run(url: str, styles: int) -> list[str]:
    from partner_portal.app import create_app
    from partner_portal.settings import load_settings

    settings = load_settings({**os.environ, "DATABASE_URL": url, "THREADLINE_ENV": "test",
                              "SECRET_KEY": "bench-" + "x" * 40})  # fmt: skip
    app = create_app(settings)
    lines = []
    async with app.lifespan():  # type: ignore[attr-defined]
        await reference_data()
        token = await brand_admin_token()
        transport = httpx.ASGITransport(app=app)  # type: ignore[arg-type]
        async with httpx.AsyncClient(transport=transport, base_url="http://bench") as client:
            for label, name, wholesale in (
                ("every style new", "Shirt", 199),
                ("every style changed (name, price)", "Oxford shirt", 219),
                ("nothing changed", "Oxford shirt", 219),
            ):
                content = httpx.Request("POST", "/", json={"items": items(styles, name, wholesale)})
                body = content.read()
                headers = {
                    "Authorization": f"Bearer {token}",
                    "Idempotency-Key": f"bench-{uuid4()}",
                    "Content-Type": "application/json",
                }
                wall, cpu = time.perf_counter(), time.process_time()
                answer = await client.post(
                    "/api/v1/styles/bulk", content=body, headers=headers, timeout=1800
                )
                wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
                assert answer.status_code == 200, answer.text[:2000]
                result = answer.json()
                skus = styles * len(COLOURS) * len(SIZES)
                lines.append(
                    f"| {styles:,} styles, {skus:,} SKUs, {label} ({len(body) / 1e6:.1f} MB) "
                    f"| {wall:.1f} s | {cpu:.1f} s | {result['created']:,} / "
                    f"{result['updated']:,} / {result['unchanged']:,} |"
                )
                print(lines[-1], flush=True)
    return lines


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--styles", type=int, default=10_000)
    parser.add_argument("--database-url")
    arguments = parser.parse_args()
    url = database_url(arguments.database_url)
    fresh_database(url)
    before = os.getloadavg()
    rows = asyncio.run(run(url, arguments.styles))
    after = os.getloadavg()
    kind = "PostgreSQL" if url.startswith("postgres") else "SQLite"
    stamp = time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime())
    text = "\n".join(
        [
            f"## Catalog push: styles, SKUs and prices upserted in one call, {stamp}, {kind}",
            "",
            f"nproc {os.cpu_count()}; load average {before[0]:.2f} before, {after[0]:.2f} "
            "after (other sessions share the machine). bench/catalog_upsert_bench.py; "
            "`POST /api/v1/styles/bulk` in process.",
            "",
            "| call | wall | CPU (process) | created / updated / unchanged |",
            "|---|---:|---:|---:|",
            *rows,
            "",
        ]
    )
    print(text)
    append_results(text)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
