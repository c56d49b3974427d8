"""Where contract templates run: a Jinja sandbox that offers only what a contract needs,
and a budget that bounds the work of one rendering.

Templates are written by brand admins and rendered whenever a contract is previewed or
issued, so a template must neither reach Python internals nor keep a CPU busy: nested
loops of 10^8 turns, a 10^9-character string or macros that call themselves twice per
call would otherwise freeze the server for hours. The sandbox:

- is Jinja's ImmutableSandboxedEnvironment (no Python internals, no mutation), with
  autoescaping always on (no ``{% autoescape false %}``, no ``|safe``);
- reads fields of the mappings a contract offers (``terms.items`` is the term "items",
  never a dict method), ``loop.index`` and friends, and no other attribute or method;
- offers a short list of filters (FILTERS) and no functions but ``range`` and ``clause``;
- refuses statements a contract does not need (include, import, extends, blocks, block
  assignments, filter blocks, recursive loops);
- counts every loop turn, call, attribute lookup and arithmetic operation against
  MAX_STEPS, and every character it builds or writes against MAX_CHARACTERS; refuses any
  single value longer than MAX_VALUE_CHARACTERS, integers beyond MAX_INTEGER_BITS and a
  text longer than MAX_OUTPUT_CHARACTERS. Within these limits a rendering ends in about
  a second at most on an idle machine (a macro calling itself is the slowest kind of
  step). MAX_SECONDS is only a last guard, far above that so that a busy machine never
  turns a template that fits the budget into a refusal.

Exceeding a limit raises RenderTooCostly with a message id and its parameters.
"""

from __future__ import annotations

import operator
import time
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextvars import ContextVar
from dataclasses import dataclass, field
from functools import cache
from html import escape
from typing import Any, cast

from jinja2 import StrictUndefined, Undefined, nodes
from jinja2.exceptions import SecurityError
from jinja2.filters import FILTERS as JINJA_FILTERS
from jinja2.runtime import LoopContext, markup_join
from jinja2.sandbox import ImmutableSandboxedEnvironment
from jinja2.visitor import NodeTransformer
from markupsafe import Markup

from partner_portal.i18n import N_

MAX_STEPS = 50_000
MAX_CHARACTERS = 2_000_000
MAX_VALUE_CHARACTERS = 20_000
MAX_OUTPUT_CHARACTERS = 200_000
MAX_INTEGER_BITS = 256
MAX_SECONDS = 30.0
MAX_RANGE = 10_000
STEPS_BETWEEN_PAUSES = 200

LOOP_ATTRIBUTES = frozenset(
    {
        *("index", "index0", "revindex", "revindex0", "first", "last", "length"),
        *("depth", "depth0", "previtem", "nextitem", "cycle", "changed"),
    }
)
# Statements a contract text has no use for, by the Jinja node that stands for them.
REFUSED_STATEMENTS: dict[type[nodes.Node], str] = {
    nodes.Include: "{% include %}",
    nodes.Import: "{% import %}",
    nodes.FromImport: "{% from ... import %}",
    nodes.Extends: "{% extends %}",
    nodes.Block: "{% block %}",
    nodes.AssignBlock: "{% set %}...{% endset %}",
    nodes.FilterBlock: "{% filter %}",
    nodes.ScopedEvalContextModifier: "{% autoescape %}",
    nodes.EvalContextModifier: "{% autoescape %}",
}


class RenderTooCostly(Exception):
    """A template went over a limit of its rendering budget. ``message`` is a message
    id (translated where it is shown), filled with ``params``."""

    def __init__(self, message: str, **params: object) -> None:
        super().__init__(message % params)
        self.message = message
        self.params = params


TOO_MANY_STEPS = N_(
    "this template does too much work (more than %(limit)s steps: loops inside loops, "
    "long repeats or a macro calling itself); make it simpler"
)
TOO_SLOW = N_("this template takes too long to fill in (more than %(limit)s seconds)")
TOO_MANY_CHARACTERS = N_(
    "this template builds too much text (more than %(limit)s characters in all)"
)
VALUE_TOO_LONG = N_("this template builds a text longer than %(limit)s characters")
OUTPUT_TOO_LONG = N_("the contract text would be longer than %(limit)s characters")
NUMBER_TOO_LARGE = N_("this template computes a number that is too large")
RANGE_TOO_LONG = N_("range() may count at most %(limit)s numbers")


