"""The `threadline` command: serve, migrate, demo-data, create-user, send-mail, scheduler,
backup, restore."""

from __future__ import annotations

import argparse
import asyncio
import sys
from collections.abc import Sequence

from partner_portal.settings import SettingsError, current_settings, install, load_settings


def _serve(arguments: argparse.Namespace) -> int:
    import uvicorn

    settings = current_settings()
    uvicorn.run(
        "partner_portal.app:served_app",
        factory=True,
        host=arguments.host or settings.host,
        port=arguments.port or settings.port,
        workers=arguments.workers,
        proxy_headers=True,
        # Open requests get this long to finish on SIGINT/SIGTERM; then the process exits.
        timeout_graceful_shutdown=10,
        log_level="info",
    )
    return 0


async def migrate() -> str:
    """Run every pending migration; raise RuntimeError with Piccolo's message on failure."""
    from piccolo.apps.migrations.commands.forwards import run_forwards

    from partner_portal.database import close_database

    try:
        result = await run_forwards(app_name="all")
    finally:
        await close_database(started_pool=False)
    if not result.success:
        raise RuntimeError(result.message)
    return result.message or ""


def _migrate(arguments: argparse.Namespace) -> int:
    asyncio.run(migrate())
    print("Migrations are up to date.")
    return 0


def _demo_data(arguments: argparse.Namespace) -> int:
    from partner_portal.app import PLUGINS, register_plugins
    from partner_portal.database import close_database
    from partner_portal.demo import load_demo_data

    async def run() -> str:
        register_plugins()
        try:
            return await load_demo_data(only_if_empty=arguments.if_empty, plugins=PLUGINS)
        finally:
            await close_database(started_pool=False)

    print(asyncio.run(run()))
    return 0


def _create_user(arguments: argparse.Namespace) -> int:
    from partner_portal.accounts.users import create_user_from_cli
    from partner_portal.database import close_database

    async def run() -> str:
        try:
            return await create_user_from_cli(
                email=arguments.email,
                display_name=arguments.name,
                role=arguments.role,
                organisation=arguments.organisation,
                password=arguments.password,
            )
        finally:
            await close_database(started_pool=False)

    try:
        print(asyncio.run(run()))
    except ValueError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    return 0


SEND_MAIL_INTERVAL_SECONDS = 30


def sender_id() -> str:
    """Who claims outbox rows: host and process, so a stuck claim can be traced."""
    import os
    import socket

    return f"{socket.gethostname()}:{os.getpid()}"[:100]


async def send_mail(once: bool, interval: float = SEND_MAIL_INTERVAL_SECONDS) -> int:
    """Send due e-mails once, or every ``interval`` seconds until SIGINT/SIGTERM."""
    import logging
    import signal

    from partner_portal.database import close_database, open_database
    from partner_portal.notifications.services import send_due

    settings = current_settings()
    worker = sender_id()
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    if not once:
        for signal_number in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(signal_number, stop.set)
    started_pool = await open_database()
    try:
        while True:
            try:
                report = await send_due(settings, worker)
            except Exception:  # a database hiccup must not end the sender; the next round retries
                if once:
                    raise
                logging.getLogger(__name__).exception("sending e-mail failed")
            else:
                print(report.message, flush=True)
                if once:
                    return 0
            try:
                await asyncio.wait_for(stop.wait(), timeout=interval)
            except TimeoutError:
                continue
            return 0
    finally:
        if not once:
            for signal_number in (signal.SIGINT, signal.SIGTERM):
                loop.remove_signal_handler(signal_number)
        await close_database(started_pool)


def _send_mail(arguments: argparse.Namespace) -> int:
    import logging

    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(message)s")
    return asyncio.run(send_mail(once=arguments.once))


def _scheduler(arguments: argparse.Namespace) -> int:
    """Run the scheduler host (every module's jobs) until stopped, or each job once."""
    import logging

    from partner_portal.app import register_plugins

    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s %(message)s")
    register_plugins()
    from scheduler import host

    if arguments.once:
        runs = asyncio.run(host.run_all_once())
        for run in runs:
            print(run["result"] if run["ok"] else f"FAILED: {run['error']}", flush=True)
        return 0 if all(run["ok"] for run in runs) else 1
    return asyncio.run(host.run_until_stopped())


def _backup(arguments: argparse.Namespace) -> int:
    from pathlib import Path

    from partner_portal.backup import BackupError, create_backup

    try:
        manifest = asyncio.run(create_backup(current_settings(), Path(arguments.output)))
    except BackupError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    print(f"Backup written to {arguments.output}: {manifest.summary()}.")
    return 0


def _restore(arguments: argparse.Namespace) -> int:
    from pathlib import Path

    from partner_portal.backup import BackupError, restore_backup

    try:
        report = asyncio.run(
            restore_backup(current_settings(), Path(arguments.archive), force=arguments.force)
        )
    except BackupError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    print(report.message)
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="threadline", description="Threadline partner portal")
    commands = parser.add_subparsers(dest="command", required=True)

    serve = commands.add_parser("serve", help="serve the portal over HTTP")
    serve.add_argument("--host", default=None)
    serve.add_argument("--port", type=int, default=None)
    serve.add_argument("--workers", type=int, default=1)
    serve.set_defaults(handler=_serve)

    commands.add_parser("migrate", help="bring the database schema up to date").set_defaults(
        handler=_migrate
    )

    demo = commands.add_parser("demo-data", help="load a believable demo partner network")
    demo.add_argument(
        "--if-empty", action="store_true", help="do nothing if the brand already exists"
    )
    demo.set_defaults(handler=_demo_data)

    create_user = commands.add_parser(
        "create-user", help="create a user (prints a set-password link)"
    )
    create_user.add_argument("--email", required=True)
    create_user.add_argument("--name", required=True, help="display name as written, e.g. 王小明")
    create_user.add_argument("--role", required=True)
    create_user.add_argument(
        "--organisation", default="", help="legal name or UUID; brand roles default to the brand"
    )
    create_user.add_argument(
        "--password", default="", help="set directly instead of printing a link"
    )
    create_user.set_defaults(handler=_create_user)

    send = commands.add_parser(
        "send-mail", help="send the queued e-mails (every 30 s until stopped, or --once)"
    )
    send.add_argument("--once", action="store_true", help="send what is due now, then exit")
    send.set_defaults(handler=_send_mail)

    scheduler = commands.add_parser(
        "scheduler", help="run the scheduled jobs (reminders, digests, rules, e-mail) until stopped"
    )
    scheduler.add_argument("--once", action="store_true", help="run every job once, then exit")
    scheduler.set_defaults(handler=_scheduler)

    backup = commands.add_parser(
        "backup", help="write the database and MEDIA_DIR to one archive (safe while serving)"
    )
    backup.add_argument("--output", required=True, help="the archive to write, e.g. x.tar.gz")
    backup.set_defaults(handler=_backup)

    restore = commands.add_parser(
        "restore", help="restore a backup into an empty instance, then run pending migrations"
    )
    restore.add_argument("archive", help="a file written by `threadline backup`")
    restore.add_argument(
        "--force",
        action="store_true",
        help="restore into an instance that is not empty: DELETES everything in its "
        "database and MEDIA_DIR first",
    )
    restore.set_defaults(handler=_restore)

    arguments = parser.parse_args(argv)
    try:
        # The command's composition root: the one read of the environment.
        install(load_settings())
        return int(arguments.handler(arguments))
    except SettingsError as error:
        print(f"Configuration error: {error}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
