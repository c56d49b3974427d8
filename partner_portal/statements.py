"""Hot statements built once: their SQL made the first time they run, their values bound on
each run.

Piccolo builds a select's SQL afresh every time it runs: every column, join and condition
is an object walked into text, 0.1 to 0.5 ms of CPU a statement, a third of a line sheet's
CPU (bench/RESULTS.md, issue 21). A page's statements differ from one request to the next
only in their values, so a statement on a hot path is written once, as a function that
builds the Piccolo query with a ``Parameter`` where each value goes::

    @Prepared
    @access.checked_by_caller("the style its caller fetched")  # as any query's function
    def _style_colours() -> Select:
        return Colourway.select(Colourway.code).where(Colourway.style == Parameter("style"))

    rows = await _style_colours.rows(style=style.id)

The first run builds the query and keeps the SQL Piccolo makes of it (per kind of database:
the text differs); every run sends that text with the values in their places, through the
engine as Piccolo's own queries go (the same pool, the open transaction), and hands the
rows to the query's own result handling. A ``Parameter`` stands for a value only: what
changes the statement's shape (a condition present or not, ``IS NULL`` for None) is not a
parameter but another statement.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from piccolo.query.methods.select import Select
from piccolo.querystring import QueryString
from piccolo.table import Table


class Parameter:
    """Where a value goes in a prepared statement; ``convert`` turns the value given to
    ``rows`` into what the database takes (``database.list_parameter`` for an id list)."""

    __slots__ = ("convert", "name")

    def __init__(self, name: str, convert: Callable[[Any], Any] | None = None) -> None:
        self.name = name
        self.convert = convert

    def __repr__(self) -> str:
        return f"Parameter({self.name!r})"


class _Compiled:
    """One statement's SQL for one kind of database and where its values go."""

    __slots__ = ("arguments", "query", "sql", "template")

    def __init__(self, query: Select) -> None:
        (querystring,) = query.querystrings
        self.query = query
        self.sql, self.arguments = querystring.compile_string(query.engine_type)
        # The same text with a {} for each value, as Piccolo shows a query (str()), so that
        # what records statements (the tests' query counts, bench/page_cpu.py) reads it.
        _, fragments, _ = querystring.bundle(start_index=1, bundled=[], combined_args=[])
        self.template = "".join(
            fragment.prefix.replace("{", "{{").replace("}", "}}")
            + ("" if fragment.no_arg else "{}")
            for fragment in fragments
        )

    def bound(self, values: dict[str, Any]) -> list[Any]:
        bound = []
        for argument in self.arguments:
            if isinstance(argument, Parameter):
                value = values[argument.name]
                argument = argument.convert(value) if argument.convert else value
            bound.append(argument)
        return bound


class Prepared:
    """A select built once (see the module's docstring)."""

    __slots__ = ("_build", "_compiled", "_table")

    def __init__(self, build: Callable[[], Select]) -> None:
        self._build = build
        # By kind of database: the text differs, and so may the query (database.one_of).
        self._compiled: dict[str, _Compiled] = {}
        self._table: type[Table] | None = None

    async def rows(self, **values: Any) -> list[dict[str, Any]]:
        """The statement's rows for these values (each ``Parameter`` by its name)."""
        if self._table is None:
            self._table = self._build().table
        engine = self._table._meta.db
        compiled = self._compiled.get(engine.engine_type)
        if compiled is None:
            compiled = self._compiled[engine.engine_type] = _Compiled(self._build())
        bound = compiled.bound(values)
        querystring = QueryString(compiled.template, *bound)
        # Piccolo's own way to send SQL it compiled earlier (a frozen query's): the engine
        # takes the text and the values as they are.
        querystring._frozen_compiled_strings = (compiled.sql, bound)
        results = await engine.run_querystring(querystring, in_pool=True)
        return await compiled.query._process_results(results)  # type: ignore[no-any-return]

    async def first(self, **values: Any) -> dict[str, Any] | None:
        """The first row, or None (write ``.limit(1)`` into the statement)."""
        rows = await self.rows(**values)
        return rows[0] if rows else None
