"""Redline: what changed between two issued versions of a contract, word by word.

A version keeps the text it was issued with (ContractVersion.body_html, the rendered
template at issue time, and its terms), so any two versions can be compared later. The
texts are split into blocks (headings, paragraphs, list items, table cells), the blocks
are aligned, and blocks that were changed rather than added or removed are compared
token by token: a word of a spaced script, and in Chinese, Japanese and Korean, which
are not written with spaces between words (or whose spaced units carry particles),
each character. A changed clause then shows exactly the characters that changed.

Comparing runs in a worker process (contract texts may be up to 200,000 characters), so
this module imports nothing but the standard library: a fresh worker starts quickly.
contracts/comparison.py is the page that shows it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from difflib import SequenceMatcher
from html.parser import HTMLParser
from typing import Any

# Han, kana, Hangul (syllables and jamo), CJK punctuation and full-width forms.
CJK = (
    "\u1100-\u11ff\u2e80-\u2fdf\u3000-\u303f\u3040-\u30ff\u3100-\u312f\u3130-\u318f"
    "\u31a0-\u31ff\u3200-\u32ff\u3400-\u4dbf\u4e00-\u9fff\ua960-\ua97f\uac00-\ud7ff"
    "\uf900-\ufaff\ufe30-\ufe4f\uff00-\uffef\U00020000-\U0003ffff"
)
# One CJK character, a word of other letters and digits, a run of spaces, or any other
# single character (punctuation).
TOKEN = re.compile(f"[{CJK}]|[^\\W{CJK}]+|\\s+|.", re.DOTALL)

BLOCK_TAGS = frozenset(
    {
        *("h1", "h2", "h3", "h4", "p", "div", "blockquote", "li", "dt", "dd"),
        *("table", "caption", "thead", "tbody", "tfoot", "tr", "td", "th", "ul", "ol", "dl"),
    }
)
HEADING_TAGS = frozenset({"h1", "h2", "h3", "h4"})
# Blocks whose texts are this alike are one block changed, not one removed and one added.
SAME_BLOCK_RATIO = 0.5
# A run of changed blocks longer than this on either side is shown as removed and added.
MAX_PAIRED_BLOCKS = 60


@dataclass(frozen=True)
class Segment:
    """A piece of a block's text: ``change`` "same", "ins" (only in the newer version)
    or "del" (only in the older)."""

    change: str
    text: str


@dataclass(frozen=True)
class BlockChange:
    """A block of the compared texts: ``change`` "same", "changed", "added" or
    "removed"; ``kind`` "heading" or "text"."""

    change: str
    kind: str
    segments: tuple[Segment, ...]


@dataclass(frozen=True)
class Redline:
    blocks: tuple[BlockChange, ...]

    def count(self, change: str) -> int:
        return sum(1 for block in self.blocks if block.change == change)

    @property
    def changed(self) -> bool:
        return any(block.change != "same" for block in self.blocks)


@dataclass(frozen=True)
class _Block:
    kind: str
    text: str


class _BlockReader(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.blocks: list[_Block] = []
        self.parts: list[str] = []
        self.kind = "text"

    def flush(self) -> None:
        text = " ".join("".join(self.parts).split())
        if text:
            self.blocks.append(_Block(self.kind, text))
        self.parts = []

    def handle_starttag(self, tag: str, attrs: Any) -> None:
        if tag in BLOCK_TAGS:
            self.flush()
            self.kind = "heading" if tag in HEADING_TAGS else "text"
        elif tag in ("br", "hr"):
            self.parts.append(" ")

    def handle_endtag(self, tag: str) -> None:
        if tag in BLOCK_TAGS:
            self.flush()
            self.kind = "text"

    def handle_data(self, data: str) -> None:
        self.parts.append(data)


def text_blocks(body_html: str) -> list[_Block]:
    """A contract text (the cleaned markup of contracts.markup) as blocks of plain text."""
    reader = _BlockReader()
    reader.feed(body_html)
    reader.close()
    reader.flush()
    return reader.blocks


def tokens(text: str) -> list[str]:
    """Words of spaced scripts, single CJK characters, spaces and punctuation; joined
    again they give the text back."""
    return TOKEN.findall(text)


def _matcher(old: list[str], new: list[str]) -> SequenceMatcher[str]:
    return SequenceMatcher(None, old, new, autojunk=False)


def compare_text(old: str, new: str) -> tuple[Segment, ...]:
    """Two texts' differences, token by token. Spaces between two changes are counted in
    the change, so "a b" -> "c d" reads as one replacement rather than two."""
    before, after = tokens(old), tokens(new)
    opcodes = _matcher(before, after).get_opcodes()
    segments: list[Segment] = []
    deleted: list[str] = []
    inserted: list[str] = []

    def flush() -> None:
        if deleted:
            segments.append(Segment("del", "".join(deleted)))
        if inserted:
            segments.append(Segment("ins", "".join(inserted)))
        deleted.clear()
        inserted.clear()

    for index, (tag, i1, i2, j1, j2) in enumerate(opcodes):
        if tag == "equal":
            text = "".join(before[i1:i2])
            if deleted and inserted and text.isspace() and index + 1 < len(opcodes):
                deleted.append(text)
                inserted.append(text)
                continue
            flush()
            segments.append(Segment("same", text))
        else:
            deleted.extend(before[i1:i2])
            inserted.extend(after[j1:j2])
    flush()
    return tuple(segments)


def _similar(old: _Block, new: _Block) -> bool:
    matcher = _matcher(tokens(old.text), tokens(new.text))
    return matcher.quick_ratio() >= SAME_BLOCK_RATIO and matcher.ratio() >= SAME_BLOCK_RATIO


def _whole(change: str, block: _Block) -> BlockChange:
    return BlockChange(change, block.kind, (Segment("same", block.text),))


def _replaced(old: list[_Block], new: list[_Block]) -> list[BlockChange]:
    """Blocks of one side replaced by blocks of the other: each older block is paired, in
    order, with the first newer one alike enough (a changed block); the rest were removed
    or added."""
    if len(old) > MAX_PAIRED_BLOCKS or len(new) > MAX_PAIRED_BLOCKS:
        return [_whole("removed", block) for block in old] + [
            _whole("added", block) for block in new
        ]
    result: list[BlockChange] = []
    next_new = 0
    for block in old:
        partner = next((at for at in range(next_new, len(new)) if _similar(block, new[at])), None)
        if partner is None:
            result.append(_whole("removed", block))
            continue
        result.extend(_whole("added", added) for added in new[next_new:partner])
        result.append(
            BlockChange("changed", new[partner].kind, compare_text(block.text, new[partner].text))
        )
        next_new = partner + 1
    result.extend(_whole("added", added) for added in new[next_new:])
    return result


def compare(old_html: str, new_html: str) -> Redline:
    """The redline from one version's text to another's. CPU work: run it in a worker."""
    old, new = text_blocks(old_html), text_blocks(new_html)
    blocks: list[BlockChange] = []
    opcodes = _matcher([block.text for block in old], [block.text for block in new]).get_opcodes()
    for tag, i1, i2, j1, j2 in opcodes:
        if tag == "equal":
            blocks.extend(_whole("same", block) for block in new[j1:j2])
        elif tag == "delete":
            blocks.extend(_whole("removed", block) for block in old[i1:i2])
        elif tag == "insert":
            blocks.extend(_whole("added", block) for block in new[j1:j2])
        else:
            blocks.extend(_replaced(old[i1:i2], new[j1:j2]))
    return Redline(tuple(blocks))
