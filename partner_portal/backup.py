"""Backup and restore of a whole instance: the database and MEDIA_DIR, in one archive.

A backup is a tar.gz file holding

- ``database.sqlite3`` (SQLite: a copy made with SQLite's online backup API, consistent
  while the server keeps writing) or ``database.pgdump`` (PostgreSQL: pg_dump's custom
  format, one consistent snapshot);
- ``media/...``: every file under MEDIA_DIR (pictures, certificates, contract PDFs),
  copied after the database snapshot, so every file a row of the snapshot names is there;
- ``manifest.json``: the format version, the engine, the migrations the database had,
  when it was made, and every file's size and sha256.

A restore goes into an empty instance only (or replaces one when forced), checks every
file against the manifest before it touches anything, and then runs the migrations the
backup is older than.
"""

from __future__ import annotations

import asyncio
import hashlib
import io
import json
import os
import shutil
import sqlite3
import sys
import tarfile
import tempfile
import zlib
from collections.abc import Iterator
from contextlib import closing
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import IO, Any
from urllib.parse import unquote, urlsplit, urlunsplit

from partner_portal.clock import utcnow
from partner_portal.database import SQLITE_BUSY_TIMEOUT_SECONDS
from partner_portal.settings import Settings

FORMAT_VERSION = 1
MANIFEST_NAME = "manifest.json"
MEDIA_FOLDER = "media"
SQLITE_SNAPSHOT = "database.sqlite3"
POSTGRES_DUMP = "database.pgdump"
# Piccolo's record of the migrations a database has had: not "data" when checking that
# the instance a backup is restored into is empty.
MIGRATION_TABLE = "migration"
CHUNK_BYTES = 1024 * 1024


class BackupError(Exception):
    """A backup or restore that cannot go ahead; the message says why and what to do."""


@dataclass(frozen=True)
class ArchivedFile:
    path: str  # inside the archive, e.g. "media/contracts/<uuid>/v1-....pdf"
    size: int
    sha256: str


@dataclass(frozen=True)
class Manifest:
    format: int
    engine: str  # "sqlite" or "postgresql"
    created_at: str  # ISO 8601, UTC
    migrations: list[str]  # "app:migration id" of every migration the database had
    files: list[ArchivedFile]

    @property
    def media_files(self) -> list[ArchivedFile]:
        return [item for item in self.files if item.path.startswith(f"{MEDIA_FOLDER}/")]

    @property
    def database_file(self) -> str:
        return SQLITE_SNAPSHOT if self.engine == "sqlite" else POSTGRES_DUMP

    def summary(self) -> str:
        media = self.media_files
        [database] = [item for item in self.files if item.path == self.database_file]
        return (
            f"the {_engine_name(self.engine)} database ({_megabytes(database.size)}, "
            f"{len(self.migrations)} migrations) and {len(media)} media file(s) "
            f"({_megabytes(sum(item.size for item in media))}), as of {self.created_at}"
        )

    def to_json(self) -> bytes:
        return json.dumps(asdict(self), ensure_ascii=False, indent=1).encode()

    @classmethod
    def from_json(cls, content: bytes) -> Manifest:
        data = json.loads(content)
        return cls(
            format=int(data["format"]),
            engine=str(data["engine"]),
            created_at=str(data["created_at"]),
            migrations=[str(name) for name in data["migrations"]],
            files=[ArchivedFile(**item) for item in data["files"]],
        )


@dataclass
class RestoreReport:
    manifest: Manifest
    replaced: bool = False  # --force emptied a database or MEDIA_DIR that held data
    migrations_run: list[str] = field(default_factory=list)

    @property
    def message(self) -> str:
        text = f"Restored {self.manifest.summary()}."
        if self.replaced:
            text += " What the instance held before was deleted (--force)."
        if self.migrations_run:
            text += f" Ran {len(self.migrations_run)} migration(s) the backup was older than."
        return text


def engine_of(database_url: str) -> str:
    return "sqlite" if database_url.startswith("sqlite:") else "postgresql"


# --- backup ------------------------------------------------------------------------------


