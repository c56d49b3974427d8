"""Contract text: templates written by brand admins, checked and rendered in a sandbox
(the document around the text is contracts/printing.py, the values it sees
contracts/template_values.py), then printed to PDF by WeasyPrint.

Templates are user input, so they run in contracts.sandbox (no Python internals, a short
list of filters, every rendering within a budget of steps and characters) with
StrictUndefined, and what they produce is limited to the markup of contracts.markup
(document structure; no pictures, styles or addresses). Before a template is saved it is
checked twice: statically against the variables, filters and statements a contract
offers and the markup its text contains (so a misspelt ``partner.legal_nme`` or an
``<img>`` is caught even inside a branch the sample data would not reach), and by
rendering it with sample data within the budget. Either failure names the line. When a
contract is printed, the text is rendered within the same budget and cleaned again, so a
template saved before these checks cannot reach the document either.
"""

from __future__ import annotations

import traceback
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from jinja2 import TemplateSyntaxError, nodes
from jinja2.exceptions import SecurityError, TemplateError, UndefinedError
from markupsafe import Markup

from contracts.forms import TERM_NAMES
from contracts.markup import clean_html
from contracts.sandbox import (
    FILTERS,
    RenderTooCostly,
    budgeted_tree,
    refused_statements,
    render_within_budget,
    sandbox,
)
from partner_portal.i18n import N_

TEMPLATE_FILENAME = "<contract template>"

# What a template may use: {{ partner.legal_name }}, {{ terms.territory }}, {{ clause("x") }}.
PARTY_FIELDS = ("legal_name", "english_name", "tax_id", "country", "address", "representative")
VARIABLES: dict[str, tuple[str, ...]] = {
    "brand": PARTY_FIELDS,
    "partner": PARTY_FIELDS,
    "contract": ("number", "title", "kind", "version", "issued_on", "language"),
    "terms": TERM_NAMES,
}
FUNCTIONS = ("clause",)
# Jinja's own names a template may use (loop.index inside a for loop and the like).
BUILTIN_NAMES = frozenset({"loop", "range", "true", "false", "none", "True", "False", "None"})


@dataclass(frozen=True)
class TemplateProblem:
    """Why a template cannot be saved: ``message`` is a message id, translated where it
    is shown and filled with ``params``; ``line`` where known."""

    line: int | None
    message: str
    params: tuple[tuple[str, object], ...] = ()

    @property
    def parameters(self) -> dict[str, object]:
        return dict(self.params)

    @property
    def reason(self) -> str:
        return self.message % self.parameters if self.params else self.message

    def __str__(self) -> str:
        return f"line {self.line}: {self.reason}" if self.line else self.reason


def _problem(line: int | None, message: str, **params: object) -> TemplateProblem:
    return TemplateProblem(line, message, tuple(params.items()))


def _walk_local_names(tree: nodes.Template) -> set[str]:
    """Names a template assigns itself ({% set x %}, {% for x in ... %}, macro arguments)."""
    names: set[str] = set()
    for node in tree.find_all(nodes.Name):
        if node.ctx in ("store", "param"):
            names.add(node.name)
    for macro in tree.find_all(nodes.Macro):
        names.add(macro.name)
    return names


def _static_problems(
    tree: nodes.Template, clause_keys: frozenset[str] | None, allow_clauses: bool
) -> Iterator[TemplateProblem]:
    local = _walk_local_names(tree)
    known = set(VARIABLES) | BUILTIN_NAMES | local | (set(FUNCTIONS) if allow_clauses else set())
    for name in tree.find_all(nodes.Name):
        if name.ctx == "load" and name.name not in known:
            if name.name == "clause":
                yield TemplateProblem(name.lineno, N_("a clause cannot include another clause"))
            else:
                yield _problem(
                    name.lineno,
                    N_("unknown variable %(name)s; use %(names)s"),
                    name=name.name,
                    names=", ".join(sorted(VARIABLES)),
                )
    for node in tree.find_all((nodes.Getattr, nodes.Getitem)):
        target = getattr(node, "node", None)
        if not isinstance(target, nodes.Name) or target.name not in VARIABLES:
            continue
        if target.name in local:
            continue
        attribute: object
        if isinstance(node, nodes.Getattr):
            attribute = node.attr
        elif isinstance(node, nodes.Getitem) and isinstance(node.arg, nodes.Const):
            attribute = node.arg.value
        else:
            continue
        if attribute not in VARIABLES[target.name]:
            yield _problem(
                node.lineno,
                N_("unknown variable %(name)s; %(variable)s has %(fields)s"),
                name=f"{target.name}.{attribute}",
                variable=target.name,
                fields=", ".join(VARIABLES[target.name]),
            )
    for call in tree.find_all(nodes.Call):
        if not isinstance(call.node, nodes.Name) or call.node.name != "clause":
            continue
        if len(call.args) != 1 or not isinstance(call.args[0], nodes.Const):
            yield TemplateProblem(call.lineno, N_('write a clause as clause("its_key")'))
        elif clause_keys is not None and call.args[0].value not in clause_keys:
            yield _problem(call.lineno, N_("no clause named %(name)s"), name=call.args[0].value)
    for used in tree.find_all(nodes.Filter):
        if used.name not in FILTERS:
            yield _problem(
                used.lineno,
                N_("the filter %(name)s is not available; use %(names)s"),
                name=used.name,
                names=", ".join(sorted(FILTERS)),
            )
    for line, statement in refused_statements(tree):
        yield _problem(
            line, N_("%(statement)s is not available in contract templates"), statement=statement
        )