@dataclass
class RenderBudget:
    """What one rendering may still spend; shared by a template and the clauses it includes."""

    steps: int = field(default_factory=lambda: MAX_STEPS)
    characters: int = field(default_factory=lambda: MAX_CHARACTERS)
    deadline: float = field(default_factory=lambda: time.monotonic() + MAX_SECONDS)

    def step(self) -> None:
        self.steps -= 1
        if self.steps % STEPS_BETWEEN_PAUSES == 0:
            # A rendering thread busy with Python code holds the GIL for the interpreter's
            # whole switch interval; letting go now and then lets the event loop answer
            # requests in between (measured: /healthz p99 near idle instead of 2-5 times).
            time.sleep(0)
        if self.steps < 0:
            raise RenderTooCostly(TOO_MANY_STEPS, limit=MAX_STEPS)
        if time.monotonic() > self.deadline:
            raise RenderTooCostly(TOO_SLOW, limit=MAX_SECONDS)

    def spend_characters(self, count: int) -> None:
        self.characters -= count
        if self.characters < 0:
            raise RenderTooCostly(TOO_MANY_CHARACTERS, limit=MAX_CHARACTERS)


_current_budget: ContextVar[RenderBudget | None] = ContextVar("render_budget", default=None)


def _step() -> None:
    budget = _current_budget.get()
    if budget is not None:
        budget.step()


def _built(length: int) -> None:
    """A value of ``length`` characters is about to be built: refuse it if too long."""
    if length > MAX_VALUE_CHARACTERS:
        raise RenderTooCostly(VALUE_TOO_LONG, limit=MAX_VALUE_CHARACTERS)
    budget = _current_budget.get()
    if budget is not None:
        budget.step()
        budget.spend_characters(length)


def _length(value: object) -> int:
    return len(value) if isinstance(value, str | list | tuple) else len(str(value))


def _bounded_binop(symbol: str, left: Any, right: Any) -> Any:
    """An arithmetic operator whose result is checked for size before it is computed
    (integers from a template stay within MAX_INTEGER_BITS, so only ** needs a guess)."""
    sequences = (str, list, tuple)
    if symbol == "%" and isinstance(left, str):
        raise SecurityError("formatting text with % is not available")
    if symbol == "**" and isinstance(left, int) and isinstance(right, int):
        if right < 0 or right * max(abs(left).bit_length(), 1) > MAX_INTEGER_BITS:
            raise RenderTooCostly(NUMBER_TOO_LARGE)
    elif symbol == "*" and isinstance(left, sequences) and isinstance(right, int):
        _built(len(left) * max(right, 0))
    elif symbol == "*" and isinstance(right, sequences) and isinstance(left, int):
        _built(len(right) * max(left, 0))
    elif symbol == "+" and isinstance(left, sequences) and isinstance(right, sequences):
        _built(len(left) + len(right))
    result = _OPERATORS[symbol](left, right)
    if isinstance(result, int) and result.bit_length() > MAX_INTEGER_BITS:
        raise RenderTooCostly(NUMBER_TOO_LARGE)
    return result


_OPERATORS: dict[str, Callable[[Any, Any], Any]] = {
    "+": operator.add,
    "-": operator.sub,
    "*": operator.mul,
    "/": operator.truediv,
    "//": operator.floordiv,
    "**": operator.pow,
    "%": operator.mod,
}


def _counted(iterable: Iterable[Any]) -> Iterator[Any]:
    """A loop's items, each turn counted against the budget."""
    for item in iterable:
        _step()
        yield item


def _concatenated(*parts: Any) -> Any:
    """``a ~ b``: the joined text, refused before it is built if too long."""
    _built(sum(_length(part) for part in parts))
    return markup_join(parts)


def _written(value: Any) -> Any:
    """Every ``{{ value }}`` a template writes (Jinja's finalize hook)."""
    if not isinstance(value, Undefined):
        _built(_length(value))
    return value


def _range(*args: int) -> range:
    numbers = range(*args)
    if len(numbers) > MAX_RANGE:
        raise RenderTooCostly(RANGE_TOO_LONG, limit=MAX_RANGE)
    return numbers


def _join(value: Iterable[Any], separator: str = "", attribute: Any = None) -> Any:
    items = list(_counted(value))
    _built(sum(_length(item) for item in items) + len(separator) * len(items))
    return JINJA_FILTERS["join"](_eval_context(), items, separator, attribute)


def _replace(value: Any, old: str, new: str, count: int | None = None) -> Any:
    text = value if isinstance(value, str) else str(value)
    occurrences = text.count(old) if old else len(text) + 1
    if count is not None:
        occurrences = min(occurrences, max(count, 0))
    _built(len(text) + occurrences * (len(new) - len(old)))
    return JINJA_FILTERS["replace"](_eval_context(), value, old, new, count)


def _nl2br(value: object) -> Markup:
    return Markup("<br>").join(escape(str(value)).splitlines())


