"""The board's cards, each rendered once per what it shows (partner_portal/fragments.py).

The render of its cards and their move forms was most of the board's CPU, and a card
looks the same on every visit until its opportunity changes: it is kept per process,
keyed by every value the card shows as read on this request, its column and whether the
viewer moves cards (with the reader's language, region and time zone), so a new stage,
value, date or owner shows at once, in every process. The reader's CSRF token is a slot.
"""

from __future__ import annotations

from jinja2 import pass_context
from jinja2.runtime import Context
from markupsafe import Markup

from partner_portal.fragments import RenderedOnce
from sales.access import SalesAction
from sales.records import OpportunityCard

# About 1.5 KB each: the first cards of every column, and the ones "Show more" brought.
CARDS = RenderedOnce("sales/_board_card.html", kept=5000, slots=("csrf",))

# The card's own values that templates/sales/_board_card.html shows.
SHOWN = (
    "uuid",
    "version",
    "title",
    "partner_name",
    "partner_status",
    "expected_value",
    "currency",
    "probability",
    "expected_close_date",
    "owner_name",
    "next_step",
)


@pass_context
def board_card(context: Context, card: OpportunityCard, stage: str) -> Markup:
    """``{{ board_card(card, column.stage.value) }}`` in sales/_board_cards.html."""
    can_move = context["viewer"].can(SalesAction.manage_opportunities)
    key = (*(getattr(card, name) for name in SHOWN), stage, can_move)
    return CARDS.render(
        context.environment,
        key,
        {"card": card, "stage": stage, "can_move": can_move},
        slots={"csrf": str(context["csrf_input"])},
    )
