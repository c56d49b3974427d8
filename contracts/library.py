"""Contract templates and the clause library: saving them checked, previewing them."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any
from uuid import UUID

import anyio.to_thread

from contracts import forms, printing, rendering, template_values
from contracts.access import ContractAction, VisibleClause, VisibleTemplate
from contracts.sandbox import RenderTooCostly
from contracts.states import ContractError
from contracts.tables import (
    Clause,
    ClauseVersion,
    Contract,
    ContractTemplate,
)
from partner_portal import access
from partner_portal.access import Viewer
from partner_portal.audit import services as audit_log
from partner_portal.clock import utcnow
from partner_portal.database import update_if_version, write_transaction
from partner_portal.edits import SaveResult
from partner_portal.i18n import gettext as _
from partner_portal.inputs import whole_number
from partner_portal.pdf import PrintedPdf, print_html


async def clause_bodies() -> dict[str, str]:
    """Each clause's newest text by key (what templates include until a contract is issued)."""
    rows = await ClauseVersion.select(
        ClauseVersion.clause._.key.as_alias("key"),
        ClauseVersion.body,
    ).where(ClauseVersion.number == ClauseVersion.clause._.current_number)
    return {row["key"]: row["body"] for row in rows}


async def list_clauses() -> list[dict[str, Any]]:
    """The clause library with each clause's newest text and how many versions it has."""
    clauses = await Clause.select(*Clause.all_columns()).order_by(Clause.key)
    versions = await ClauseVersion.select(
        ClauseVersion.clause,
        ClauseVersion.number,
        ClauseVersion.body,
        ClauseVersion.note,
        ClauseVersion.created_at,
    ).order_by(ClauseVersion.number, ascending=False)
    by_clause: dict[int, list[dict[str, Any]]] = {}
    for version in versions:
        by_clause.setdefault(version["clause"], []).append(version)
    for clause in clauses:
        clause["versions"] = by_clause.get(clause["id"], [])
        clause["body"] = clause["versions"][0]["body"] if clause["versions"] else ""
    return list(clauses)


def _problem_text(problem: rendering.TemplateProblem) -> str:
    """A template problem in the reader's language."""
    reason = _(problem.message, **problem.parameters)
    return (
        _("Line %(line)s: %(reason)s", line=problem.line, reason=reason) if problem.line else reason
    )


def _problems_as_errors(problems: list[rendering.TemplateProblem]) -> dict[str, str]:
    return {"body": " · ".join(_problem_text(problem) for problem in problems)}


async def _check_source(
    source: str,
    clause_keys: frozenset[str] | None,
    sample: Mapping[str, Any],
    allow_clauses: bool = True,
) -> list[rendering.TemplateProblem]:
    """rendering.check_source in a worker thread: a template that spends its whole budget
    keeps a CPU busy for up to a second, and the server keeps answering meanwhile."""
    return await anyio.to_thread.run_sync(
        rendering.check_source, source, clause_keys, sample, allow_clauses
    )


async def contract_body(source: str, context: Mapping[str, Any]) -> str:
    """A template's text filled in and cleaned (rendering.contract_body) in a worker
    thread; a template that no longer renders or exceeds its budget is a ContractError."""
    try:
        return await anyio.to_thread.run_sync(rendering.contract_body, source, context)
    except RenderTooCostly as error:
        reason = _(error.message, **error.params)
    except Exception as error:  # a template saved before a clause it uses was removed
        reason = str(error)
    raise ContractError(_("The template does not render: %(error)s", error=reason))


async def save_clause(
    viewer: Viewer, clause: VisibleClause | None, data: Mapping[str, str]
) -> SaveResult:
    """Create a clause, or give it a new version (earlier versions stay, and issued
    contracts keep the text they were issued with)."""
    access.require(viewer, ContractAction.manage_contract_templates)
    values, errors = forms.parse_clause(data)
    if values is None:
        return SaveResult(errors=errors)
    problems = await _check_source(
        values.body, None, template_values.sample_context(), allow_clauses=False
    )
    if problems:
        return SaveResult(errors=_problems_as_errors(problems))
    now = utcnow()
    async with write_transaction():
        if clause is None:
            if await Clause.exists().where(Clause.key == values.key):
                return SaveResult(errors={"key": _("A clause with this name already exists.")})
            row = (
                await Clause.insert(
                    Clause(key=values.key, title=values.title, created_at=now, current_number=1)
                )
                .returning(Clause.id, Clause.uuid)
                .run()
            )
            clause_id, clause_uuid, number = row[0]["id"], row[0]["uuid"], 1
        else:
            clause_id, clause_uuid = clause.id, clause.uuid
            number = clause.current_number + 1
            await Clause.update({Clause.title: values.title, Clause.current_number: number}).where(
                Clause.id == clause_id
            )
        await ClauseVersion.insert(
            ClauseVersion(
                clause=clause_id,
                number=number,
                body=values.body,
                note=values.note,
                author=viewer.user_id,
                created_at=now,
            )
        ).run()
        await audit_log.record(
            viewer,
            entity_kind="contract_clause",
            entity_uuid=clause_uuid,
            organisation_id=None,
            action="create" if clause is None else "update",
            summary=f"{values.key} v{number}",
        )
    return SaveResult(uuid=clause_uuid)


