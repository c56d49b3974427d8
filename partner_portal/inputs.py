"""What a request may carry to the database: whole numbers a 64-bit column holds, and text
without NUL bytes.

PostgreSQL refuses a NUL byte in text ("invalid byte sequence for encoding UTF8: 0x00")
and both databases refuse an integer beyond 64 bits (asyncpg: "value out of int64 range";
sqlite3: OverflowError), each an error at the database, hence a 500. The request guard in
web.py refuses NUL bytes anywhere in a request and integers out of range in JSON bodies
before any handler runs; numbers typed as text are read with ``whole_number`` (forms and
query strings), page numbers Litestar parses are declared ``PageNumber``.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Annotated, Any

from litestar.params import QueryParameter

DATABASE_INTEGER_MIN = -(2**63)
DATABASE_INTEGER_MAX = 2**63 - 1
# Far beyond any list's pages, and small enough that page × page size stays a 64-bit offset.
MAX_PAGE = 1_000_000_000
_MAX_DIGITS = len(str(DATABASE_INTEGER_MAX))

# A page number Litestar parses from the query: out of range answers 400 before the handler.
PageNumber = Annotated[int, QueryParameter(ge=1, le=MAX_PAGE)]


def whole_number(
    text: object, *, minimum: int = 0, maximum: int = DATABASE_INTEGER_MAX
) -> int | None:
    """The whole number a form field or query parameter holds (ASCII digits, spaces around
    allowed), or None when it holds anything else or a number outside [minimum, maximum].

    Unlike ``int(text) if text.isdigit()``, refuses the digits ``isdigit`` accepts and
    ``int`` does not ("²"), and numbers no database column holds (the default maximum is
    the largest 64-bit integer), without converting a megabyte of digits first.
    """
    if not isinstance(text, str):
        return None
    cleaned = text.strip()
    if not cleaned or len(cleaned) > _MAX_DIGITS or not (cleaned.isascii() and cleaned.isdigit()):
        return None
    number = int(cleaned)
    return number if minimum <= number <= maximum else None


def may_hold_nul(raw: bytes) -> bool:
    """Whether undecoded bytes of a query string, cookie header or form body can decode to
    a NUL: only a raw NUL, ``%00`` or (in a quoted cookie) an octal ``\\000`` does."""
    return b"\x00" in raw or b"%00" in raw or b"\\0" in raw


# In JSON a NUL is written \u0000, and an integer beyond 64 bits has 19 digits or more.
_JSON_SUSPECT = re.compile(rb"\\u0000|[0-9]{19}")


def json_may_be_unstorable(body: bytes) -> bool:
    """Whether a JSON body may hold a NUL or a huge integer (then it is decoded to see)."""
    return _JSON_SUSPECT.search(body) is not None


def holds_nul(value: Any) -> bool:
    """Whether a NUL byte hides anywhere in a decoded value (strings, keys, lists, dicts)."""
    if isinstance(value, str):
        return "\x00" in value
    if isinstance(value, dict):
        return any(holds_nul(key) or holds_nul(item) for key, item in value.items())
    if isinstance(value, list | tuple):
        return any(holds_nul(item) for item in value)
    return False


def holds_huge_integer(value: Any) -> bool:
    """Whether a decoded JSON document holds an integer no 64-bit column holds."""
    if isinstance(value, bool):
        return False
    if isinstance(value, int):
        return not DATABASE_INTEGER_MIN <= value <= DATABASE_INTEGER_MAX
    if isinstance(value, dict):
        return any(holds_huge_integer(item) for item in value.values())
    if isinstance(value, list | tuple):
        return any(holds_huge_integer(item) for item in value)
    return False


def first_with_nul(pairs: Iterable[tuple[str, Any]]) -> str | None:
    """The name of the first (name, value) pair whose name or text value holds a NUL byte."""
    for name, value in pairs:
        if holds_nul(name) or holds_nul(value):
            return name
    return None
