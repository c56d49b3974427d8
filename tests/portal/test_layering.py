"""The kernel never imports a module (docs/ARCHITECTURE.md §3: modules plug into the kernel's registries),
and modules never import each other.

Only the composition roots, partner_portal/app.py (PLUGINS) and partner_portal/cli.py (the
scheduler host command), name the modules. A module imports the kernel and, to plan
follow-ups, the scheduler's public service (scheduler.services), nothing else of another
module.
"""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
KERNEL = ROOT / "partner_portal"
# Every module: each top-level package with a plugin.py (so a new module is checked too).
MODULES = {path.parent.name for path in ROOT.glob("*/plugin.py")}
COMPOSITION_ROOTS = {KERNEL / "app.py", KERNEL / "cli.py"}
# What one module may import of another.
PUBLIC_SERVICES = {"scheduler.services"}


def _imported_packages(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    packages: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            packages |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            packages.add(node.module.split(".")[0])
    return packages


def test_every_module_of_the_app_is_checked() -> None:
    assert {"contracts", "scheduler", "distributors", "suppliers", "webhooks"} <= MODULES
    assert {"group_orders", "insights", "sales"} <= MODULES


def test_no_kernel_file_imports_a_module() -> None:
    offenders = {
        str(path.relative_to(KERNEL.parent)): sorted(_imported_packages(path) & MODULES)
        for path in KERNEL.rglob("*.py")
        if path not in COMPOSITION_ROOTS
    }
    assert {path: names for path, names in offenders.items() if names} == {}


def _imported_modules(path: Path) -> set[str]:
    """Every module a file imports, by its full dotted name: ``from sales import access``
    and ``from sales.access import SalesAction`` both import sales.access."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            if "." in node.module:
                names.add(node.module)
            else:
                names |= {f"{node.module}.{alias.name}" for alias in node.names}
    return names


def _foreign_imports(module: str, path: Path) -> list[str]:
    """The other modules' code a file of ``module`` imports beyond their public services."""
    return sorted(
        name
        for name in _imported_modules(path)
        if name.split(".")[0] in MODULES - {module} and name not in PUBLIC_SERVICES
    )


def test_no_module_imports_another_module_beyond_its_public_services() -> None:
    offenders = {
        str(path.relative_to(ROOT)): names
        for module in sorted(MODULES)
        for path in (ROOT / module).rglob("*.py")
        if (names := _foreign_imports(module, path))
    }
    assert offenders == {}


def test_the_layering_check_sees_a_module_reaching_into_another(tmp_path: Path) -> None:
    planted = tmp_path / "rules.py"
    planted.write_text(
        "from scheduler import services\n"
        "from scheduler.services import RuleFollowUp\n"
        "from sales.access import SalesAction\n"
        "from group_orders import access\n"
        "import contracts.tables\n"
        "import scheduler\n",
        encoding="utf-8",
    )
    assert _foreign_imports("suppliers", planted) == [
        "contracts.tables",
        "group_orders.access",
        "sales.access",
        "scheduler",
    ]