def _line_of(error: BaseException) -> int | None:
    """The template line a rendering error happened on (Jinja rewrites tracebacks to it)."""
    line = None
    for frame, lineno in traceback.walk_tb(error.__traceback__):
        if frame.f_code.co_filename == TEMPLATE_FILENAME:
            line = lineno
    return line


def _line_in(source: str, needle: str) -> int | None:
    """The first line of ``source`` holding ``needle`` (case-insensitive), if any."""
    at = source.lower().find(needle.lower())
    return source.count("\n", 0, at) + 1 if at >= 0 else None


def _markup_problems(source: str, html: str) -> list[TemplateProblem]:
    return [
        TemplateProblem(_line_in(source, refusal.needle), refusal.message, refusal.params)
        for refusal in clean_html(html).refusals
    ]


def _written_markup(source: str) -> str:
    """The template's own text with every {{ ... }} and {% ... %} taken out, so markup in
    any branch is seen (a placeholder stands where a value goes)."""
    return "\ufffc".join(
        value for _, kind, value in sandbox().lex(source, filename=TEMPLATE_FILENAME)
        if kind == "data"
    )  # fmt: skip


def check_source(
    source: str,
    clause_keys: frozenset[str] | None,
    sample: Mapping[str, Any] | None = None,
    allow_clauses: bool = True,
) -> list[TemplateProblem]:
    """Problems of a template (or clause) text: syntax, unknown variables, filters or
    clauses, statements or markup a contract may not use, and errors (the budget's too)
    rendering it with ``sample`` data. An empty list means it may be saved. Takes up to a
    second for a template that spends its whole budget: call it off the event loop."""
    environment = sandbox()
    try:
        tree = environment.parse(source, filename=TEMPLATE_FILENAME)
    except TemplateSyntaxError as error:
        return [_problem(error.lineno, N_("syntax error: %(detail)s"), detail=error.message or "")]
    except RecursionError:
        return [TemplateProblem(None, N_("the template is nested too deeply"))]
    problems = sorted(
        set(_static_problems(tree, clause_keys, allow_clauses))
        | set(_markup_problems(source, _written_markup(source))),
        key=lambda p: p.line or 0,
    )
    if problems or sample is None:
        return problems
    try:
        html = render_body(source, sample)
    except RenderTooCostly as error:
        return [_problem(_line_of(error), error.message, **error.params)]
    except (TemplateError, SecurityError, ArithmeticError, TypeError, ValueError) as error:
        return [_rendering_problem(error)]
    except RecursionError:
        return [TemplateProblem(None, N_("the template is nested too deeply"))]
    return _markup_problems(source, html)


def _rendering_problem(error: BaseException) -> TemplateProblem:
    if isinstance(error, UndefinedError):
        message = N_("unknown variable: %(detail)s")
    elif isinstance(error, SecurityError):
        message = N_("not allowed: %(detail)s")
    else:
        message = N_("the template does not render: %(detail)s")
    return _problem(_line_of(error), message, detail=str(error) or type(error).__name__)


def render_body(source: str, context: Mapping[str, Any]) -> str:
    """A template's text filled in, as the template wrote it (raises TemplateError on a
    bad template, RenderTooCostly past the budget). Documents take contract_body."""
    return render_within_budget(compiled(source), context)


def contract_body(source: str, context: Mapping[str, Any]) -> str:
    """A template's text filled in and kept to the markup a contract may use: what a
    contract prints. Call it off the event loop (it may spend its whole budget)."""
    return clean_html(render_body(source, context)).html


@lru_cache(maxsize=256)
def compiled(source: str) -> Any:
    """A template text compiled once, named so errors can be traced to its lines; with the
    statements contracts may not use refused and every loop and ``~`` on the budget."""
    environment = sandbox()
    tree = environment.parse(source, filename=TEMPLATE_FILENAME)
    for line, statement in refused_statements(tree):
        raise SecurityError(f"{statement} is not available in contract templates (line {line})")
    code = environment.compile(budgeted_tree(tree), filename=TEMPLATE_FILENAME)
    return environment.template_class.from_code(environment, code, environment.globals, None)


def clause_function(
    bodies: Mapping[str, str], context: Mapping[str, Any], used: dict[str, int] | None = None
) -> Callable[[str], Markup]:
    """``clause("key")`` inside a template: the clause's text, filled with the same data
    within the template's budget."""

    def clause(key: str) -> Markup:
        if key not in bodies:
            raise ValueError(f"no clause named {key!r}")
        if used is not None:
            used[key] = used.get(key, 0) + 1
        return Markup(render_within_budget(compiled(bodies[key]), context))

    return clause