async def list_templates(viewer: Viewer) -> list[dict[str, Any]]:
    access.require(viewer, ContractAction.manage_contracts)
    rows = (
        await ContractTemplate.select(
            ContractTemplate.uuid,
            ContractTemplate.name,
            ContractTemplate.kind,
            ContractTemplate.language,
            ContractTemplate.is_active,
            ContractTemplate.updated_at,
        )
        .order_by(ContractTemplate.kind)
        .order_by(ContractTemplate.name)
    )
    return list(rows)


async def check_template_body(body: str) -> list[rendering.TemplateProblem]:
    bodies = await clause_bodies()
    return await _check_source(body, frozenset(bodies), template_values.sample_context(bodies))


async def save_template(
    viewer: Viewer, template: VisibleTemplate | None, data: Mapping[str, str]
) -> SaveResult:
    """Create or edit a template. A template that does not render (syntax, unknown
    variable or clause) is refused with the line and the reason; contracts already
    issued keep their frozen text whatever happens to the template."""
    access.require(viewer, ContractAction.manage_contract_templates)
    values, errors = forms.parse_template(data)
    if values is None:
        return SaveResult(errors=errors)
    problems = await check_template_body(values.body)
    if problems:
        return SaveResult(errors=_problems_as_errors(problems))
    now = utcnow()
    fields: dict[str, Any] = {
        "name": values.name,
        "kind": values.kind,
        "language": values.language,
        "body": values.body,
        "is_active": values.is_active,
    }
    async with write_transaction():
        if template is None:
            row = (
                await ContractTemplate.insert(
                    ContractTemplate(**fields, created_at=now, updated_at=now)
                )
                .returning(ContractTemplate.uuid)
                .run()
            )
            saved_uuid = row[0]["uuid"]
            changes: dict[str, Any] = {}
        else:
            opened = opened_version(data, template.version)
            new_version = await update_if_version(
                ContractTemplate,
                template.id,
                opened,
                {getattr(ContractTemplate, k): v for k, v in fields.items()}
                | {ContractTemplate.updated_at: now},
            )
            if new_version is None:
                return await conflict("contract_template", template.uuid, opened)
            saved_uuid = template.uuid
            changes = audit_log.changes_between(template.as_dict(), fields)
        await audit_log.record(
            viewer,
            entity_kind="contract_template",
            entity_uuid=saved_uuid,
            organisation_id=None,
            action="create" if template is None else "update",
            changes=changes,
            summary=values.name,
        )
    return SaveResult(uuid=saved_uuid)


def opened_version(data: Mapping[str, str], current: int) -> int:
    opened = whole_number(data.get("version", ""))
    return current if opened is None else opened


@access.checked_by_caller("the contract or template its caller fetched through access")
async def conflict(kind: str, entity_uuid: UUID, opened: int) -> SaveResult:
    current = await (
        Contract.select(Contract.version).where(Contract.uuid == entity_uuid).first()
        if kind == "contract"
        else ContractTemplate.select(ContractTemplate.version)
        .where(ContractTemplate.uuid == entity_uuid)
        .first()
    )
    conflicts = await audit_log.changes_since(entity_uuid, opened)
    return SaveResult(
        errors={"version": _("Someone else saved this in the meantime; see their changes.")},
        conflicts=conflicts,
        current_version=current["version"] if current else None,
    )


async def preview_template(viewer: Viewer, template: VisibleTemplate) -> PrintedPdf:
    """The template printed with sample data, as a partner would receive it."""
    access.require(viewer, ContractAction.manage_contract_templates)
    bodies = await clause_bodies()
    context = template_values.sample_context(bodies)
    context["contract"] = {
        **context["contract"],
        "title": template.name,
        "kind": template.kind,
        "language": template.language,
    }
    body_html = await contract_body(template.body, context)
    html = printing.document_html(
        language=template.language,
        title=template.name,
        number="PREVIEW",
        version=0,
        brand=context["brand"],
        partner=context["partner"],
        body_html=body_html,
        fingerprint="0" * 64,
    )
    return await print_html(html)
