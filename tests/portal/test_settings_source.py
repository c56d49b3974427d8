"""Only the composition roots read the environment; everything else uses the settings they
installed (partner_portal/settings.py), so the app, its services, its scheduler and its
engine all run on one settings object."""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
# The kernel and every module (each top-level package with a plugin.py).
CODE = ["partner_portal", *sorted(path.parent.name for path in ROOT.glob("*/plugin.py"))]
COMPOSITION_ROOTS = {
    ROOT / "partner_portal" / "app.py",
    ROOT / "partner_portal" / "cli.py",
    ROOT / "piccolo_conf.py",
    # Where load_settings itself reads the environment.
    ROOT / "partner_portal" / "settings.py",
}
# Handing the whole environment on to a child process (pg_dump's PATH, `threadline migrate`'s
# own settings) is not a read of a setting.
CHILD_PROCESS_ENVIRONMENTS = {("partner_portal/backup.py", 2)}
ENVIRONMENT_READERS = {"environ", "environb", "getenv", "load_settings"}


def environment_reads(source: str) -> list[int]:
    """The lines of ``source`` that read the environment or the settings from it:
    os.environ, os.getenv, load_settings()."""
    lines = []
    for node in ast.walk(ast.parse(source)):
        name = node.attr if isinstance(node, ast.Attribute) else getattr(node, "id", None)
        if isinstance(node, ast.Attribute | ast.Name) and name in ENVIRONMENT_READERS:
            lines.append(node.lineno)
    return sorted(lines)


def _code_files() -> list[Path]:
    files = [ROOT / "piccolo_conf.py"]
    for package in CODE:
        files += [
            path
            for path in (ROOT / package).rglob("*.py")
            if "piccolo_migrations" not in path.parts
        ]
    return files


def test_no_module_outside_the_composition_roots_reads_the_environment() -> None:
    readers = {}
    for path in _code_files():
        if path in COMPOSITION_ROOTS:
            continue
        lines = environment_reads(path.read_text(encoding="utf-8"))
        relative = path.relative_to(ROOT).as_posix()
        if lines and (relative, len(lines)) not in CHILD_PROCESS_ENVIRONMENTS:
            readers[relative] = lines
    assert readers == {}


def test_the_check_sees_every_way_of_reading_the_environment() -> None:
    source = (
        "import os\nfrom os import environ, getenv\n"
        "from partner_portal.settings import load_settings\n"
        "a = os.environ.get('X')\nb = os.getenv('Y')\nc = environ['Z']\nd = getenv('W')\n"
        "e = load_settings().base_url\n"
    )
    assert environment_reads(source) == [4, 5, 6, 7, 8]


def test_the_app_s_settings_are_the_ones_its_services_use() -> None:
    import dataclasses

    from partner_portal import settings
    from partner_portal.app import create_app

    chosen = dataclasses.replace(settings.current_settings(), base_url="https://portal.example")
    app = create_app(chosen)
    assert app.state.settings is chosen
    assert settings.current_settings() is chosen
