"""`threadline backup` and `threadline restore`: one archive holds a consistent snapshot of
the database and every file of MEDIA_DIR; a restore into an empty instance brings back
every order acknowledged before the backup started, whole, and every file byte for byte."""

from __future__ import annotations

import asyncio
import hashlib
import io
import json
import os
import sqlite3
import sys
import tarfile
from collections.abc import AsyncIterator, Callable
from contextlib import closing
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from uuid import UUID

import pytest
from PIL import Image

from partner_portal import access
from partner_portal.accounts.services import viewer_for_user_id
from partner_portal.backup import BackupError, create_backup, restore_backup
from partner_portal.catalog import images
from partner_portal.catalog.tables import Style
from partner_portal.orders.services import OrderDraft, place_order
from partner_portal.orders.tables import OrderChannel
from partner_portal.settings import Settings, load_settings
from tests.orders.support import Shop, make_shop
from tests.support import Cast

ORDER_QUANTITIES = (("BLK", "S", 10), ("BLK", "M", 20), ("WHT", "L", 5))


@dataclass
class Instance:
    """Where a portal keeps its data: a database and a media folder."""

    database_url: str
    media_dir: Path

    @property
    def environment(self) -> dict[str, str]:
        return {**os.environ, "DATABASE_URL": self.database_url, "MEDIA_DIR": str(self.media_dir)}

    @property
    def settings(self) -> Settings:
        return load_settings(self.environment)

    async def rows(self, sql: str) -> list[tuple[Any, ...]]:
        """Rows of a query on this instance's database (not the test's engine: it may be
        another database)."""
        if self.database_url.startswith("sqlite:///"):
            path = self.database_url.removeprefix("sqlite:///")
            with closing(sqlite3.connect(path)) as connection, connection:
                return [tuple(row) for row in connection.execute(sql)]
        import asyncpg

        connection = await asyncpg.connect(self.database_url)
        try:
            return [tuple(row) for row in await connection.fetch(sql)]
        finally:
            await connection.close()

    def files(self) -> dict[str, bytes]:
        return {
            path.relative_to(self.media_dir).as_posix(): path.read_bytes()
            for path in sorted(self.media_dir.rglob("*"))
            if path.is_file()
        }


@pytest.fixture
def source(database: str, tmp_path: Path) -> Instance:
    """The test's own database, with its media in a folder of its own."""
    media_dir = tmp_path / "media"
    media_dir.mkdir()
    return Instance(database, media_dir)


@pytest.fixture
async def empty(database: str, is_postgres: bool, tmp_path: Path) -> AsyncIterator[Instance]:
    """A second instance, empty: a SQLite file not yet created, or a new PostgreSQL
    database beside the test's one."""
    media_dir = tmp_path / "restored-media"
    if not is_postgres:
        yield Instance(f"sqlite:///{tmp_path / 'restored.sqlite3'}", media_dir)
        return
    import asyncpg

    server, _, name = database.rpartition("/")
    fresh = f"{name}_restored"
    maintenance = await asyncpg.connect(f"{server}/postgres")
    try:
        await maintenance.execute(f'DROP DATABASE IF EXISTS "{fresh}" WITH (FORCE)')
        await maintenance.execute(f'CREATE DATABASE "{fresh}"')
        yield Instance(f"{server}/{fresh}", media_dir)
    finally:
        await maintenance.execute(f'DROP DATABASE IF EXISTS "{fresh}" WITH (FORCE)')
        await maintenance.close()


async def threadline(instance: Instance, *arguments: str, **environment: str) -> tuple[int, str]:
    """Run the `threadline` command on an instance (with these environment variables
    changed); its exit code and what it printed."""
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "partner_portal.cli",
        *arguments,
        env={**instance.environment, **environment},
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.STDOUT,
    )
    output, _ = await process.communicate()
    return process.returncode or 0, output.decode()


