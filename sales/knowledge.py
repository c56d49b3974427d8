"""The knowledge base of the service desk: short answers per language that case workers
write once and link in their replies, and partners search before they open a case."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from partner_portal import access
from partner_portal.access import Viewer
from partner_portal.audit import services as audit_log
from partner_portal.clock import utcnow
from partner_portal.database import contains_text, update_if_version, write_transaction
from partner_portal.edits import SaveResult
from partner_portal.i18n import gettext as _
from partner_portal.inputs import field_text
from sales import forms
from sales.access import SalesAction, VisibleArticle
from sales.tables import KnowledgeArticle


async def search_articles(language: str, words: str, limit: int = 20) -> list[dict[str, Any]]:
    """Answers in the reader's language whose title or text contains the words."""
    query = KnowledgeArticle.select(
        KnowledgeArticle.uuid,
        KnowledgeArticle.title,
        KnowledgeArticle.body,
        KnowledgeArticle.language,
    ).where(KnowledgeArticle.language == language)
    for word in words.split()[:5]:
        query = query.where(
            contains_text(KnowledgeArticle.title, word) | contains_text(KnowledgeArticle.body, word)
        )
    return list(await query.order_by(KnowledgeArticle.title).limit(limit))


ANSWER_LANGUAGES = ("en", "zh_Hans", "ko")


def _article_input(data: Mapping[str, Any]) -> tuple[dict[str, Any] | None, dict[str, str]]:
    title = field_text(data, "title", 200)
    body = field_text(data, "body", 20_000)
    language = field_text(data, "language", 10)
    errors: dict[str, str] = {}
    if not title:
        errors["title"] = _("Give the answer a title.")
    if not body:
        errors["body"] = _("Write the answer.")
    if language not in ANSWER_LANGUAGES:
        errors["language"] = _("Choose English, Simplified Chinese or Korean.")
    if errors:
        return None, errors
    return {"title": title, "body": body, "language": language}, {}


async def save_article(viewer: Viewer, data: Mapping[str, Any]) -> SaveResult:
    """Add an answer to the knowledge base (the brand's case workers)."""
    access.require(viewer, SalesAction.work_cases)
    values, errors = _article_input(data)
    if values is None:
        return SaveResult(errors=errors)
    async with write_transaction():
        row = await KnowledgeArticle.insert(
            KnowledgeArticle(**values, updated_at=utcnow(), version=1)
        ).returning(KnowledgeArticle.uuid)
        await audit_log.record(
            viewer,
            entity_kind="knowledge_article",
            entity_uuid=row[0]["uuid"],
            organisation_id=viewer.organisation_id,
            action="create",
            changes=audit_log.changes_between(
                {}, {"title": values["title"], "language": values["language"]}
            ),
            summary=values["title"],
        )
    return SaveResult(uuid=row[0]["uuid"])


async def update_article(
    viewer: Viewer, current: VisibleArticle, data: Mapping[str, Any]
) -> SaveResult:
    """Change an answer's title, text or language unless someone saved since the form was
    opened. Replies that linked it show it as it reads now."""
    access.require(viewer, SalesAction.work_cases)
    values, errors = _article_input(data)
    version_errors = forms.Errors()
    opened = forms.parse_version(data, version_errors)
    errors |= version_errors.messages
    if values is None or errors:
        return SaveResult(errors=errors)
    opened_version = opened if opened is not None else current.version
    async with write_transaction():
        version = await update_if_version(
            KnowledgeArticle, current.id, opened_version, {**values, "updated_at": utcnow()}
        )
        if version:
            await audit_log.record(
                viewer,
                entity_kind="knowledge_article",
                entity_uuid=current.uuid,
                organisation_id=viewer.organisation_id,
                action="update",
                changes=audit_log.changes_between(
                    {**current.as_dict(), "version": opened_version},
                    {**values, "version": version},
                ),
                summary=values["title"],
            )
    if not version:
        return SaveResult(
            conflicts=await audit_log.changes_since(current.uuid, opened_version),
            current_version=current.version,
        )
    return SaveResult(uuid=current.uuid)
