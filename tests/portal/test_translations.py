"""Every user-facing string has a Chinese and a Korean translation, and pages follow the user's language."""

from __future__ import annotations

import subprocess
import sys
from decimal import Decimal
from pathlib import Path

import pytest
from babel.messages.pofile import read_po

from partner_portal import i18n

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def extracted_messages(tmp_path_factory: pytest.TempPathFactory) -> set[str]:
    template = tmp_path_factory.mktemp("messages") / "messages.pot"
    subprocess.run(
        [
            sys.executable,
            "-m",
            "babel.messages.frontend",
            "extract",
            "-F",
            "babel.cfg",
            "-k",
            "N_",
            "--no-location",
            "-o",
            str(template),
            ".",
        ],
        cwd=ROOT,
        check=True,
        capture_output=True,
    )
    with template.open("rb") as handle:
        return {
            message.id if isinstance(message.id, str) else message.id[0]
            for message in read_po(handle)
            if message.id
        }


@pytest.mark.parametrize("locale", ["zh_Hans", "ko"])
def test_every_message_in_the_code_is_translated(extracted_messages: set[str], locale: str) -> None:
    po_path = ROOT / "partner_portal" / "locale" / locale / "LC_MESSAGES" / "messages.po"
    with po_path.open("rb") as handle:
        catalogue = read_po(handle, locale=locale)
    translated = {
        (message.id if isinstance(message.id, str) else message.id[0])
        for message in catalogue
        if message.id
        and message.string
        and all(message.string if isinstance(message.string, tuple) else [message.string])
        and not message.fuzzy
    }
    missing = sorted(extracted_messages - translated)
    assert not missing, (
        f"{len(missing)} messages lack a {locale} translation (run `make messages`): {missing[:10]}"
    )


def test_it_formats_money_with_the_currency_minor_units() -> None:
    token = i18n.current_locale.set("en")
    try:
        assert i18n.format_money(1234567, "KRW") == "₩1,234,567"
        assert i18n.format_money(Decimal("1234.5"), "CNY") == "CN¥1,234.50"
    finally:
        i18n.current_locale.reset(token)
    token = i18n.current_locale.set("ko")
    try:
        assert i18n.format_money(1234567, "KRW") == "₩1,234,567"
    finally:
        i18n.current_locale.reset(token)


def test_english_dates_follow_the_browsers_region() -> None:
    from datetime import date

    assert i18n.regional_format_locale("en-GB,en;q=0.9", "en") == "en_GB"
    assert i18n.regional_format_locale("en-US", "en") == "en_US"
    assert i18n.regional_format_locale("ko-KR", "ko") is None
    locale_token = i18n.current_locale.set("en")
    region_token = i18n.current_region_locale.set("en_GB")
    try:
        assert i18n.format_date(date(2026, 11, 23), "short") == "23/11/2026"
    finally:
        i18n.current_region_locale.reset(region_token)
        i18n.current_locale.reset(locale_token)


def test_it_picks_the_language_from_accept_language() -> None:
    assert i18n.negotiate_locale("ko-KR,ko;q=0.9,en;q=0.5", "en") == "ko"
    assert i18n.negotiate_locale("zh-TW,zh;q=0.9", "en") == "zh_Hans"
    assert i18n.negotiate_locale("fr-FR,de;q=0.8", "en") == "en"
    assert i18n.negotiate_locale("fr-FR,en;q=0.1,zh-CN;q=0.8", "en") == "zh_Hans"
    assert i18n.negotiate_locale(None, "ko") == "ko"