async def create_backup(settings: Settings, output: Path) -> Manifest:
    """Write a backup of the database and MEDIA_DIR to ``output`` (a .tar.gz file).

    Safe while the portal runs and writes. The archive is written beside ``output`` under
    another name and renamed when complete, so ``output`` is never half a backup.
    """
    output = await asyncio.to_thread(_archive_target, output)
    engine = engine_of(settings.database_url)
    with tempfile.TemporaryDirectory(prefix=".threadline-backup-", dir=output.parent) as work:
        if engine == "sqlite":
            snapshot = Path(work) / SQLITE_SNAPSHOT
            await asyncio.to_thread(_snapshot_sqlite, _sqlite_path(settings), snapshot)
            migrations = await asyncio.to_thread(_sqlite_migrations, snapshot)
        else:
            snapshot = Path(work) / POSTGRES_DUMP
            migrations = await _dump_postgres(settings.database_url, snapshot)
        partial = Path(work) / output.name
        manifest = await asyncio.to_thread(
            _write_archive, partial, snapshot, Path(settings.media_dir), engine, migrations
        )
        os.replace(partial, output)
    return manifest


def _archive_target(output: Path) -> Path:
    output = output.resolve()
    if not output.parent.is_dir():
        raise BackupError(f"The folder {output.parent} does not exist.")
    return output


def _sqlite_path(settings: Settings) -> Path:
    return Path(settings.database_url.removeprefix("sqlite:///"))


def _snapshot_sqlite(source: Path, target: Path) -> None:
    """Copy the database with SQLite's backup API: all pages in one step under one read
    transaction, so the copy is the database as of one commit (copying the file while the
    server writes loses or tears the last transactions)."""
    if not source.is_file():
        raise BackupError(f"There is no SQLite database at {source}: check DATABASE_URL.")
    with (
        closing(sqlite3.connect(source, timeout=SQLITE_BUSY_TIMEOUT_SECONDS)) as database,
        closing(sqlite3.connect(target)) as copy,
    ):
        database.backup(copy)
        problems = [row[0] for row in copy.execute("PRAGMA quick_check")]
    if problems != ["ok"]:
        raise BackupError(f"The database at {source} is damaged: {'; '.join(problems[:5])}")


def _sqlite_migrations(database: Path) -> list[str]:
    with closing(sqlite3.connect(database)) as connection:
        exists = connection.execute(
            "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?", (MIGRATION_TABLE,)
        ).fetchone()
        if not exists:
            return []
        rows = connection.execute(f"SELECT app_name, name FROM {MIGRATION_TABLE} ORDER BY id")
        return [f"{app}:{name}" for app, name in rows]


async def _dump_postgres(database_url: str, target: Path) -> list[str]:
    """pg_dump the database into ``target``; returns its migrations as of the same snapshot
    (exported from a repeatable-read transaction that pg_dump then shares)."""
    pg_dump = _client_program("pg_dump")
    connection = await _connect_postgres(database_url)
    try:
        async with connection.transaction(isolation="repeatable_read", readonly=True):
            snapshot = await connection.fetchval("SELECT pg_export_snapshot()")
            migrations = await _postgres_migrations(connection)
            await _run_client(
                pg_dump,
                "--format=custom",
                "--no-owner",
                "--no-privileges",
                f"--snapshot={snapshot}",
                f"--file={target}",
                database_url=database_url,
            )
    finally:
        await connection.close()
    return migrations


async def _postgres_migrations(connection: Any) -> list[str]:
    if not await connection.fetchval("SELECT to_regclass($1) IS NOT NULL", MIGRATION_TABLE):
        return []
    rows = await connection.fetch(f"SELECT app_name, name FROM {MIGRATION_TABLE} ORDER BY id")
    return [f"{row['app_name']}:{row['name']}" for row in rows]


def _write_archive(
    archive_path: Path, snapshot: Path, media_dir: Path, engine: str, migrations: list[str]
) -> Manifest:
    files: list[ArchivedFile] = []
    with tarfile.open(archive_path, "w:gz") as archive:
        files.append(_add_file(archive, snapshot, snapshot.name))
        for path in _media_files(media_dir):
            relative = path.relative_to(media_dir).as_posix()
            try:
                files.append(_add_file(archive, path, f"{MEDIA_FOLDER}/{relative}"))
            except FileNotFoundError:
                continue  # deleted since it was listed: a picture removed meanwhile
        manifest = Manifest(
            format=FORMAT_VERSION,
            engine=engine,
            created_at=utcnow().isoformat(timespec="seconds"),
            migrations=migrations,
            files=files,
        )
        content = manifest.to_json()
        info = tarfile.TarInfo(MANIFEST_NAME)
        info.size = len(content)
        info.mtime = int(utcnow().timestamp())
        archive.addfile(info, io.BytesIO(content))
    return manifest


def _media_files(media_dir: Path) -> Iterator[Path]:
    if not media_dir.is_dir():
        return
    for folder, _folders, names in sorted(os.walk(media_dir)):
        for name in sorted(names):
            path = Path(folder) / name
            if path.is_file() and not path.is_symlink():
                yield path


