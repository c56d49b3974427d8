"""Benchmark of a 20,000-employee group campaign (issue 7): roster import, the progress
page, and consolidation into one order. Appends a table to bench/RESULTS.md.

    .venv/bin/python bench/group_orders_campaign.py                 # SQLite in bench/out/
    BENCH_DATABASE_URL=postgresql://... .venv/bin/python bench/group_orders_campaign.py

Each run uses a fresh database (the SQLite file is recreated; a PostgreSQL database is
emptied), loads the demo data, then measures in this process:
- the roster import: 20,000 rows in four CSV files of 5,000 (the portal's per-file limit),
  each checked row by row and saved in one transaction;
- 12,000 responses written straight to the tables (60 %; not measured), then the
  progress page (GET /group-orders/<uuid>) as the client admin, through the ASGI app;
- closing, then the totals review page (GET .../review), then approving with the
  reviewed figures: consolidation into one order in the order book.
"""

from __future__ import annotations

import asyncio
import os
import platform
import random
import re
import sys
import time
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "bench" / "out"
EMPLOYEES = 20_000
FILE_ROWS = 5_000
ANSWERED = 0.6


def _database_url() -> str:
    url = os.environ.get("BENCH_DATABASE_URL", "")
    if url:
        return url
    OUT.mkdir(parents=True, exist_ok=True)
    path = OUT / "group_orders_bench.sqlite3"
    for suffix in ("", "-wal", "-shm"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)
    return f"sqlite:///{path}"


os.environ["DATABASE_URL"] = _database_url()
sys.path.insert(0, str(ROOT))


