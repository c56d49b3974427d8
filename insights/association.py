"""Cross-sell by association rules over partners' baskets (plain numbers; no database).

A basket is the set of styles one partner has bought. For a rule "buys X → buys Y":

- support: the partners who bought both (a count; rules below the minimum are dropped),
- confidence: of the partners who bought X, the share who also bought Y,
- lift: that confidence over the share of all partners who bought Y. Above 1, buying X
  makes Y likelier than it is anyway; a style every partner buys has lift 1 whatever it is
  paired with, so popularity alone suggests nothing.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass

import numpy


@dataclass(frozen=True)
class Rule:
    reason: int  # X, a style the partner bought
    style: int  # Y, the style suggested
    both: int  # partners who bought X and Y
    buyers_of_reason: int
    buyers_of_style: int
    baskets: int

    @property
    def confidence(self) -> float:
        return self.both / self.buyers_of_reason

    @property
    def lift(self) -> float:
        return self.confidence / (self.buyers_of_style / self.baskets)


def rules(
    baskets: Mapping[int, Collection[int]],
    minimum_support: int,
    minimum_confidence: float,
    minimum_lift: float,
) -> dict[int, list[Rule]]:
    """Every rule X → Y over these baskets (partner → styles) that clears the three minima,
    by X."""
    styles = sorted({style for basket in baskets.values() for style in basket})
    index = {style: column for column, style in enumerate(styles)}
    bought = numpy.zeros((len(baskets), len(styles)), dtype=numpy.int32)
    for row, basket in enumerate(baskets.values()):
        bought[row, [index[style] for style in basket]] = 1
    together = bought.T @ bought  # together[x, y]: partners who bought both x and y
    buyers = numpy.diag(together)
    found: dict[int, list[Rule]] = {}
    for x, y in zip(*numpy.nonzero(together >= minimum_support), strict=True):
        if x == y:
            continue
        rule = Rule(
            reason=styles[x],
            style=styles[y],
            both=int(together[x, y]),
            buyers_of_reason=int(buyers[x]),
            buyers_of_style=int(buyers[y]),
            baskets=len(baskets),
        )
        if rule.confidence >= minimum_confidence and rule.lift >= minimum_lift:
            found.setdefault(rule.reason, []).append(rule)
    return found


def suggestions(
    rules_by_reason: Mapping[int, list[Rule]],
    basket: Collection[int],
    excluded: Collection[int],
    count: int,
) -> list[Rule]:
    """The ``count`` styles with the strongest rules from this basket (highest lift, then
    confidence), each once with its best reason, none of them in ``excluded``."""
    best: dict[int, Rule] = {}
    for reason in basket:
        for rule in rules_by_reason.get(reason, ()):
            if rule.style in excluded or rule.style in basket:
                continue
            held = best.get(rule.style)
            if held is None or (rule.lift, rule.confidence) > (held.lift, held.confidence):
                best[rule.style] = rule
    ranked = sorted(best.values(), key=lambda rule: (-rule.lift, -rule.confidence, rule.style))
    return ranked[:count]
