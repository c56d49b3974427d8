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

A statement the access policy narrows takes the viewer: ``build(viewer)`` and
``rows(viewer, ...)``. Its shape follows the viewer's role (a brand admin sees every
organisation, a distributor its own and its retailers'), so it is built once per role
(and organisation-admin flag, language, time zone); who the viewer is (user, organisation)
goes in as parameters: ``build`` gets a stand-in viewer whose ids are ``Parameter``s, and
each run binds the real viewer's. A build function therefore uses the viewer's ids only
in the query, never in a Python test (a parameter refuses to be tested for truth).
"""

from __future__ import annotations

import dataclasses
import inspect
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

    def __bool__(self) -> bool:
        raise TypeError(f"{self!r} has no value while the statement is built")


# What of a viewer a statement's shape may follow. Every other field of the viewer (who
# it is: user, organisation, ...) is a value, so a field added to the viewer later is a
# parameter too, never baked into the first viewer's SQL.
VIEWER_SHAPE = ("role", "is_org_admin", "locale", "time_zone")


def _viewer_values(viewer: Any) -> dict[str, Any]:
    return {
        f"viewer.{field.name}": getattr(viewer, field.name)
        for field in dataclasses.fields(viewer)
        if field.name not in VIEWER_SHAPE
    }


def _stand_in(viewer: Any) -> Any:
    """The viewer with a parameter for each of its values (a copy of the dataclass)."""
    return dataclasses.replace(
        viewer,
        **{
            field.name: Parameter(f"viewer.{field.name}")
            for field in dataclasses.fields(viewer)
            if field.name not in VIEWER_SHAPE
        },
    )


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

    __slots__ = ("_build", "_compiled", "_for_viewer", "_table")

    def __init__(self, build: Callable[..., Select]) -> None:
        self._build = build
        self._for_viewer = len(inspect.signature(build).parameters) == 1
        # By kind of database (the text differs, and so may the query: database.one_of)
        # and, for a statement that takes the viewer, by the viewer's shape.
        self._compiled: dict[tuple[Any, ...], _Compiled] = {}
        self._table: type[Table] | None = None

    async def rows(self, viewer: Any = None, **values: Any) -> list[dict[str, Any]]:
        """The statement's rows for these values (each ``Parameter`` by its name), for
        this viewer when the statement takes one."""
        if self._for_viewer:
            if viewer is None:
                raise TypeError("this statement is narrowed for a viewer: give one")
            shape: tuple[Any, ...] = tuple(getattr(viewer, name) for name in VIEWER_SHAPE)
            values.update(_viewer_values(viewer))
        else:
            shape = ()
        if self._table is None:
            self._table = self._built(viewer).table
        engine = self._table._meta.db
        key = (engine.engine_type, *shape)
        compiled = self._compiled.get(key)
        if compiled is None:
            compiled = self._compiled[key] = _Compiled(self._built(viewer))
        bound = compiled.bound(values)
        querystring = QueryString(compiled.template, *bound)
        # Piccolo's own way to send SQL it compiled earlier (a frozen query's): the engine
        # takes the text and the values as they are.
        querystring._frozen_compiled_strings = (compiled.sql, bound)
        results = await engine.run_querystring(querystring, in_pool=True)
        return await compiled.query._process_results(results)  # type: ignore[no-any-return]

    async def first(self, viewer: Any = None, **values: Any) -> dict[str, Any] | None:
        """The first row, or None (write ``.limit(1)`` into the statement)."""
        rows = await self.rows(viewer, **values)
        return rows[0] if rows else None

    def _built(self, viewer: Any) -> Select:
        return self._build(_stand_in(viewer)) if self._for_viewer else self._build()
