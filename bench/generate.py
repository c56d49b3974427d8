"""Fill a database with a large partner network for benchmarks.

    .venv/bin/python bench/generate.py [--partners 2000] [--contacts 20000] [--timeline 200000]
        [--opportunities 100000]

The database is BENCH_DATABASE_URL, else DATABASE_URL, else sqlite:///var/bench.sqlite3
(a PostgreSQL database that does not exist yet is created with psql). It runs the
migrations, loads the demo network (`threadline demo-data --if-empty`), then adds
generated partners owned by the demo KAMs, their contacts, addresses, territories,
one org-admin user each, and timeline entries, in bulk inserts of --batch rows
inside write transactions, then opportunities on the generated partners (about two
thirds open). A second run finds the generated partners and adds none; it adds
opportunities up to --opportunities.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import re
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

REPO = Path(__file__).resolve().parent.parent
DEFAULT_URL = "sqlite:///var/bench.sqlite3"
BENCH_DOMAIN = "bench.demo"  # generated partners' e-mail domains end with this
SEED = 424242


def database_url() -> str:
    return os.environ.get("BENCH_DATABASE_URL") or os.environ.get("DATABASE_URL") or DEFAULT_URL


def ensure_postgres_database(url: str) -> None:
    """Create the PostgreSQL database named in url with psql if it is missing."""
    parts = urlsplit(url)
    name = parts.path.lstrip("/")
    if not re.fullmatch(r"[A-Za-z0-9_]+", name):
        raise SystemExit(f"DATABASE_URL {url!r} should name a database like threadline_bench")
    maintenance = urlunsplit(parts._replace(path="/postgres"))
    exists = subprocess.run(
        ["psql", maintenance, "-tAc", f"SELECT 1 FROM pg_database WHERE datname = '{name}'"],
        capture_output=True,
        text=True,
        timeout=30,
        check=True,
    ).stdout.strip()
    if exists != "1":
        subprocess.run(
            ["psql", maintenance, "-c", f'CREATE DATABASE "{name}"'],
            check=True,
            timeout=60,
            capture_output=True,
        )
        print(f"Created PostgreSQL database {name}.")


# --------------------------------------------------------------------------- places


@dataclass(frozen=True)
class City:
    country: str
    region: str
    city: str
    districts: tuple[str, ...]
    streets: tuple[str, ...]
    postal: str
    area_code: str
    division: str  # CN: USCC administrative division; KR: tax office code
    region_code: str  # ISO 3166-2


CITIES = (
    City("CN", "上海市", "上海市", ("黄浦区", "静安区", "徐汇区", "浦东新区", "长宁区"),
         ("南京西路", "淮海中路", "世纪大道", "长乐路"), "2000", "021", "310101", "CN-SH"),
    City("CN", "北京市", "北京市", ("朝阳区", "海淀区", "东城区", "西城区"),
         ("建国路", "中关村大街", "王府井大街", "西单北大街"), "1000", "010", "110105", "CN-BJ"),
    City("CN", "广东省", "广州市", ("天河区", "越秀区", "海珠区", "白云区"),
         ("天河路", "北京路", "江南大道", "机场路"), "5100", "020", "440106", "CN-GD"),
    City("CN", "广东省", "深圳市", ("福田区", "南山区", "罗湖区"),
         ("深南大道", "华强北路", "科技园路"), "5180", "0755", "440304", "CN-GD"),
    City("CN", "浙江省", "杭州市", ("上城区", "西湖区", "滨江区", "拱墅区"),
         ("延安路", "文三路", "江南大道", "湖墅南路"), "3100", "0571", "330102", "CN-ZJ"),
    City("CN", "江苏省", "南京市", ("秦淮区", "鼓楼区", "玄武区"),
         ("中山南路", "中山北路", "珠江路"), "2100", "025", "320104", "CN-JS"),
    City("CN", "江苏省", "苏州市", ("姑苏区", "工业园区", "吴江区"),
         ("观前街", "金鸡湖大道", "人民路"), "2150", "0512", "320508", "CN-JS"),
    City("CN", "四川省", "成都市", ("锦江区", "青羊区", "武侯区"),
         ("春熙路", "人民南路", "科华北路"), "6100", "028", "510104", "CN-SC"),
    City("CN", "重庆市", "重庆市", ("渝中区", "江北区", "南岸区"),
         ("民族路", "观音桥步行街", "南坪正街"), "4000", "023", "500103", "CN-CQ"),
    City("CN", "湖北省", "武汉市", ("江汉区", "武昌区", "洪山区"),
         ("江汉路", "中南路", "珞喻路"), "4300", "027", "420103", "CN-HB"),
    City("CN", "陕西省", "西安市", ("碑林区", "雁塔区", "新城区"),
         ("东大街", "小寨东路", "解放路"), "7100", "029", "610103", "CN-SN"),
    City("CN", "福建省", "厦门市", ("思明区", "湖里区"),
         ("中山路", "湖滨南路", "嘉禾路"), "3610", "0592", "350203", "CN-FJ"),
    City("KR", "서울특별시", "서울특별시", ("강남구", "중구", "마포구", "송파구", "종로구"),
         ("테헤란로", "을지로", "와우산로", "올림픽로", "종로"), "06", "02", "220", "KR-11"),
    City("KR", "부산광역시", "부산광역시", ("부산진구", "해운대구", "중구"),
         ("중앙대로", "해운대로", "광복로"), "48", "051", "605", "KR-26"),
    City("KR", "경기도", "성남시", ("분당구", "수정구"),
         ("정자일로", "판교역로", "성남대로"), "13", "031", "144", "KR-41"),
    City("KR", "인천광역시", "인천광역시", ("연수구", "남동구"),
         ("컨벤시아대로", "인하로", "구월로"), "21", "032", "131", "KR-28"),
    City("KR", "대구광역시", "대구광역시", ("중구", "수성구"),
         ("동성로", "달구벌대로"), "41", "053", "503", "KR-27"),
)  # fmt: skip

CN_TRADE = ("锦程", "华彩", "衣尚", "云裳", "雅致", "新潮", "汇丰", "盛世", "金桥", "东方", "恒信",
            "德隆", "佳美", "优品", "天成", "瑞丰", "锦华", "鼎盛", "嘉禾", "明珠")  # fmt: skip
KR_TRADE = ("한결", "미래", "다온", "새봄", "나래", "가온", "온누리", "하나", "푸른", "별빛",
            "한빛", "소망", "늘봄", "대한")  # fmt: skip
CN_SUFFIX = {
    "distributor": ("服饰贸易有限公司", "服装商贸有限公司"),
    "retailer": ("服饰店", "服饰商行", "时装专卖店", "服饰有限公司"),
    "fabric_supplier": ("纺织有限公司", "织造有限公司"),
    "trim_supplier": ("服装辅料有限公司", "纽扣拉链厂"),
    "group_client": ("酒店管理有限公司", "物业服务有限公司", "航空服务有限公司", "商业银行股份有限公司",
                     "物流集团有限公司", "连锁餐饮有限公司"),
}  # fmt: skip
KR_SUFFIX = {
    "distributor": ("유통 주식회사", "어패럴 주식회사"),
    "retailer": ("패션", "의류", "클로젯", "스타일"),
    "fabric_supplier": ("섬유 주식회사", "텍스타일"),
    "trim_supplier": ("부자재", "단추"),
    "group_client": ("호텔 주식회사", "물류 주식회사", "병원", "항공서비스 주식회사"),
}
EN_SUFFIX = {
    "distributor": "Apparel Trading Co., Ltd.",
    "retailer": "Fashion Store",
    "fabric_supplier": "Textile Co., Ltd.",
    "trim_supplier": "Garment Accessories Co., Ltd.",
    "group_client": "Group Co., Ltd.",
}
KINDS = (
    ("distributor", 10),
    ("retailer", 70),
    ("group_client", 12),
    ("fabric_supplier", 5),
    ("trim_supplier", 3),
)
STATUSES = (("active", 80), ("prospect", 8), ("dormant", 8), ("churned", 4))


def postal_code(rng: random.Random, city: City) -> str:
    """Six digits in China, five in Korea, starting with the city's prefix."""
    width = (6 if city.country == "CN" else 5) - len(city.postal)
    return f"{city.postal}{rng.randrange(10**width):0{width}d}"