class _HashingReader:
    """Reads a file for tarfile and hashes exactly the bytes that go into the archive."""

    def __init__(self, file: IO[bytes]) -> None:
        self.file = file
        self.digest = hashlib.sha256()

    def read(self, size: int = -1) -> bytes:
        chunk = self.file.read(size)
        self.digest.update(chunk)
        return chunk


def _add_file(archive: tarfile.TarFile, path: Path, name: str) -> ArchivedFile:
    with path.open("rb") as file:
        status = os.fstat(file.fileno())
        info = tarfile.TarInfo(name)
        info.size = status.st_size
        info.mtime = int(status.st_mtime)
        info.mode = 0o644
        reader = _HashingReader(file)
        archive.addfile(info, reader)  # type: ignore[arg-type]
    return ArchivedFile(path=name, size=info.size, sha256=reader.digest.hexdigest())


# --- restore -----------------------------------------------------------------------------


async def restore_backup(settings: Settings, archive: Path, force: bool = False) -> RestoreReport:
    """Restore a backup into this instance (DATABASE_URL and MEDIA_DIR), then run the
    migrations the backup is older than.

    The instance must be empty (no rows in any table, no file in MEDIA_DIR) unless
    ``force``: then everything in its database and MEDIA_DIR is deleted first. Nothing is
    touched until the whole archive has been checked against its manifest.
    """
    if not await asyncio.to_thread(archive.is_file):
        raise BackupError(f"There is no backup file at {archive}.")
    engine = engine_of(settings.database_url)
    media_dir = Path(settings.media_dir)
    with tempfile.TemporaryDirectory(prefix="threadline-restore-") as work:
        unpacked = Path(work)
        manifest = await asyncio.to_thread(_unpack_and_check, archive, unpacked)
        if manifest.engine != engine:
            raise BackupError(
                f"This backup holds a {_engine_name(manifest.engine)} database but DATABASE_URL "
                f"points at {_engine_name(engine)}. Restore it into a {_engine_name(manifest.engine)} "
                "database: backup and restore do not move data between the two."
            )
        _refuse_newer_migrations(manifest)
        held = await _what_the_instance_holds(settings)
        if held and not force:
            raise BackupError(
                "A backup is restored into an empty instance only, and this one is not: "
                f"{' and '.join(held)}. Point DATABASE_URL and MEDIA_DIR at an empty database "
                "and folder, or run again with --force to DELETE everything in this database "
                "and in MEDIA_DIR and put the backup in its place."
            )
        database = unpacked / manifest.database_file
        if engine == "sqlite":
            await asyncio.to_thread(_restore_sqlite, database, _sqlite_path(settings))
        else:
            await _restore_postgres(database, settings.database_url)
        await asyncio.to_thread(_restore_media, unpacked / MEDIA_FOLDER, media_dir)
    report = RestoreReport(manifest, replaced=bool(held))
    pending = sorted(set(known_migrations()) - set(manifest.migrations))
    if pending:
        await _migrate(settings.database_url)
        report.migrations_run = pending
    await _gather_statistics(engine, settings)
    return report


async def _gather_statistics(engine: str, settings: Settings) -> None:
    """ANALYZE the restored database: until statistics exist the planner takes its tables
    for nearly empty, and pages such as the sales board and partner search took seconds
    instead of milliseconds on freshly loaded data (docs/SCALING.md)."""
    if engine == "sqlite":
        await asyncio.to_thread(_analyze_sqlite, _sqlite_path(settings))
        return
    connection = await _connect_postgres(settings.database_url)
    try:
        await connection.execute("ANALYZE")
    finally:
        await connection.close()


def _analyze_sqlite(database: Path) -> None:
    with closing(sqlite3.connect(database, timeout=SQLITE_BUSY_TIMEOUT_SECONDS)) as connection:
        connection.execute("ANALYZE")


async def _migrate(database_url: str) -> None:
    """`threadline migrate` on the restored database (in its own process, since this
    process's engine may point elsewhere)."""
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "partner_portal.cli",
        "migrate",
        env={**os.environ, "DATABASE_URL": database_url},
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.STDOUT,
    )
    output, _errors = await process.communicate()
    if process.returncode != 0:
        raise BackupError(
            "The backup was restored, but migrating it to this version failed; fix the "
            "cause and run `threadline migrate`: " + output.decode(errors="replace").strip()[-2000:]
        )