# The filters a contract text may use. join and replace check the size of what they build;
# the others return at most a few times their input.
FILTERS: dict[str, Callable[..., Any]] = {
    **{
        name: JINJA_FILTERS[name]
        for name in (
            *("upper", "lower", "title", "capitalize", "trim", "default", "d", "e"),
            *("escape", "length", "count", "first", "last", "round", "int", "abs"),
            *("string", "truncate", "wordcount"),
        )
    },
    "join": _join,
    "replace": _replace,
    "nl2br": _nl2br,
}


class ContractSandbox(ImmutableSandboxedEnvironment):
    intercepted_binops = frozenset(_OPERATORS)

    def call_binop(self, context: Any, operator: str, left: Any, right: Any) -> Any:
        _step()
        return _bounded_binop(operator, left, right)

    def call(__self, __context: Any, __obj: Any, *args: Any, **kwargs: Any) -> Any:
        _step()
        return super().call(__context, __obj, *args, **kwargs)

    def getattr(self, obj: Any, attribute: str) -> Any:
        _step()
        if isinstance(obj, Mapping):
            return obj[attribute] if attribute in obj else self.undefined(obj=obj, name=attribute)
        if isinstance(obj, LoopContext) and attribute in LOOP_ATTRIBUTES:
            return getattr(obj, attribute)
        if isinstance(obj, Undefined):
            return super().getattr(obj, attribute)
        return self.unsafe_undefined(obj, attribute)

    def getitem(self, obj: Any, argument: Any) -> Any:
        _step()
        if isinstance(obj, Mapping):
            return obj[argument] if argument in obj else self.undefined(obj=obj, name=argument)
        if isinstance(obj, str | list | tuple | range) and isinstance(argument, int | slice):
            try:
                value = obj[argument]
            except IndexError:
                return self.undefined(obj=obj, name=str(argument))
            if isinstance(argument, slice):
                _built(_length(value))
            return value
        if isinstance(obj, Undefined):
            return super().getitem(obj, argument)
        return self.undefined(obj=obj, name=str(argument))


@cache
def sandbox() -> ContractSandbox:
    environment = ContractSandbox(
        undefined=StrictUndefined,
        autoescape=True,
        trim_blocks=True,
        lstrip_blocks=True,
        finalize=_written,
    )
    environment.filters = dict(FILTERS)
    environment.globals = {"range": _range}
    environment.counted = _counted  # type: ignore[attr-defined]
    environment.concatenated = _concatenated  # type: ignore[attr-defined]
    return environment


@cache
def _eval_context() -> Any:
    from jinja2.nodes import EvalContext

    return EvalContext(sandbox())


def refused_statements(tree: nodes.Template) -> Iterator[tuple[int, str]]:
    """(line, statement) of each statement contract templates may not use."""
    for node in tree.find_all(tuple(REFUSED_STATEMENTS)):
        yield node.lineno, REFUSED_STATEMENTS[type(node)]
    for loop in tree.find_all(nodes.For):
        if loop.recursive:
            yield loop.lineno, "{% for ... recursive %}"


class _Budgeted(NodeTransformer):
    """Rewrites a template so every loop turn and every ``~`` is counted against the budget."""

    def visit_For(self, node: nodes.For) -> nodes.Node:
        loop = cast(nodes.For, self.generic_visit(node))
        loop.iter = _environment_call("counted", [cast(nodes.Expr, loop.iter)], loop.lineno)
        return loop

    def visit_Concat(self, node: nodes.Concat) -> nodes.Node:
        concat = cast(nodes.Concat, self.generic_visit(node))
        return _environment_call("concatenated", concat.nodes, concat.lineno)


def budgeted_tree(tree: nodes.Template) -> nodes.Template:
    """The template with every loop turn and every ``~`` counted against the budget."""
    return _Budgeted().visit(tree)  # type: ignore[no-any-return]


def _environment_call(name: str, arguments: list[nodes.Expr], lineno: int) -> nodes.Call:
    return nodes.Call(
        nodes.EnvironmentAttribute(name, lineno=lineno), arguments, [], None, None, lineno=lineno
    )


def render_within_budget(template: Any, context: Mapping[str, Any]) -> str:
    """A compiled template's text; inside another rendering (a clause in a template) it
    spends that rendering's budget, else a fresh one."""
    token = _current_budget.set(RenderBudget()) if _current_budget.get() is None else None
    try:
        written = 0
        parts = []
        for part in template.generate(dict(context)):
            written += len(part)
            if written > MAX_OUTPUT_CHARACTERS:
                raise RenderTooCostly(OUTPUT_TOO_LONG, limit=MAX_OUTPUT_CHARACTERS)
            parts.append(part)
        return "".join(parts)
    finally:
        if token is not None:
            _current_budget.reset(token)
