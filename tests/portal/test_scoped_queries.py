"""Every query of an organisation-scoped table goes through the access policy.

Each organisation-scoped table is declared (partner_portal/access and each module's
access.py: ScopedTable, registered by its plugin). Then a static check reads every kernel
and module file outside the access policy and finds each ``.select(``, ``.objects(``,
``.count(``, ``.exists(``, ``.update(``, ``.delete(`` and ``.raw(`` called on a scoped
table. Such a query passes when its statement

- calls an access helper: ``scoped``/``scoped_*``, a ``*_filter``/``*_scope``, or a
  ``get_*``/``find_*`` fetcher of partner_portal.access or a module's access.py, or a
  function of the same file whose every result comes from one, or
- uses a value the same function got from one (a row from ``get_order``, a condition from
  ``order_filter``, a query passed through ``scoped``), or a parameter whose type says its
  caller got it from one (an access-checked record such as ``VisibleOrder``: a Record
  defined in the access policy), or
- sits in a function marked ``@access.system_query("why")`` (no viewer: jobs, mail, signed
  links) or ``@access.checked_by_caller("where")`` (rows its callers fetched through
  access).

Why static rather than watching the queries tests run: it reads every line, including the
paths no test takes, and it names the file and line; a query's SQL could not say whether
the id in its WHERE came from a row the viewer was allowed to fetch. What it cannot see:
queries on a table passed in as a variable (database.update_if_version and the like).
"""

from __future__ import annotations

import ast
import importlib
import sys
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType
from typing import Any

from piccolo.columns import ForeignKey, OnDelete
from piccolo.conf.apps import Finder
from piccolo.table import Table

from partner_portal import access
from partner_portal.app import register_plugins
from partner_portal.partners.tables import Organisation, User
from partner_portal.records import Record
from partner_portal.registries import registry

ROOT = Path(__file__).resolve().parents[2]
# The kernel, then every module (each top-level package with a plugin.py, so a new module
# is checked too).
CHECKED_PACKAGES = (
    "partner_portal",
    *sorted(path.parent.name for path in ROOT.glob("*/plugin.py")),
)
QUERY_METHODS = {"select", "objects", "count", "exists", "update", "delete", "raw"}
MARKERS = (access.system_query, access.checked_by_caller)
# Whole files that act for no user, and why.
SYSTEM_FILES = {
    "partner_portal/cli.py": "the operator's command line acts for no signed-in user",
    **{
        f"{package}/demo.py": "demo data: builds every organisation's rows"
        for package in CHECKED_PACKAGES[1:]
    },
}


def scoped_tables() -> dict[type[Table], access.ScopedTable]:
    register_plugins()
    return {scope.table: scope for scope in registry.scoped_tables.values() if scope.by}


# ---------------------------------------------------------------------------
# The checker


def is_scoping_name(name: str) -> bool:
    return (
        name == "scoped"
        or name.startswith(("scoped_", "get_", "find_"))
        or name.endswith(("_filter", "_scope"))
    )