async def main() -> None:

    from group_orders import approvals, campaigns, offer, rosters
    from group_orders.tables import Campaign, CampaignItem, Choice, Employee
    from partner_portal.accounts.services import viewer_for_user_id
    from partner_portal.app import create_app
    from partner_portal.cli import migrate
    from partner_portal.database import current_engine, is_sqlite, write_transaction
    from partner_portal.demo import load_demo_data
    from partner_portal.partners.tables import Organisation, User
    from partner_portal.settings import load_settings
    from tests.support import Member, PortalClient

    engine = current_engine()
    if not is_sqlite():
        await engine.run_ddl("DROP SCHEMA public CASCADE")
        await engine.run_ddl("CREATE SCHEMA public")
    await migrate()
    if not is_sqlite():
        await engine.start_connection_pool(min_size=1, max_size=4)  # type: ignore[call-arg]
    from partner_portal import app as app_module

    await load_demo_data(only_if_empty=True, plugins=app_module.PLUGINS)
    bank = (
        await Organisation.select()
        .where(Organisation.english_name == "Pujiang Commercial Bank Co., Ltd.")
        .first()
    )
    admin = await User.select().where(User.email == "hr@pujiangbank.demo").first()
    assert bank and admin
    viewer = await viewer_for_user_id(admin["id"])
    today = datetime.now(UTC).date()
    demo_campaign = (
        await Campaign.select(Campaign.id).where(Campaign.organisation == bank["id"]).first()
    )
    assert demo_campaign is not None
    template = await campaigns.campaign_by_id(demo_campaign["id"])
    # A new campaign with the demo campaign's items.
    now = datetime.now(UTC)
    row = (
        await Campaign.insert(
            Campaign(
                organisation=bank["id"],
                name="Bench 20k",
                currency=bank["currency"],
                opens_on=today - timedelta(days=1),
                closes_on=today + timedelta(days=14),
                created_at=now,
                updated_at=now,
            )
        )
        .returning(Campaign.id)
        .run()
    )
    campaign = await campaigns.campaign_by_id(row[0]["id"])
    for offered_row in await CampaignItem.select().where(CampaignItem.campaign == template.id):
        offered_row.pop("id")
        offered_row.pop("uuid")
        await CampaignItem.insert(CampaignItem(**{**offered_row, "campaign": campaign.id})).run()

    rng = random.Random(7)
    departments = [f"部门 {number:02d}" for number in range(1, 41)]
    timings: list[tuple[str, float]] = []
    started = time.perf_counter()
    for start in range(0, EMPLOYEES, FILE_ROWS):
        lines = ["employee_number,name,department,site,email,gender,job_role,language"]
        for number in range(start + 1, start + FILE_ROWS + 1):
            lines.append(
                f"B{number:06d},员工{number},{rng.choice(departments)},上海,"
                f"b{number}@bank.bench.demo,{rng.choice(('men', 'women'))},柜员,zh_Hans"
            )
        result = await rosters.import_roster(viewer, campaign, "\n".join(lines).encode())
        assert result.ok, result.errors[:3]
    timings.append(
        (f"roster import, {EMPLOYEES:,} rows in {EMPLOYEES // FILE_ROWS} files",
         time.perf_counter() - started)
    )  # fmt: skip

    items = await offer.offered_items(campaign)
    people = await Employee.select(Employee.id).where(Employee.campaign == campaign.id)
    answered = [person["id"] for person in people if rng.random() < ANSWERED]
    choices = []
    for employee_id in answered:
        for item in items:
            size = rng.choice(item.sizes)
            choices.append(
                Choice(
                    employee=employee_id,
                    item=item.id,
                    organisation=bank["id"],
                    size=size["id"],
                    quantity=item.allotment,
                    unit_price=size["price"] or Decimal("0"),
                    chosen_at=now,
                )
            )
    async with write_transaction():
        for start in range(0, len(choices), 1000):
            await Choice.insert(*choices[start : start + 1000]).run()
        for start in range(0, len(answered), 1000):
            await Employee.update({Employee.responded_at: now}).where(
                Employee.id.is_in(answered[start : start + 1000])
            )

    app = create_app(load_settings())
    async with PortalClient.for_app(app) as client:
        await client.sign_in(
            Member(admin["id"], admin["uuid"], admin["email"], admin["role"], bank["id"])
        )
        url = f"/group-orders/{campaign.uuid}"
        first = await client.get(url)
        assert first.status_code == 200, first.status_code
        runs = []
        for _round in range(5):
            started = time.perf_counter()
            response = await client.get(url)
            runs.append(time.perf_counter() - started)
            assert response.status_code == 200
        runs.sort()
        timings.append(("progress page (median of 5)", runs[2]))

        await campaigns.close_campaign(viewer, campaign)
        runs = []
        for _round in range(5):
            started = time.perf_counter()
            review = await client.get(f"{url}/review")
            runs.append(time.perf_counter() - started)
            assert review.status_code == 200
        runs.sort()
        timings.append(("totals review page, closed (median of 5)", runs[2]))
        found = re.search(r'name="reviewed" value="([0-9a-f]+)"', review.text)
        assert found, "the review page has no approve form"

    started = time.perf_counter()
    approval = await approvals.approve(
        viewer, await campaigns.campaign_by_id(campaign.id), found.group(1)
    )
    timings.append(("approve: consolidate into one order", time.perf_counter() - started))
    assert approval.order_uuid, approval.error

    kind = "SQLite" if is_sqlite() else "PostgreSQL"
    load = os.getloadavg()[0]
    report = [
        "",
        f"## Group campaign, {EMPLOYEES:,} employees (group_orders), "
        f"{datetime.now(UTC):%Y-%m-%d %H:%M} UTC, {kind}",
        "",
        f"{len(answered):,} people answered ({len(choices):,} choices over {len(items)} items); "
        f"nproc {os.cpu_count()}, Python {platform.python_version()}, load average {load:.2f} "
        "at the end.",
        "",
        "| stage | seconds |",
        "|---|---|",
        *(f"| {name} | {seconds:.2f} |" for name, seconds in timings),
        "",
    ]
    print("\n".join(report))
    with (ROOT / "bench" / "RESULTS.md").open("a", encoding="utf-8") as results:
        results.write("\n".join(report))
    if not is_sqlite():
        await engine.close_connection_pool()  # type: ignore[attr-defined]


if __name__ == "__main__":
    asyncio.run(main())
