"""The kernel never imports a module (DESIGN.md: modules plug into the kernel's registries).

Only the composition roots, partner_portal/app.py (PLUGINS) and partner_portal/cli.py (the
scheduler host command), name the modules.
"""

from __future__ import annotations

import ast
from pathlib import Path

KERNEL = Path(__file__).resolve().parents[2] / "partner_portal"
MODULES = {
    "contracts",
    "scheduler",
    "distributors",
    "suppliers",
    "group_orders",
    "insights",
    "sales",
}
COMPOSITION_ROOTS = {KERNEL / "app.py", KERNEL / "cli.py"}


def _imported_packages(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    packages: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            packages |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            packages.add(node.module.split(".")[0])
    return packages


def test_no_kernel_file_imports_a_module() -> None:
    offenders = {
        str(path.relative_to(KERNEL.parent)): sorted(_imported_packages(path) & MODULES)
        for path in KERNEL.rglob("*.py")
        if path not in COMPOSITION_ROOTS
    }
    assert {path: names for path, names in offenders.items() if names} == {}
