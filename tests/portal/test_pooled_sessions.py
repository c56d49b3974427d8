"""A PostgreSQL connection goes back to the pool as it is (partner_portal/database.py: no
reset query after each statement), which is right only while no code leaves state on a
session for the next borrower: a SET that outlives its transaction, a session-level
advisory lock, a LISTEN, a cursor held past its transaction. This reads every SQL text
in the code and refuses those."""

from __future__ import annotations

import ast
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PACKAGES = ["partner_portal", *(path.parent.name for path in ROOT.glob("*/plugin.py"))]
# SQL keywords in capitals, as the code writes them ("set directly" in a help text is not SQL).
SESSION_STATE = re.compile(
    r"^\s*SET\s+(?!LOCAL\b)[a-z_]+\s*(=|TO\b)|^\s*RESET\b|^\s*LISTEN\b|\bWITH\s+HOLD\b"
    r"|pg_(try_)?advisory_lock(_shared)?\s*\(|set_config\s*\([^)]*false\s*\)",
    re.MULTILINE,
)


def _texts(path: Path) -> list[tuple[int, str]]:
    """The file's strings but its docstrings (which may name what they avoid)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    documented = (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef)
    docstrings = {
        id(node.body[0].value)
        for node in ast.walk(tree)
        if isinstance(node, documented) and node.body and isinstance(node.body[0], ast.Expr)
    }
    return [
        (node.lineno, node.value)
        for node in ast.walk(tree)
        if isinstance(node, ast.Constant)
        and isinstance(node.value, str)
        and id(node) not in docstrings
    ]


def test_no_statement_leaves_state_on_a_pooled_connection() -> None:
    found = [
        f"{path.relative_to(ROOT)}:{line}: {text.strip()[:60]}"
        for package in PACKAGES
        for path in (ROOT / package).rglob("*.py")
        if "piccolo_migrations" not in path.parts
        for line, text in _texts(path)
        if SESSION_STATE.search(text)
    ]
    assert found == []


def test_the_check_finds_what_it_looks_for() -> None:
    for statement in (
        "SET statement_timeout = 0",
        "SELECT pg_advisory_lock(1)",
        "LISTEN changes",
        "DECLARE c CURSOR WITH HOLD FOR SELECT 1",
        "SELECT set_config('x', '1', false)",
    ):
        assert SESSION_STATE.search(statement), statement
    for statement in (
        "SET LOCAL statement_timeout = 0",
        "SELECT pg_advisory_xact_lock(6006)",
        "UPDATE t SET a = 1",
    ):
        assert not SESSION_STATE.search(statement), statement
