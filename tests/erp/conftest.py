"""The ERP round trip hears of orders by webhook, delivered to a real receiver on
127.0.0.1 (tests/http_receiver.py). The portal refuses internal addresses unless
WEBHOOK_ALLOW_PRIVATE_TARGETS is set (webhooks/targets.py), so this test sets it, as an
installation whose ERP listens on its own network would."""

from __future__ import annotations

import dataclasses

import pytest

from partner_portal.settings import Settings


@pytest.fixture
def settings(settings: Settings) -> Settings:
    return dataclasses.replace(settings, webhook_allow_private_targets=True)
