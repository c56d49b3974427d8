from __future__ import annotations

import pytest

from distributors import plugin
from partner_portal.registries import registry


@pytest.fixture(autouse=True)
def distributor_rules_registered() -> None:
    """The kernel's submit runs the rules through the registry (the app fills it too)."""
    plugin.register(registry)
