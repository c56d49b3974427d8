"""Templates' gettext answers in the reader's language every time, though each message's
translation is prepared once per language: the language switches between two renders,
variables are escaped in HTML and not in plain text, and "%%" is a percent sign."""

from __future__ import annotations

from partner_portal import i18n
from partner_portal.templating import create_environment


def render(source: str, locale: str, autoescape: bool = True) -> str:
    environment = create_environment()
    environment.autoescape = autoescape
    token = i18n.current_locale.set(locale)
    try:
        return environment.from_string(source).render()
    finally:
        i18n.current_locale.reset(token)


def test_the_same_message_follows_the_readers_language() -> None:
    source = '{{ _("Done") }}|{{ gettext("Done") }}'

    assert render(source, "zh_Hans") == "完成|完成"
    assert render(source, "en") == "Done|Done"
    assert render(source, "zh_Hans") == "完成|完成"


def test_variables_are_escaped_in_html_only_and_a_double_percent_is_one() -> None:
    source = '{{ _("Back to %(stage)s", stage="<R&D>") }} {{ _("100%%") }}'

    assert render(source, "en") == "Back to &lt;R&amp;D&gt; 100%"
    assert render(source, "en", autoescape=False) == "Back to <R&D> 100%"
