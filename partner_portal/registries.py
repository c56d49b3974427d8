"""Extension points the kernel owns and modules fill (DESIGN.md §3).

The composition root (app.py) calls each module's ``register`` with this
registry; the kernel then asks the registry instead of importing modules.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

from partner_portal.access import Viewer


@dataclass(frozen=True)
class PartnerPanel:
    """A section of the partner 360 page filled by a module (orders, contracts, follow-ups...).

    ``load`` returns the template context, or None when the viewer has nothing to see there.
    """

    key: str
    order: int
    template: str
    load: Callable[[Viewer, dict[str, Any]], Awaitable[dict[str, Any] | None]]


@dataclass
class Registry:
    partner_panels: list[PartnerPanel] = field(default_factory=list)

    def add_partner_panel(self, panel: PartnerPanel) -> None:
        self.partner_panels.append(panel)
        self.partner_panels.sort(key=lambda item: item.order)


registry = Registry()
