"""E-mails are written from templates in the recipient's language, whatever the request's."""

from __future__ import annotations

from datetime import UTC, datetime

from partner_portal import i18n
from partner_portal.notifications.services import render_email

CONTEXT = {
    "name": "<김민준>",
    "inviter": "A & B",
    "organisation": "서울패션유통",
    "link": "http://testserver/set-password/abc",
    "expires_at": datetime(2026, 3, 5, 0, 30, tzinfo=UTC),
    "time_zone": "Asia/Seoul",
    "renewed": False,
}


def test_it_writes_in_the_recipients_language_and_leaves_the_current_one_alone() -> None:
    token = i18n.current_locale.set("zh_Hans")
    try:
        rendered = render_email("invitation", CONTEXT, "ko", "Asia/Seoul")
        assert i18n.current_locale.get() == "zh_Hans"
    finally:
        i18n.current_locale.reset(token)
    assert rendered.subject == "서울패션유통의 Threadline 초대"
    assert "A & B님이 서울패션유통의 사용자로" in rendered.text
    # Dates in the recipient's time zone: 00:30 UTC is 09:30 in Seoul.
    assert "9:30" in rendered.text
    assert "(Asia/Seoul)" in rendered.text
    assert '<html lang="ko">' in rendered.html


def test_the_html_escapes_names_and_the_text_keeps_them_as_written() -> None:
    rendered = render_email("invitation", CONTEXT, "en")
    assert "Hello <김민준>," in rendered.text
    assert "&lt;김민준&gt;" in rendered.html
    assert "A &amp; B has invited you" in rendered.html
    assert "\n" not in rendered.subject