def picture(number: int) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (40 + number, 60), (number * 7 % 256, 90, 120)).save(buffer, "PNG")
    return buffer.getvalue()


class Writer:
    """Places orders (three lines each, one transaction) and adds style pictures (file,
    then row), through the services, until told to stop; keeps what was acknowledged."""

    def __init__(self, cast: Cast, shop: Shop, media_dir: Path) -> None:
        self.cast, self.shop, self.media_dir = cast, shop, media_dir
        self.orders: list[UUID] = []
        self.pictures: int = 0
        self.warmed_up = asyncio.Event()
        self.stop = asyncio.Event()

    async def run(self) -> None:
        buyer = await viewer_for_user_id(self.cast.distributor.id)
        admin = await viewer_for_user_id(self.cast.admin.id)
        styles = [
            await access.get_style(admin, row["uuid"])
            for row in await Style.select(Style.uuid).order_by(Style.id)
        ]
        while not self.stop.is_set():
            number = len(self.orders)
            style = self.shop.styles[number % len(self.shop.styles)]
            draft = OrderDraft(
                buyer_id=self.cast.distributor_a.id,
                channel=OrderChannel.distributor,
                lines=[style.line(*line) for line in ORDER_QUANTITIES],
            )
            placed = await place_order(buyer, draft)
            assert placed.saved, placed.errors
            assert placed.uuid is not None
            self.orders.append(placed.uuid)
            if number % 3 == 0 and self.pictures < 40:
                added = await images.add_style_image(
                    admin, styles[self.pictures % len(styles)], picture(number), self.media_dir
                )
                assert added == {}
                self.pictures += 1
            if len(self.orders) >= 6:
                self.warmed_up.set()


async def test_a_backup_taken_while_orders_are_placed_restores_every_acknowledged_order_whole(
    cast: Cast, source: Instance, empty: Instance, tmp_path: Path
) -> None:
    shop = await make_shop(style_count=4)
    (source.media_dir / "contracts" / "合同").mkdir(parents=True)
    (source.media_dir / "contracts" / "合同" / "v1.pdf").write_bytes(
        b"%PDF-1.7 " + os.urandom(5000)
    )
    writer = Writer(cast, shop, source.media_dir)
    writing = asyncio.create_task(writer.run())
    await writer.warmed_up.wait()

    acknowledged = set(writer.orders)
    files_before = source.files()
    archive = tmp_path / "threadline-backup.tar.gz"
    try:
        status, output = await threadline(source, "backup", "--output", str(archive))
    finally:
        writer.stop.set()
        await writing
    assert status == 0, output
    assert f"Backup written to {archive}" in output

    status, output = await threadline(empty, "restore", str(archive))
    assert status == 0, output
    assert "Restored the" in output

    restored = await empty.rows(
        "SELECT o.uuid, o.total_quantity, COUNT(l.id), SUM(l.quantity) FROM sales_order o "
        'LEFT JOIN sales_order_line l ON l."order" = o.id GROUP BY o.id, o.uuid, o.total_quantity'
    )
    restored_orders = {UUID(str(row[0])) for row in restored}
    assert acknowledged <= restored_orders  # every order acknowledged before the backup
    assert restored_orders <= set(writer.orders)
    # No half-written order: each has its three lines and the total they add up to.
    assert {row[1:] for row in restored} == {(35, 3, 35)}
    status_changes = await empty.rows(
        'SELECT COUNT(DISTINCT s."order") FROM sales_order_status_change s'
    )
    assert status_changes == [(len(restored_orders),)]

    restored_files = empty.files()
    for name, content in files_before.items():
        assert restored_files.get(name) == content, name
    # Every picture the restored database names is there, byte for byte as it was stored.
    for (path,) in await empty.rows("SELECT path FROM style_image"):
        assert restored_files[path] == (source.media_dir / path).read_bytes()
    # The planner has statistics at once, not after autovacuum gets round to it.
    assert await planner_statistics_of(empty, "sales_order")


