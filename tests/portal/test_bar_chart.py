"""A bar chart is drawn once per what it shows (partner_portal/charts.py bar_chart): the
same figures give the same drawing, other figures or another reader's language another."""

from __future__ import annotations

from partner_portal import i18n
from partner_portal.charts import chart
from partner_portal.templating import create_environment

PAGE = '{{ bar_chart(figures, _("Partners"), money=True, currency="CNY") }}'


def _drawn(figures: object, locale: str) -> str:
    token = i18n.current_locale.set(locale)
    try:
        return create_environment().from_string(PAGE).render(figures=figures)
    finally:
        i18n.current_locale.reset(token)


def test_each_chart_shows_its_own_figures_in_the_readers_language() -> None:
    months = ["2026-10", "2026-11", "2026-12"]
    first = chart(months, [[1200.0, 800.0, None]])
    other = chart(months, [[1200.0, 900.0, None]])

    drawn = _drawn(first, "en")
    assert drawn == _drawn(chart(months, [[1200.0, 800.0, None]]), "en")
    assert "800" in drawn and "900" not in drawn
    assert "900" in _drawn(other, "en")
    assert "合作伙伴" in _drawn(first, "zh_Hans") and "Partners" in drawn