async def insert_rows(table: Any, columns: Sequence[Any], rows: Sequence[tuple[Any, ...]]) -> None:
    """One multi-row INSERT of plain tuples.

    Building a Piccolo Table instance per row costs more than the insert itself
    (~150 us each), so the big tables are written from tuples.
    """
    from piccolo.querystring import QueryString

    names = ", ".join(f'"{column._meta.db_column_name}"' for column in columns)
    one_row = "(" + ", ".join("{}" for _ in columns) + ")"
    sql = f"INSERT INTO {table._meta.get_formatted_tablename()} ({names}) VALUES " + ", ".join(
        [one_row] * len(rows)
    )
    await table._meta.db.run_querystring(QueryString(sql, *[v for row in rows for v in row]))


def batches(rows: Sequence[Any], size: int) -> Iterator[Sequence[Any]]:
    for start in range(0, len(rows), size):
        yield rows[start : start + size]


# --------------------------------------------------------------------------- generation


async def generate(partners: int, contacts: int, timeline: int, batch: int) -> str:
    from partner_portal.accounts.services import hash_password
    from partner_portal.clock import utcnow
    from partner_portal.database import write_transaction
    from partner_portal.demo import network, people
    from partner_portal.demo import timeline as demo_timeline
    from partner_portal.partners.tables import (
        Address,
        AddressKind,
        Contact,
        Organisation,
        OrganisationKind,
        Role,
        Territory,
        Tier,
        TimelineEntry,
        User,
    )

    existing = await Organisation.count().where(Organisation.email.like(f"%.{BENCH_DOMAIN}"))
    if existing:
        return f"{existing} generated partners are already there: nothing added."
    brand = (
        await Organisation.select(Organisation.id)
        .where(Organisation.kind == OrganisationKind.brand)
        .first()
    )
    assert brand is not None, "the demo data should have created the brand"
    kams = [
        row["id"]
        for row in await User.select(User.id)
        .where((User.role == Role.kam) & (User.organisation == brand["id"]))
        .order_by(User.id)
    ]
    staff = [
        row["id"]
        for row in await User.select(User.id)
        .where((User.role == Role.brand_staff) & (User.organisation == brand["id"]))
        .order_by(User.id)
    ]
    CONTACT_COLUMNS = (
        Contact.uuid,
        Contact.organisation,
        Contact.name,
        Contact.romanised_name,
        Contact.job_title,
        Contact.phone,
        Contact.email,
        Contact.wechat_id,
        Contact.kakao_id,
        Contact.is_primary,
        Contact.created_at,
        Contact.version,
    )
    TIMELINE_COLUMNS = (
        TimelineEntry.uuid,
        TimelineEntry.organisation,
        TimelineEntry.kind,
        TimelineEntry.occurred_at,
        TimelineEntry.author,
        TimelineEntry.summary,
        TimelineEntry.internal,
        TimelineEntry.created_at,
    )
    rng = random.Random(SEED)
    now = utcnow()
    password_hash = hash_password(network.DEMO_PASSWORD)

    def ago(days: float) -> datetime:
        return now - timedelta(seconds=rng.uniform(0, days * 86_400))

    # Partners: distributors first so that retailers can name one as parent.
    kinds = rng.choices([k for k, _ in KINDS], [w for _, w in KINDS], k=partners)
    kinds.sort(key=lambda kind: kind != "distributor")
    plans: list[dict[str, Any]] = []
    for number, kind in enumerate(kinds, start=1):
        city = rng.choice(CITIES)
        korean = city.country == "KR"
        trade = rng.choice(KR_TRADE if korean else CN_TRADE)
        suffix = rng.choice((KR_SUFFIX if korean else CN_SUFFIX)[kind])
        place = city.city if korean else city.city.removesuffix("市")
        legal_name = f"{place}{trade}{suffix}" if not korean else f"{trade}{suffix} {place}"
        plans.append(
            {
                "number": number,
                "kind": kind,
                "city": city,
                "legal_name": f"{legal_name} {number}",
                "english_name": f"{trade} {EN_SUFFIX[kind]} No. {number}",
                "domain": f"p{number}.{BENCH_DOMAIN}",
            }
        )
    organisation_ids: dict[int, int] = {}
    distributor_ids: list[int] = []
    started = time.perf_counter()
    for chunk in batches(plans, batch):
        rows: list[Organisation] = []
        by_uuid: dict[uuid.UUID, dict[str, Any]] = {}
        for plan in chunk:
            city = plan["city"]
            row_uuid = people.seeded_uuid(rng)
            by_uuid[row_uuid] = plan
            created = ago(900)
            tax_id = (
                people.make_brn(rng, city.division, "81")
                if city.country == "KR"
                else people.make_uscc(rng, city.division)
            )
            rows.append(
                Organisation(
                    uuid=row_uuid,
                    kind=OrganisationKind(plan["kind"]),
                    legal_name=plan["legal_name"],
                    english_name=plan["english_name"],
                    country=city.country,
                    tax_id=tax_id,
                    currency=network.currency_for(city.country),
                    language=network.locale_for(city.country),
                    tier=rng.choice(list(Tier)),
                    status=rng.choices([s for s, _ in STATUSES], [w for _, w in STATUSES])[0],
                    parent_distributor=(
                        rng.choice(distributor_ids)
                        if plan["kind"] == "retailer" and distributor_ids
                        else None
                    ),
                    owner=rng.choice(kams),
                    phone=people.office_phone(rng, city.country, city.area_code),
                    email=f"info@{plan['domain']}",
                    website=f"https://www.{plan['domain']}",
                    created_at=created,
                    updated_at=created + (now - created) * rng.random(),
                )
            )
        async with write_transaction():
            result = await Organisation.insert(*rows).returning(Organisation.id, Organisation.uuid)
        for row in result:
            plan = by_uuid[uuid.UUID(str(row["uuid"]))]
            organisation_ids[plan["number"]] = row["id"]
            if plan["kind"] == "distributor":
                distributor_ids.append(row["id"])
    print(f"  {len(plans)} partners in {time.perf_counter() - started:.1f}s", flush=True)

    # One office address each, territories for distributors, one org admin each.
    started = time.perf_counter()
    addresses: list[Address] = []
    territories: list[Territory] = []
    users: list[User] = []
    for plan in plans:
        city = plan["city"]
        org_id = organisation_ids[plan["number"]]
        addresses.append(
            Address(
                organisation=org_id,
                kind=AddressKind.office,
                country=city.country,
                region=city.region,
                city=city.city,
                district=rng.choice(city.districts),
                street=(
                    f"{rng.choice(city.streets)} {rng.randint(1, 400)}"
                    if city.country == "KR"
                    else f"{rng.choice(city.streets)}{rng.randint(1, 400)}号"
                ),
                postal_code=postal_code(rng, city),
            )
        )
        if plan["kind"] == "distributor":
            territories.append(Territory(organisation=org_id, region_code=city.region_code))
        admin = people.make_person(rng, city.country)
        users.append(
            User(
                email=f"admin@{plan['domain']}",
                display_name=admin.name,
                password_hash=password_hash,
                role=network.partner_role(plan["kind"]),
                organisation=org_id,
                is_org_admin=True,
                locale=network.locale_for(city.country),
                time_zone=network.time_zone_for(city.country),
                created_at=ago(400),
            )
        )
    for table, rows_of_kind in ((Address, addresses), (Territory, territories), (User, users)):
        async with write_transaction():
            for chunk in batches(rows_of_kind, batch):
                await table.insert(*chunk)
    print(f"  addresses, territories and users in {time.perf_counter() - started:.1f}s", flush=True)

    # Contacts: spread unevenly, at least one per partner.
    started = time.perf_counter()
    owners = [plan["number"] for plan in plans]
    contact_owners = owners + rng.choices(owners, k=max(0, contacts - len(owners)))
    for chunk in batches(contact_owners[:contacts], batch):
        rows_contact: list[tuple[Any, ...]] = []
        for number in chunk:
            plan = plans[number - 1]
            country = plan["city"].country
            person = people.make_person(rng, country)
            wechat, kakao = people.messaging_ids(rng, person, country)
            title = rng.choice(people.JOB_TITLES[(country, network.job_family(plan["kind"]))])
            rows_contact.append(
                (
                    people.seeded_uuid(rng),
                    organisation_ids[number],
                    person.name,
                    person.romanised,
                    title,
                    people.mobile_phone(rng, country),
                    f"{person.slug}@{plan['domain']}",
                    wechat,
                    kakao,
                    False,
                    ago(400),
                    1,
                )
            )
        async with write_transaction():
            await insert_rows(Contact, CONTACT_COLUMNS, rows_contact)
    print(f"  {contacts} contacts in {time.perf_counter() - started:.1f}s", flush=True)

    # Timeline: a long tail, as in life (a few partners get most of the attention).
    started = time.perf_counter()
    weights = [rng.paretovariate(1.2) for _ in plans]
    per_transaction = batch * 10
    for block_start in range(0, timeline, per_transaction):
        block = min(per_transaction, timeline - block_start)
        numbers = rng.choices(owners, weights, k=block)
        async with write_transaction():
            for chunk in batches(numbers, batch):
                rows_entry: list[tuple[Any, ...]] = []
                for number in chunk:
                    plan = plans[number - 1]
                    kind = demo_timeline.timeline_kind(rng)
                    occurred = ago(demo_timeline.TIMELINE_DAYS)
                    country = plan["city"].country
                    contact = people.make_person(rng, country).name
                    summary = demo_timeline.timeline_text(
                        rng, kind, country, plan["kind"], contact, occurred.year
                    )
                    rows_entry.append(
                        (
                            people.seeded_uuid(rng),
                            organisation_ids[number],
                            kind.value,
                            occurred,
                            rng.choice(kams if rng.random() < 0.85 else staff),
                            summary,
                            demo_timeline.is_internal(rng, kind),
                            occurred,
                        )
                    )
                await insert_rows(TimelineEntry, TIMELINE_COLUMNS, rows_entry)
        if (block_start + block) % 50_000 == 0:
            print(f"  {block_start + block} timeline entries...", flush=True)
    print(f"  {timeline} timeline entries in {time.perf_counter() - started:.1f}s", flush=True)
    return f"Generated {partners} partners, {contacts} contacts, {timeline} timeline entries."


