"""Partner search: one stored search text per partner, searched with one condition.

The partner list's search box finds a partner by its legal or English name, its tax id,
and its contacts' names (as written and romanised) and e-mail addresses. Those are kept
together in ``partner_search.body`` (one row per organisation, the fields one a line),
which the database maintains itself: triggers on ``organisation`` and ``contact`` rewrite
the partner's row in the same transaction as every insert, update and delete of those
rows, whoever writes them (the forms, the API, imports, the demo data, bulk loads). The
triggers and the backfill are in partners' migration 2026-12-07T00:30.

How a search is answered:

- PostgreSQL, three characters or more: ``body ILIKE '%…%'`` walks a pg_trgm GIN index
  (trigrams of CJK text too: the database's ctype classes Han and Hangul as letters).
- PostgreSQL, one or two CJK characters (a trigram index cannot answer those: 服饰 has no
  trigram of its own): the body's CJK unigrams and bigrams, computed by the SQL function
  ``partner_search_grams`` and kept in a GIN expression index, contain the search.
- SQLite, three characters or more: the FTS5 trigram index of the text
  (``partner_search_fts``, kept by triggers on partner_search: partners' migration
  2026-12-07T03:10) matches the search as one phrase, which for trigrams is a substring,
  whatever the case.
- SQLite below three characters, and one or two Latin characters on PostgreSQL:
  ``body LIKE/ILIKE '%…%'`` over the one column of the one table (a scan of one short row
  per partner; no trigram index answers fewer than three characters).

Wildcards typed in the box are searched for as characters; the search is at most
MAX_QUERY characters.
"""

from __future__ import annotations

import re
from typing import Any

from piccolo.columns.combination import WhereRaw

from partner_portal.database import is_sqlite

MAX_QUERY = 100
# Han (and its extensions and compatibility forms), Hangul syllables, kana: the scripts a
# two-character search is a word in.
CJK_CLASS = "\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af\uf900-\ufaff"
_CJK = re.compile(f"[{CJK_CLASS}]{{1,2}}")

_SEARCHED = '"organisation"."id" IN (SELECT s.organisation FROM partner_search s WHERE {})'
# PostgreSQL: the matching partners read once through the index (an uncorrelated ARRAY
# subquery runs once, before the rest), never the search condition tried partner by
# partner: the planner did that for a KAM's 313 partners, computing each partner's CJK
# grams (14 ms apiece) instead of reading the grams index (4.5 s against 20 ms).
_SEARCHED_ONCE = (
    '"organisation"."id" = ANY(ARRAY(SELECT s.organisation FROM partner_search s WHERE {}))'
)
_SEARCHED_FTS = '"organisation"."id" IN (SELECT rowid FROM partner_search_fts WHERE partner_search_fts MATCH {})'
# The shortest text a trigram index answers.
TRIGRAM = 3


def escape_like(text: str) -> str:
    """``text`` as a LIKE pattern's literal part (with ESCAPE '\\')."""
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def partner_condition(text: str) -> Any:
    """The condition on Organisation: the partner's search text contains ``text``
    (case-insensitively for Latin letters). One indexed condition where the database has
    an index for it (see the module's docstring)."""
    text = text.strip()[:MAX_QUERY]
    if not is_sqlite() and _CJK.fullmatch(text):
        return WhereRaw(_SEARCHED_ONCE.format("partner_search_grams(s.body) @> ARRAY[{}]"), text)
    if is_sqlite() and len(text) >= TRIGRAM:
        # One phrase (its quotes doubled): the trigrams of the text in a row, a substring.
        phrase = '"' + text.replace('"', '""') + '"'
        return WhereRaw(_SEARCHED_FTS, phrase)
    searched, operator = (_SEARCHED, "LIKE") if is_sqlite() else (_SEARCHED_ONCE, "ILIKE")
    return WhereRaw(
        searched.format(f"s.body {operator} {{}} ESCAPE '\\'"), f"%{escape_like(text)}%"
    )