def _engine_name(engine: str) -> str:
    return "SQLite" if engine == "sqlite" else "PostgreSQL"


def _unpack_and_check(archive: Path, target: Path) -> Manifest:
    """Unpack the archive and check every file against the manifest (size and sha256)."""
    damaged = f"{archive} is damaged or is not a Threadline backup"
    try:
        with tarfile.open(archive, "r:gz") as opened:
            opened.extractall(target, filter="data")
    except (tarfile.TarError, EOFError, zlib.error, OSError) as error:
        raise BackupError(f"{damaged} ({error}).") from None
    try:
        manifest = Manifest.from_json((target / MANIFEST_NAME).read_bytes())
    except (OSError, ValueError, KeyError, TypeError) as error:
        raise BackupError(
            f"{damaged}: its {MANIFEST_NAME} is missing or unreadable ({error})."
        ) from None
    if manifest.format > FORMAT_VERSION:
        raise BackupError(
            f"This backup has format {manifest.format}; this version of Threadline reads "
            f"format {FORMAT_VERSION} and older. Restore it with a newer Threadline."
        )
    listed = {item.path for item in manifest.files}
    if manifest.database_file not in listed:
        raise BackupError(f"{damaged}: it holds no {manifest.database_file}.")
    for item in manifest.files:
        path = target / item.path
        if not path.is_file() or path.stat().st_size != item.size or _sha256(path) != item.sha256:
            raise BackupError(
                f"{damaged}: {item.path} is missing or differs from the checksum in its "
                "manifest. Nothing was restored."
            )
    unlisted = [
        path.relative_to(target).as_posix()
        for path in target.rglob("*")
        if path.is_file() and path.relative_to(target).as_posix() not in listed | {MANIFEST_NAME}
    ]
    if unlisted:
        raise BackupError(f"{damaged}: it holds files its manifest does not list ({unlisted[0]}).")
    return manifest


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as file:
        while chunk := file.read(CHUNK_BYTES):
            digest.update(chunk)
    return digest.hexdigest()


def known_migrations() -> list[str]:
    """Every migration this version of Threadline has, as "app:migration id"."""
    from piccolo.apps.migrations.commands.base import BaseMigrationManager

    manager = BaseMigrationManager()
    names = []
    for app_config in manager.get_app_registry().app_configs.values():
        modules = manager.get_migration_modules(app_config.resolved_migrations_folder_path)
        names += [f"{app_config.app_name}:{name}" for name in manager.get_migration_ids(modules)]
    return names


def _refuse_newer_migrations(manifest: Manifest) -> None:
    unknown = sorted(set(manifest.migrations) - set(known_migrations()))
    if unknown:
        raise BackupError(
            "This backup was made by a newer version of Threadline: its database has "
            f"migrations this version does not know ({', '.join(unknown[:3])}). Install that "
            "version (or a newer one) and restore again."
        )


async def _what_the_instance_holds(settings: Settings) -> list[str]:
    """What is in the way of a restore: tables with rows, files in MEDIA_DIR (empty: [])."""
    if engine_of(settings.database_url) == "sqlite":
        tables = await asyncio.to_thread(_sqlite_tables_with_rows, _sqlite_path(settings))
    else:
        tables = await _postgres_tables_with_rows(settings.database_url)
    held = []
    if tables:
        held.append(
            f"the database already holds data ({len(tables)} table(s) with rows, "
            f"such as {', '.join(tables[:3])})"
        )
    media_files = sum(1 for _ in _media_files(Path(settings.media_dir)))
    if media_files:
        held.append(f"MEDIA_DIR ({settings.media_dir}) holds {media_files} file(s)")
    return held


def _sqlite_tables_with_rows(path: Path) -> list[str]:
    if not path.is_file():
        return []
    try:
        with closing(sqlite3.connect(path, timeout=SQLITE_BUSY_TIMEOUT_SECONDS)) as connection:
            tables = [
                row[0]
                for row in connection.execute(
                    "SELECT name FROM sqlite_master WHERE type = 'table' "
                    "AND name NOT LIKE 'sqlite_%' AND name <> ? ORDER BY name",
                    (MIGRATION_TABLE,),
                )
            ]
            return [
                table
                for table in tables
                if connection.execute(f'SELECT EXISTS (SELECT 1 FROM "{table}")').fetchone()[0]
            ]
    except sqlite3.DatabaseError as error:
        raise BackupError(f"{path} is not a usable SQLite database ({error}).") from None