OPPORTUNITY_TITLE = "Bench opportunity"  # how a second run recognises the generated ones
STAGES = (
    ("lead", 20),
    ("qualified", 16),
    ("proposal", 15),
    ("negotiation", 15),
    ("won", 17),
    ("lost", 17),
)  # fmt: skip  (about two thirds open, as in issue 21's measurement)
OPPORTUNITY_KINDS = ("new_distributor", "reorder_season", "group_tender", "private_label")


async def generate_opportunities(count: int, batch: int) -> str:
    """``count`` opportunities on the generated partners, owned by the partner's KAM, in
    multi-row INSERTs (the sales board and forecast sum the open ones on every request)."""
    from decimal import Decimal

    from partner_portal.clock import utcnow
    from partner_portal.database import write_transaction
    from partner_portal.demo import people
    from partner_portal.partners.tables import Organisation
    from sales.tables import Opportunity

    existing = await Opportunity.count().where(Opportunity.title == OPPORTUNITY_TITLE)
    if existing >= count:
        return f"{existing} generated opportunities are already there: nothing added."
    partners = await Organisation.select(
        Organisation.id, Organisation.owner, Organisation.currency
    ).where(Organisation.email.like(f"%.{BENCH_DOMAIN}"), Organisation.owner.is_not_null())
    if not partners:
        return "No generated partners: no opportunities added."
    columns = (
        Opportunity.uuid, Opportunity.organisation, Opportunity.title, Opportunity.kind,
        Opportunity.expected_value, Opportunity.currency, Opportunity.expected_close_date,
        Opportunity.stage, Opportunity.probability, Opportunity.lost_reason, Opportunity.owner,
        Opportunity.competitors, Opportunity.next_step, Opportunity.closed_at,
        Opportunity.draft_link, Opportunity.created_at, Opportunity.updated_at,
        Opportunity.version,
    )  # fmt: skip
    probability = {"lead": 10, "qualified": 25, "proposal": 50, "negotiation": 75, "won": 100,
                   "lost": 0}  # fmt: skip
    rng = random.Random(SEED + 1)
    now = utcnow()
    started = time.perf_counter()
    rows: list[tuple[Any, ...]] = []
    for _ in range(count - existing):
        partner = rng.choice(partners)
        stage = rng.choices([s for s, _ in STAGES], [w for _, w in STAGES])[0]
        closed = now - timedelta(days=rng.uniform(0, 400)) if stage in ("won", "lost") else None
        rows.append(
            (people.seeded_uuid(rng), partner["id"], OPPORTUNITY_TITLE,
             rng.choice(OPPORTUNITY_KINDS), Decimal(rng.randrange(10, 5000) * 1000),
             partner["currency"], (now + timedelta(days=rng.randint(-60, 365))).date(), stage,
             Decimal(probability[stage]), "price" if stage == "lost" else "", partner["owner"],
             "", "", closed, "", now, now, 1)
        )  # fmt: skip
    for block in batches(rows, batch * 10):
        async with write_transaction():
            for chunk in batches(block, batch):
                await insert_rows(Opportunity, columns, chunk)
    print(f"  {len(rows)} opportunities in {time.perf_counter() - started:.1f}s", flush=True)
    return f"Generated {len(rows)} opportunities."