async def planner_statistics_of(instance: Instance, table: str) -> bool:
    """Whether ANALYZE has run on the table (last_analyze is set by ANALYZE itself, not by
    autovacuum; SQLite keeps its statistics in sqlite_stat1)."""
    if instance.database_url.startswith("sqlite:///"):
        if not await instance.rows(
            "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'sqlite_stat1'"
        ):
            return False
        return bool(await instance.rows(f"SELECT 1 FROM sqlite_stat1 WHERE tbl = '{table}'"))
    analysed = await instance.rows(
        f"SELECT last_analyze FROM pg_stat_user_tables WHERE relname = '{table}'"
    )
    return bool(analysed) and analysed[0][0] is not None


async def test_a_restore_refuses_an_instance_that_holds_data_unless_forced(
    cast: Cast, source: Instance, empty: Instance, tmp_path: Path
) -> None:
    (source.media_dir / "styles").mkdir()
    (source.media_dir / "styles" / "front.png").write_bytes(picture(1))
    archive = tmp_path / "backup.tar.gz"
    manifest = await create_backup(source.settings, archive)
    assert [item.path for item in manifest.media_files] == ["media/styles/front.png"]

    with pytest.raises(BackupError, match="empty instance only") as refused:
        await restore_backup(source.settings, archive)
    assert "--force" in str(refused.value)
    assert "DELETE" in str(refused.value)

    await restore_backup(empty.settings, archive)
    (empty.media_dir / "left-over.txt").write_text("not in the backup")
    await empty.rows("UPDATE app_user SET display_name = 'changed after the restore'")
    with pytest.raises(BackupError, match="MEDIA_DIR"):
        await restore_backup(empty.settings, archive)

    report = await restore_backup(empty.settings, archive, force=True)

    assert report.replaced
    assert "deleted (--force)" in report.message
    assert empty.files() == source.files()
    names = await empty.rows("SELECT display_name FROM app_user ORDER BY id")
    assert ("changed after the restore",) not in names
    assert ("王小明",) in names


def rewrite(archive: Path, target: Path, change: Callable[[dict[str, bytes]], None]) -> None:
    """Copy a backup archive with its members changed by ``change``."""
    with tarfile.open(archive, "r:gz") as opened:
        members = {
            member.name: opened.extractfile(member).read()  # type: ignore[union-attr]
            for member in opened.getmembers()
        }
    change(members)
    with tarfile.open(target, "w:gz") as written:
        for name, content in members.items():
            info = tarfile.TarInfo(name)
            info.size = len(content)
            written.addfile(info, io.BytesIO(content))


def edit_manifest(edit: Callable[[dict[str, Any]], None]) -> Callable[[dict[str, bytes]], None]:
    def change(members: dict[str, bytes]) -> None:
        manifest = json.loads(members["manifest.json"])
        edit(manifest)
        members["manifest.json"] = json.dumps(manifest).encode()

    return change


