"""The sales module registers with the kernel as the app does, so a test that calls its
services without starting the app finds the access rules it passes its tables to; its
mail tests use the real SMTP server of the outbox's tests."""

import pytest

from partner_portal.registries import registry
from sales import plugin
from tests.notifications.conftest import mail_settings, smtp, smtp_down

__all__ = ["mail_settings", "smtp", "smtp_down"]


@pytest.fixture(autouse=True, scope="session")
def sales_registered() -> None:
    plugin.register(registry)
