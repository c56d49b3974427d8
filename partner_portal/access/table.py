"""docs/ACCESS.md, the role table as people read it: every declared action, grouped by the
area that declares it, with its meaning and which roles have it (scripts/access_table.py
writes it; tests/portal/test_role_table.py fails when it is out of date)."""

from __future__ import annotations

from collections.abc import Iterable

from partner_portal.access.core import ActionSet, ScopedTable
from partner_portal.access.roles import (
    NOT_FOR_BRAND_ADMINS,
    ORGANISATION_ADMIN_ONLY,
    OWN_ORGANISATION_ONLY,
    PARTNER_ROLES,
    ROLE_ACTIONS,
)
from partner_portal.partners.tables import Role

HEADER = """# Who may do what

Generated from `partner_portal/access/roles.py` (the role table) and the actions the kernel
and each module declare, by `.venv/bin/python scripts/access_table.py`: do not edit by hand.

A cell says whether the role has the action: **yes**, **own org** (a partner's users only on
their own organisation, not on the retailers a distributor serves), **org admin** (only the
organisation's administrator) or empty. Which rows a role sees at all (its organisations,
a module's own rules) is in each area's `access.py`.
"""


def _cell(role: Role, action: str) -> str:
    if action not in ROLE_ACTIONS[role]:
        return ""
    if role not in PARTNER_ROLES:
        return "yes"
    limits = [
        limit
        for limit, actions in (
            ("org admin", ORGANISATION_ADMIN_ONLY),
            ("own org", OWN_ORGANISATION_ONLY),
        )
        if action in actions
    ]
    return ", ".join(limits) or "yes"


def access_table(
    action_sets: Iterable[type[ActionSet]], scoped_tables: Iterable[ScopedTable]
) -> str:
    """The Markdown of docs/ACCESS.md for these declared sets of actions and tables."""
    areas: dict[str, list[tuple[ActionSet, str]]] = {}
    for actions in action_sets:
        for action in actions:
            area = action.value.split(".", 1)[0]
            areas.setdefault(area, []).append((action, f"{actions.__module__}.{actions.__name__}"))
    roles = list(Role)
    lines = [HEADER]
    for area, members in areas.items():
        declared_by = sorted({where for _action, where in members})
        lines.append(f"## {area}\n")
        lines.append(f"Declared in {', '.join(f'`{where}`' for where in declared_by)}.\n")
        lines.append("| action | meaning | " + " | ".join(role.value for role in roles) + " |")
        lines.append("|---|---|" + "---|" * len(roles))
        for action, _where in members:
            cells = " | ".join(_cell(role, action) for role in roles)
            lines.append(f"| `{action.value}` | {action.meaning} | {cells} |")
        lines.append("")
    lines.append("## Withheld from brand administrators\n")
    lines.append("Brand administrators have every action except these, on purpose:\n")
    for withheld, reason in NOT_FOR_BRAND_ADMINS.items():
        lines.append(f"- `{withheld}`: {reason}.")
    lines.append("\n## Rows that belong to an organisation\n")
    lines.append(
        "Every query of these tables goes through the access policy, or its function says why\n"
        "not (`@access.system_query`, `@access.checked_by_caller`):"
        " tests/portal/test_scoped_queries.py.\n"
    )
    lines.append("| table | scoped by | defined in |")
    lines.append("|---|---|---|")
    for scope in scoped_tables:
        table = scope.table._meta.tablename
        by = f"`{scope.by._meta.name}`" if scope.by is not None else f"not scoped: {scope.reason}"
        lines.append(f"| `{table}` | {by} | `{scope.table.__module__}` |")
    return "\n".join(lines) + "\n"