async def test_a_damaged_foreign_or_newer_backup_is_refused_before_anything_is_touched(
    cast: Cast, source: Instance, empty: Instance, tmp_path: Path
) -> None:
    (source.media_dir / "contract.pdf").write_bytes(b"%PDF-1.7 original")
    archive = tmp_path / "backup.tar.gz"
    await create_backup(source.settings, archive)

    def damage(members: dict[str, bytes]) -> None:
        members["media/contract.pdf"] = b"%PDF-1.7 tampered"

    def other_engine(members: dict[str, bytes]) -> None:
        # The same archive as if made on the other engine (its database file renamed).
        manifest = json.loads(members["manifest.json"])
        names = {"sqlite": "database.sqlite3", "postgresql": "database.pgdump"}
        other = "postgresql" if manifest["engine"] == "sqlite" else "sqlite"
        members[names[other]] = members.pop(names[manifest["engine"]])
        for item in manifest["files"]:
            if item["path"] == names[manifest["engine"]]:
                item["path"] = names[other]
        manifest["engine"] = other
        members["manifest.json"] = json.dumps(manifest).encode()

    def newer(manifest: dict[str, Any]) -> None:
        manifest["migrations"].append("orders:2099-01-01T00:00:00:000000")

    for change, refusal in (
        (damage, "media/contract.pdf is missing or differs from the checksum"),
        (other_engine, "do not move data between the two"),
        (edit_manifest(newer), "made by a newer version of Threadline"),
    ):
        changed = tmp_path / "changed.tar.gz"
        rewrite(archive, changed, change)
        with pytest.raises(BackupError, match=refusal):
            await restore_backup(empty.settings, changed)
    (tmp_path / "not-a-backup.tar.gz").write_bytes(b"just some bytes")
    with pytest.raises(BackupError, match="damaged or is not a Threadline backup"):
        await restore_backup(empty.settings, tmp_path / "not-a-backup.tar.gz")

    assert not empty.media_dir.exists()
    tables = await empty.rows(
        "SELECT name FROM sqlite_master WHERE type = 'table'"
        if empty.database_url.startswith("sqlite")
        else "SELECT tablename FROM pg_tables WHERE schemaname = 'public'"
    )
    assert tables == []


# The migration that added the outbox's mail_server_status table, and that table.
LATER_MIGRATION = ("notifications", "2026-12-06T07:18:23:420091")
LATER_TABLE = "mail_server_status"


async def test_restoring_an_older_backup_runs_the_migrations_it_lacks(
    cast: Cast, source: Instance, empty: Instance, tmp_path: Path, is_postgres: bool
) -> None:
    if is_postgres:
        pytest.skip("the older backup is made by editing a SQLite snapshot; the code is shared")
    archive = tmp_path / "backup.tar.gz"
    await create_backup(source.settings, archive)
    snapshot = tmp_path / "older.sqlite3"

    def make_older(members: dict[str, bytes]) -> None:
        # The database as it was before LATER_MIGRATION: without its table and its record.
        snapshot.write_bytes(members["database.sqlite3"])
        with closing(sqlite3.connect(snapshot)) as connection, connection:
            connection.execute(f"DROP TABLE {LATER_TABLE}")
            connection.execute(
                "DELETE FROM migration WHERE app_name = ? AND name = ?", LATER_MIGRATION
            )
        members["database.sqlite3"] = snapshot.read_bytes()
        older = json.loads(members["manifest.json"])
        older["migrations"].remove(":".join(LATER_MIGRATION))
        [database] = [item for item in older["files"] if item["path"] == "database.sqlite3"]
        database["size"] = len(members["database.sqlite3"])
        database["sha256"] = hashlib.sha256(members["database.sqlite3"]).hexdigest()
        members["manifest.json"] = json.dumps(older).encode()

    older_archive = tmp_path / "older.tar.gz"
    rewrite(archive, older_archive, make_older)

    status, output = await threadline(empty, "restore", str(older_archive))

    assert status == 0, output
    assert "Ran 1 migration(s) the backup was older than" in output
    assert LATER_MIGRATION in await empty.rows("SELECT app_name, name FROM migration")
    assert await empty.rows(f"SELECT COUNT(*) FROM {LATER_TABLE}") == [(0,)]
    assert ("王小明",) in await empty.rows("SELECT display_name FROM app_user")


async def test_without_pg_dump_the_backup_says_what_to_install(
    source: Instance, tmp_path: Path, is_postgres: bool
) -> None:
    if not is_postgres:
        pytest.skip("SQLite needs no client program")
    archive = tmp_path / "backup.tar.gz"

    status, output = await threadline(
        source, "backup", "--output", str(archive), PATH=str(tmp_path / "empty-bin")
    )

    assert status == 2
    assert "pg_dump is not installed" in output
    assert "postgresql-client" in output
    assert not archive.exists()