class FileCheck:
    """The queries of scoped tables in one file that do not go through access."""

    def __init__(self, path: Path, module: ModuleType, tables: set[type[Table]]) -> None:
        self.path = path
        self.module = module
        self.tables = tables
        self.tree = ast.parse(path.read_text(encoding="utf-8"))
        self._helpers: set[str] | None = None

    @property
    def helpers(self) -> set[str]:
        """Functions of this file whose every result comes from access (a helper that
        scopes the query it is given, one that lists the partners a viewer sees...):
        calling them, here or from another file, counts as going through access."""
        if self._helpers is None:
            self._helpers = set()
            functions = [
                node
                for node in ast.walk(self.tree)
                if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef)
            ]
            changed = True
            while changed:
                changed = False
                for function in functions:
                    if function.name in self._helpers:
                        continue
                    results = [
                        node.value
                        for node in ast.walk(function)
                        if isinstance(node, ast.Return) and node.value is not None
                    ]
                    checked = self.checked_names(function)
                    if results and all(
                        self.goes_through_access(value, checked) for value in results
                    ):
                        self._helpers.add(function.name)
                        changed = True
        return self._helpers

    def resolve(self, node: ast.expr) -> Any:
        """What a name or a dotted name means at the file's top level (None if not found)."""
        if isinstance(node, ast.Name):
            return getattr(self.module, node.id, None)
        if isinstance(node, ast.Attribute):
            owner = self.resolve(node.value)
            return getattr(owner, node.attr, None) if owner is not None else None
        return None

    def is_access_call(self, node: ast.AST) -> bool:
        if not isinstance(node, ast.Call):
            return False
        if isinstance(node.func, ast.Attribute):
            name = node.func.attr
        elif isinstance(node.func, ast.Name):
            name = node.func.id
            if name in self.helpers:
                return True
        else:
            return False
        home = getattr(self.resolve(node.func), "__module__", None) or ""
        if is_access_module_name(home):
            return is_scoping_name(name)
        if home != self.module.__name__ and home.split(".")[0] in CHECKED_PACKAGES:
            return name in file_check(home, self.tables).helpers
        return False

    def is_marked(self, function: ast.FunctionDef | ast.AsyncFunctionDef) -> bool:
        for decorator in function.decorator_list:
            if (
                isinstance(decorator, ast.Call)
                and self.resolve(decorator.func) in MARKERS
                and decorator.args
                and isinstance(decorator.args[0], ast.Constant)
                and str(decorator.args[0].value).strip()
            ):
                return True
        return False

    def query_calls(self, node: ast.AST) -> Iterator[ast.Call]:
        for call in ast.walk(node):
            if (
                isinstance(call, ast.Call)
                and isinstance(call.func, ast.Attribute)
                and call.func.attr in QUERY_METHODS
                and self.resolve(call.func.value) in self.tables
            ):
                yield call

    def findings(self) -> list[str]:
        found: list[str] = []
        self._check_body(self.tree.body, set(), set(), marked=False, found=found, where="")
        return found

    def _check_body(
        self,
        body: list[ast.stmt],
        checked: set[str],
        feeding: set[str],
        marked: bool,
        found: list[str],
        where: str,
    ) -> None:
        for statement in body:
            if isinstance(statement, ast.FunctionDef | ast.AsyncFunctionDef):
                inner_checked = checked | self.checked_names(statement)
                inner_feeding = feeding | self.feeding_names(statement, inner_checked)
                inner_marked = marked or self.is_marked(statement)
                self._check_body(
                    statement.body,
                    inner_checked,
                    inner_feeding,
                    inner_marked,
                    found,
                    statement.name,
                )
            elif isinstance(statement, ast.ClassDef):
                self._check_body(statement.body, checked, feeding, marked, found, statement.name)
            else:
                for part in statement_parts(statement):
                    if marked or self.builds_a_query_for_access(part, feeding):
                        continue
                    for call in self.query_calls(part):
                        if not self.goes_through_access(part, checked):
                            table = ast.unparse(call.func)
                            found.append(
                                f"{self.path.relative_to(ROOT)}:{call.lineno} {table}() in "
                                f"{where or 'module'}"
                            )
                for block in nested_bodies(statement):
                    self._check_body(block, checked, feeding, marked, found, where)

    def goes_through_access(self, part: ast.AST, checked: set[str]) -> bool:
        if any(self.is_access_call(node) for node in ast.walk(part)):
            return True
        return any(isinstance(node, ast.Name) and node.id in checked for node in ast.walk(part))

    def is_checked_record(self, annotation: ast.expr | None) -> bool:
        """An annotation naming an access-checked record (``VisibleEndpoint``, or
        ``access.VisibleStyle | None``): a Record class defined in the access policy."""
        if annotation is None:
            return False
        if isinstance(annotation, ast.Constant) and isinstance(annotation.value, str):
            annotation = ast.parse(annotation.value, mode="eval").body
        if isinstance(annotation, ast.BinOp):  # X | None
            return self.is_checked_record(annotation.left) or self.is_checked_record(
                annotation.right
            )
        found = self.resolve(annotation)
        return (
            isinstance(found, type)
            and issubclass(found, Record)
            and is_access_module_name(found.__module__)
        )

    def checked_parameters(self, function: ast.FunctionDef | ast.AsyncFunctionDef) -> set[str]:
        arguments = function.args
        every = [*arguments.posonlyargs, *arguments.args, *arguments.kwonlyargs]
        return {argument.arg for argument in every if self.is_checked_record(argument.annotation)}

    def checked_names(self, function: ast.FunctionDef | ast.AsyncFunctionDef) -> set[str]:
        """Names the function binds to values from access helpers, or derived from them,
        and its parameters typed as access-checked records."""
        bindings: list[tuple[ast.AST, ast.AST]] = []
        for node in ast.walk(function):
            if isinstance(node, ast.Assign):
                bindings.extend((target, node.value) for target in node.targets)
            elif isinstance(node, ast.AnnAssign | ast.AugAssign | ast.NamedExpr) and node.value:
                bindings.append((node.target, node.value))
            elif isinstance(node, ast.For | ast.AsyncFor | ast.comprehension):
                bindings.append((node.target, node.iter))
        checked = self.checked_parameters(function)
        changed = True
        while changed:
            changed = False
            for target, value in bindings:
                if self.goes_through_access(value, checked):
                    for name in ast.walk(target):
                        if isinstance(name, ast.Name) and name.id not in checked:
                            checked.add(name.id)
                            changed = True
        return checked

    def feeding_names(
        self, function: ast.FunctionDef | ast.AsyncFunctionDef, checked: set[str]
    ) -> set[str]:
        """Names the function reads in statements that go through access: a query kept in
        one of them (not yet run) is a part of a scoped query (a subquery, or the query
        the next line hands to ``scoped``)."""
        return {
            name.id
            for statement in ast.walk(function)
            if isinstance(statement, ast.stmt)
            and not isinstance(statement, ast.FunctionDef | ast.AsyncFunctionDef)
            for part in statement_parts(statement)
            if self.goes_through_access(part, checked)
            for name in ast.walk(part)
            if isinstance(name, ast.Name) and isinstance(name.ctx, ast.Load)
        }

    def builds_a_query_for_access(self, part: ast.AST, feeding: set[str]) -> bool:
        """``name = Table.select(...)`` (built, not run) where a scoped statement reads
        ``name``."""
        return (
            isinstance(part, ast.Assign)
            and not isinstance(part.value, ast.Await)
            and all(isinstance(target, ast.Name) for target in part.targets)
            and any(target.id in feeding for target in part.targets)  # type: ignore[attr-defined]
        )