async def refresh_statistics() -> None:
    """What autovacuum would do some minutes after the bulk load: a benchmark started at
    once would otherwise measure plans made for empty tables (no statistics) and, on
    PostgreSQL, heap reads an index-only scan avoids once the visibility map is set
    (VACUUM sets it; a bulk-loaded table has none)."""
    from piccolo.engine import PostgresEngine, engine_finder

    engine = engine_finder()
    assert engine is not None
    await engine.run_ddl("VACUUM ANALYZE" if isinstance(engine, PostgresEngine) else "ANALYZE")


async def run(arguments: argparse.Namespace) -> None:
    from partner_portal.database import close_database, open_database
    from partner_portal.settings import install, load_settings

    install(load_settings())  # this script is a composition root: DATABASE_URL is set
    started_pool = await open_database()
    try:
        print(
            await generate(
                arguments.partners, arguments.contacts, arguments.timeline, arguments.batch
            )
        )
        print(await generate_opportunities(arguments.opportunities, arguments.batch))
        await refresh_statistics()
    finally:
        await close_database(started_pool)


def load_demo_data() -> None:
    """Migrate and load the whole demo network through the `threadline` command, so every
    module's demo rows (line sheets, orders, opportunities, campaigns...) are there too."""
    threadline = str(Path(sys.executable).parent / "threadline")
    subprocess.run([threadline, "migrate"], cwd=REPO, check=True)
    subprocess.run([threadline, "demo-data", "--if-empty"], cwd=REPO, check=True)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--database-url", default=None, help="overrides BENCH_DATABASE_URL/DATABASE_URL"
    )
    parser.add_argument("--partners", type=int, default=2_000)
    parser.add_argument("--contacts", type=int, default=20_000)
    parser.add_argument("--timeline", type=int, default=200_000)
    parser.add_argument("--opportunities", type=int, default=100_000)
    parser.add_argument("--batch", type=int, default=1_000, help="rows per INSERT")
    arguments = parser.parse_args(argv)
    url = arguments.database_url or database_url()
    os.chdir(REPO)
    if url.startswith("sqlite:///"):
        Path(url.removeprefix("sqlite:///")).parent.mkdir(parents=True, exist_ok=True)
    else:
        ensure_postgres_database(url)
    # piccolo_conf reads DATABASE_URL when first imported, so it is set before any import of it.
    os.environ["DATABASE_URL"] = url
    sys.path.insert(0, str(REPO))
    started = time.perf_counter()
    print(f"Generating into {url}", flush=True)
    load_demo_data()
    asyncio.run(run(arguments))
    print(f"Done in {time.perf_counter() - started:.1f}s.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