async def _postgres_tables_with_rows(database_url: str) -> list[str]:
    connection = await _connect_postgres(database_url)
    try:
        tables = [
            row["tablename"]
            for row in await connection.fetch(
                "SELECT tablename FROM pg_tables WHERE schemaname = 'public' "
                "AND tablename <> $1 ORDER BY tablename",
                MIGRATION_TABLE,
            )
        ]
        return [
            table
            for table in tables
            if await connection.fetchval(f'SELECT EXISTS (SELECT 1 FROM "{table}")')
        ]
    finally:
        await connection.close()


def _restore_sqlite(snapshot: Path, target: Path) -> None:
    """Copy the snapshot over the target database (created if missing) with the backup
    API, in one transaction on the target, then switch it to WAL as the portal runs it."""
    target.parent.mkdir(parents=True, exist_ok=True)
    with (
        closing(sqlite3.connect(snapshot)) as source,
        closing(sqlite3.connect(target, timeout=SQLITE_BUSY_TIMEOUT_SECONDS)) as database,
    ):
        source.backup(database)
        database.execute("PRAGMA journal_mode = WAL")


async def _restore_postgres(dump: Path, database_url: str) -> None:
    """Drop every table and function of the database's public schema (not those of an
    extension: the dump creates extensions only if missing), then pg_restore the dump in
    one transaction."""
    pg_restore = _client_program("pg_restore")
    connection = await _connect_postgres(database_url)
    try:
        async with connection.transaction():
            for row in await connection.fetch(
                "SELECT tablename FROM pg_tables WHERE schemaname = 'public'"
            ):
                await connection.execute(f'DROP TABLE IF EXISTS "{row["tablename"]}" CASCADE')
            for row in await connection.fetch(
                "SELECT p.oid::regprocedure::text AS signature FROM pg_proc p "
                "JOIN pg_namespace n ON n.oid = p.pronamespace WHERE n.nspname = 'public' "
                "AND NOT EXISTS (SELECT 1 FROM pg_depend d "
                "WHERE d.objid = p.oid AND d.deptype = 'e')"
            ):
                await connection.execute(f"DROP FUNCTION IF EXISTS {row['signature']} CASCADE")
    finally:
        await connection.close()
    await _run_client(
        pg_restore,
        "--no-owner",
        "--no-privileges",
        "--single-transaction",
        "--exit-on-error",
        str(dump),
        database_url=database_url,
    )


def _restore_media(unpacked: Path, media_dir: Path) -> None:
    """Empty MEDIA_DIR (checked empty, or --force) and move the backup's files into it."""
    media_dir.mkdir(parents=True, exist_ok=True)
    for child in media_dir.iterdir():
        if child.is_dir() and not child.is_symlink():
            shutil.rmtree(child)
        else:
            child.unlink()
    if not unpacked.is_dir():
        return
    for path in sorted(unpacked.rglob("*")):
        if path.is_file():
            target = media_dir / path.relative_to(unpacked)
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.move(path, target)


# --- PostgreSQL's client programs --------------------------------------------------------


def _client_program(name: str) -> str:
    found = shutil.which(name)
    if found is None:
        raise BackupError(
            f"{name} is not installed (or not on PATH). Install PostgreSQL's client programs, "
            "of the server's major version or newer (Debian/Ubuntu: apt-get install "
            "postgresql-client), and run again."
        )
    return found


async def _connect_postgres(database_url: str) -> Any:
    import asyncpg

    try:
        return await asyncpg.connect(database_url)
    except (OSError, asyncpg.PostgresError) as error:
        raise BackupError(f"Cannot connect to the PostgreSQL database: {error}") from None


async def _run_client(program: str, *arguments: str, database_url: str) -> None:
    """Run pg_dump or pg_restore on the database; the password goes in the environment,
    not on the command line where other users of the machine could read it."""
    parts = urlsplit(database_url)
    environment = dict(os.environ)
    if parts.password is not None:
        environment["PGPASSWORD"] = unquote(parts.password)
        host = parts.hostname or ""
        netloc = f"{parts.username or ''}@{host}" + (f":{parts.port}" if parts.port else "")
        database_url = urlunsplit(parts._replace(netloc=netloc))
    process = await asyncio.create_subprocess_exec(
        program,
        *arguments,
        f"--dbname={database_url}",
        env=environment,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    _output, errors = await process.communicate()
    if process.returncode != 0:
        raise BackupError(
            f"{Path(program).name} failed: {errors.decode(errors='replace').strip()[-2000:]}"
        )


def _megabytes(size: int) -> str:
    return f"{size / 1_000_000:.1f} MB"