CHECKS: dict[str, FileCheck] = {}


def file_check(module_name: str, tables: set[type[Table]]) -> FileCheck:
    """The check of a module's file, made once (helpers are found across files)."""
    if module_name not in CHECKS:
        module = importlib.import_module(module_name)
        CHECKS[module_name] = FileCheck(Path(str(module.__file__)), module, tables)
    return CHECKS[module_name]


def is_access_module_name(name: str) -> bool:
    return (
        name == "partner_portal.access"
        or name.startswith("partner_portal.access.")
        or (name.endswith(".access"))
    )


def statement_parts(statement: ast.stmt) -> list[ast.AST]:
    """The parts of a statement that belong to it, not to the blocks nested in it."""
    if isinstance(statement, ast.If | ast.While):
        return [statement.test]
    if isinstance(statement, ast.For | ast.AsyncFor):
        return [statement.target, statement.iter]
    if isinstance(statement, ast.With | ast.AsyncWith):
        return [item.context_expr for item in statement.items]
    if isinstance(statement, ast.Try):
        return [handler.type for handler in statement.handlers if handler.type]
    if isinstance(statement, ast.Match):
        return [statement.subject]
    return [statement]


def nested_bodies(statement: ast.stmt) -> list[list[ast.stmt]]:
    if isinstance(statement, ast.If | ast.While | ast.For | ast.AsyncFor):
        return [statement.body, statement.orelse]
    if isinstance(statement, ast.With | ast.AsyncWith):
        return [statement.body]
    if isinstance(statement, ast.Try):
        return [
            statement.body,
            *(handler.body for handler in statement.handlers),
            statement.orelse,
            statement.finalbody,
        ]
    if isinstance(statement, ast.Match):
        return [case.body for case in statement.cases]
    return []


def checked_files() -> Iterator[Path]:
    for package in CHECKED_PACKAGES:
        for path in sorted((ROOT / package).rglob("*.py")):
            relative = path.relative_to(ROOT)
            if (
                "piccolo_migrations" in relative.parts
                or relative.parts[:2] == ("partner_portal", "access")
                or path.name in ("access.py", "tables.py", "piccolo_app.py")
                or str(relative) in SYSTEM_FILES
                or relative.parts[:2] == ("partner_portal", "demo")  # demo data, as above
            ):
                continue
            yield path


def module_of(path: Path) -> ModuleType:
    dotted = ".".join(path.relative_to(ROOT).with_suffix("").parts)
    return importlib.import_module(dotted.removesuffix(".__init__"))


