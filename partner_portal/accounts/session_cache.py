"""Signed-in viewers remembered for a few seconds, so a user's requests do not each look
up their session and user (every page request did: one query before any work).

What it keeps: the user's row as the session lookup found it, by the session token's
hash (the cookie itself is never kept), for at most ``Settings.session_cache_seconds``
(5 by default; 0 turns the cache off). It is memory of one process: nothing another
process needs lives here, and each process fills its own.

Why it is safe:

- A change that must take effect at once (signing out, a new password, deactivation, a
  new role or organisation-admin right, new preferences) calls ``forget_user`` after its
  transaction committed. That drops the user's entries in this process, and a lookup
  that started before the call is not remembered when it ends (it may have read the row
  as it was before the change): only lookups that start after the change fill the cache.
- Other processes learn of the change when their entry ages out: within
  ``session_cache_seconds``. A session that expires, a user deactivated directly in the
  database, or a change made by a process of another version: the same bound.
- The number of entries is bounded (MAX_ENTRIES; the oldest go first).
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any

MAX_ENTRIES = 10_000
# Revocation marks older than this cannot matter to any entry (far beyond any TTL allowed).
MARK_SECONDS = 600


@dataclass(frozen=True)
class _Entry:
    row: dict[str, Any]
    user_id: int
    looked_up_at: float


_entries: dict[str, _Entry] = {}
_forgotten_at: dict[int, float] = {}


def clock() -> float:
    return time.monotonic()


def _forgotten(user_id: int, moment: float) -> bool:
    return moment <= _forgotten_at.get(user_id, float("-inf"))


def get(token_hash: str, seconds: float) -> dict[str, Any] | None:
    """The user row remembered for this session, if it is younger than ``seconds`` and
    no change of the user came after its lookup started."""
    entry = _entries.get(token_hash)
    if entry is None:
        return None
    if clock() - entry.looked_up_at >= seconds or _forgotten(entry.user_id, entry.looked_up_at):
        _entries.pop(token_hash, None)
        return None
    return entry.row


def remember(token_hash: str, row: dict[str, Any], looked_up_at: float) -> None:
    """Keep a lookup's result unless the user changed after the lookup started
    (``looked_up_at``, taken before the query)."""
    if _forgotten(row["id"], looked_up_at):
        return
    while len(_entries) >= MAX_ENTRIES:
        _entries.pop(next(iter(_entries)))
    _entries[token_hash] = _Entry(row, row["id"], looked_up_at)


def forget_user(user_id: int) -> None:
    """Drop what this process remembers of the user; call after the change committed."""
    now = clock()
    _forgotten_at[user_id] = now
    for token_hash in [key for key, entry in _entries.items() if entry.user_id == user_id]:
        _entries.pop(token_hash, None)
    if len(_forgotten_at) > MAX_ENTRIES:
        for stale in [key for key, moment in _forgotten_at.items() if now - moment > MARK_SECONDS]:
            _forgotten_at.pop(stale, None)


def clear() -> None:
    _entries.clear()
    _forgotten_at.clear()
