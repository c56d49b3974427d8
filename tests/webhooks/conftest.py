"""Webhook tests deliver to a real receiver on 127.0.0.1 (tests/http_receiver.py). The
portal refuses internal addresses unless WEBHOOK_ALLOW_PRIVATE_TARGETS is set
(webhooks/targets.py), so these tests set it, as an installation whose receivers are on
its own network would; tests/webhooks/test_targets.py checks the refusal without it."""

from __future__ import annotations

import dataclasses

import pytest

from partner_portal.settings import Settings


@pytest.fixture
def settings(settings: Settings) -> Settings:
    return dataclasses.replace(settings, webhook_allow_private_targets=True)