# ---------------------------------------------------------------------------
# The tests


def test_every_query_of_a_scoped_table_goes_through_access() -> None:
    tables = set(scoped_tables())
    findings = [
        finding
        for path in checked_files()
        for finding in file_check(module_of(path).__name__, tables).findings()
    ]
    assert findings == [], (
        "query these through an access helper, or mark the function with "
        "@access.system_query(why) / @access.checked_by_caller(where):\n" + "\n".join(findings)
    )


PLANTED = """
from partner_portal import access
from partner_portal.access import Viewer, VisibleOrder
from partner_portal.orders.records import OrderRecord
from partner_portal.orders.tables import Order, OrderLine


async def leaks(viewer: Viewer, order_uuid):
    return await Order.select().where(Order.uuid == order_uuid).first()


async def scoped(viewer: Viewer, order_uuid):
    return await access.scoped_orders(Order.select(), viewer).where(Order.uuid == order_uuid)


async def lines(viewer: Viewer, order_uuid):
    order = await access.get_order(viewer, order_uuid)
    return await OrderLine.select().where(OrderLine.order == order["id"])


async def lines_of_checked(order: access.VisibleOrder):
    return await OrderLine.select().where(OrderLine.order == order.id)


async def lines_of_maybe_checked(order: "VisibleOrder | None"):
    return await OrderLine.select().where(OrderLine.order == order.id)


async def lines_of_raw(order: OrderRecord):
    return await OrderLine.select().where(OrderLine.order == order.id)


async def filtered(viewer: Viewer):
    query = Order.select()
    condition = access.order_filter(viewer)
    if condition is not None:
        query = query.where(condition)
    return await query


async def lines_by_hand(viewer: Viewer, order_id):
    if await OrderLine.exists().where(OrderLine.order == order_id):
        return True


@access.system_query("a nightly job over every order")
async def nightly():
    return await Order.count()


@access.system_query("")
async def no_reason():
    return await Order.count()
"""


def test_the_check_finds_a_query_that_skips_access(tmp_path: Path, monkeypatch: Any) -> None:
    package = tmp_path / "planted_module"
    package.mkdir()
    (package / "__init__.py").write_text("", encoding="utf-8")
    (package / "services.py").write_text(PLANTED, encoding="utf-8")
    monkeypatch.syspath_prepend(str(tmp_path))
    module = importlib.import_module("planted_module.services")
    try:
        check = FileCheck(package / "services.py", module, set(scoped_tables()))
        check.path = ROOT / "planted_module" / "services.py"
        findings = [finding.split(" ", 1)[1] for finding in check.findings()]
    finally:
        sys.modules.pop("planted_module.services", None)
        sys.modules.pop("planted_module", None)
    assert findings == [
        "Order.select() in leaks",
        "OrderLine.select() in lines_of_raw",
        "OrderLine.exists() in lines_by_hand",
        "Order.count() in no_reason",
    ]


def test_every_table_that_names_an_organisation_is_declared() -> None:
    declared = {scope.table for scope in _all_declarations()}
    scoped = set(scoped_tables())
    missing = []
    for table in Finder().get_table_classes():
        for key in table._meta.foreign_key_columns:
            parent = key._foreign_key_meta.resolved_references
            owned_by_organisation = parent is Organisation
            part_of_scoped_row = (
                parent in scoped
                and parent is not User
                and key._foreign_key_meta.on_delete == OnDelete.cascade
            )
            if (owned_by_organisation or part_of_scoped_row) and table not in declared:
                missing.append(f"{table.__name__}.{key._meta.name}")
    assert missing == [], "declare these tables scoped (ScopedTable) in an access.py"


def test_each_declaration_names_an_organisation_or_a_scoped_parent() -> None:
    scoped = scoped_tables()
    for scope in _all_declarations():
        if scope.by is None:
            assert scope.reason, f"{scope.table.__name__}: say why it is not scoped"
            continue
        assert scope.by._meta.table is scope.table
        if scope.table is Organisation:
            assert scope.by is Organisation.id
            continue
        assert isinstance(scope.by, ForeignKey)
        parent = scope.by._foreign_key_meta.resolved_references
        assert parent is Organisation or parent in scoped, scope.table.__name__


def _all_declarations() -> list[access.ScopedTable]:
    register_plugins()
    return list(registry.scoped_tables.values())
