"""The outcome of saving a form or an API payload, shared by every module's services."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any
from uuid import UUID


@dataclass
class SaveResult:
    """The saved row's UUID, or the messages by field, or the edits that got in first
    (with the record's current version) when the editor's version was stale."""

    uuid: UUID | None = None
    errors: dict[str, str] = field(default_factory=dict)
    conflicts: list[dict[str, Any]] = field(default_factory=list)
    current_version: int | None = None

    @property
    def saved(self) -> bool:
        return self.uuid is not None

    def form_again(self, submitted: Mapping[str, Any]) -> tuple[dict[str, Any], int]:
        """The values and status to show a refused form with.

        After a conflict (409) the form carries the current version, so sending it again
        saves over the other edits knowingly; otherwise it is invalid input (400).
        """
        values = dict(submitted)
        if self.current_version is None:
            return values, 400
        values["version"] = str(self.current_version)
        return values, 409
