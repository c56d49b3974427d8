"""The markup a contract text may use, and the cleaner that keeps it to that.

Contract templates and clauses are HTML written by brand admins; the text they produce
is printed by WeasyPrint, which would fetch pictures, stylesheets and attachments a text
names. So a contract text is limited to document structure: headings, paragraphs, lists,
tables, emphasis, and links to anchors within the same document. No pictures, styles,
scripts, forms, embedded objects or addresses of other documents.

The text is parsed with tinyhtml5, the parser WeasyPrint itself reads documents with, so
the cleaner sees exactly the elements WeasyPrint would; what it writes back contains only
allowed elements and attributes, with text and attribute values escaped, and reads the
same when parsed again.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from html import escape
from xml.etree.ElementTree import Element

from tinyhtml5.parser import HTMLParser

from partner_portal.i18n import N_

ALLOWED_TAGS = frozenset(
    {
        *("h1", "h2", "h3", "h4", "p", "br", "hr", "div", "span", "blockquote"),
        *("strong", "b", "em", "i", "u", "s", "sub", "sup", "small"),
        *("ul", "ol", "li", "dl", "dt", "dd"),
        *("table", "caption", "thead", "tbody", "tfoot", "tr", "th", "td"),
        "a",
    }
)
VOID_TAGS = frozenset({"br", "hr"})
# Classes the contract stylesheet defines for texts (contracts.printing.DOCUMENT_CSS).
ALLOWED_CLASSES = frozenset({"bilingual", "bilingual-table"})
_NAME = re.compile(r"[A-Za-z][A-Za-z0-9_-]{0,63}")
_ATTRIBUTE_VALUES: dict[str, re.Pattern[str]] = {
    "lang": re.compile(r"[A-Za-z]{2,3}(-[A-Za-z0-9]{1,8}){0,3}"),
    "dir": re.compile(r"ltr|rtl|auto"),
    "id": _NAME,
    "colspan": re.compile(r"[1-9][0-9]{0,2}"),
    "rowspan": re.compile(r"[1-9][0-9]{0,2}"),
    "start": re.compile(r"[0-9]{1,4}"),
    "href": re.compile(r"#[A-Za-z][A-Za-z0-9_-]{0,63}"),
}
_ATTRIBUTES_OF: dict[str, frozenset[str]] = {
    "td": frozenset({"colspan", "rowspan"}),
    "th": frozenset({"colspan", "rowspan"}),
    "ol": frozenset({"start"}),
    "a": frozenset({"href"}),
}
_ATTRIBUTES_OF_EVERY_TAG = frozenset({"class", "lang", "dir", "id"})
# Elements whose content is not text of the contract: refused together with what they hold.
# Any other element that is not allowed is refused but its text is kept.
_DROPPED_WITH_CONTENT = frozenset(
    {
        *("script", "style", "template", "title", "head", "link", "meta", "base"),
        *("img", "picture", "source", "video", "audio", "track", "canvas", "svg", "math"),
        *("object", "embed", "param", "iframe", "frame", "frameset", "applet", "map"),
        *("area", "noscript", "noembed", "noframes", "xmp", "plaintext", "textarea"),
        *("form", "input", "button", "select", "option", "optgroup", "datalist"),
    }
)


@dataclass(frozen=True)
class Refusal:
    """Something a contract text may not contain: an element, an attribute or a link.
    ``message`` is a message id (translated where it is shown) filled with ``params``."""

    message: str
    params: tuple[tuple[str, str], ...]
    needle: str  # what to look for in the template's source to find its line

    @property
    def parameters(self) -> dict[str, str]:
        return dict(self.params)


def _element_refusal(tag: str) -> Refusal:
    return Refusal(
        N_("the element <%(tag)s> is not allowed in a contract text"),
        (("tag", tag),),
        f"<{tag}",
    )


def _attribute_refusal(tag: str, attribute: str, value: str) -> Refusal:
    shown = value if len(value) <= 60 else value[:57] + "..."
    if attribute == "href":
        return Refusal(
            N_("a link may only point within the document (#name), not to %(address)s"),
            (("address", shown),),
            value[:40],
        )
    return Refusal(
        N_('the attribute %(attribute)s="%(value)s" on <%(tag)s> is not allowed'),
        (("attribute", attribute), ("value", shown), ("tag", tag)),
        f"{attribute}=",
    )


@dataclass(frozen=True)
class CleanHtml:
    html: str
    refusals: tuple[Refusal, ...]


def _local_name(tag: str) -> str:
    """The element's name without the namespace of SVG or MathML content."""
    return tag.rpartition("}")[2].lower()


def _allowed_value(attribute: str, value: str) -> bool:
    if attribute == "class":
        classes = value.split()
        return bool(classes) and all(name in ALLOWED_CLASSES for name in classes)
    pattern = _ATTRIBUTE_VALUES.get(attribute)
    return pattern is not None and pattern.fullmatch(value.strip()) is not None


def _attributes(tag: str, attributes: dict[str, str], refusals: list[Refusal]) -> str:
    allowed = _ATTRIBUTES_OF_EVERY_TAG | _ATTRIBUTES_OF.get(tag, frozenset())
    kept = []
    for attribute, value in attributes.items():
        name = str(attribute).lower()
        if name in allowed and _allowed_value(name, value):
            kept.append(f' {name}="{escape(value.strip(), quote=True)}"')
        else:
            refusals.append(_attribute_refusal(tag, name, value))
    return "".join(kept)


def _write(parent: Element, out: list[str], refusals: list[Refusal]) -> None:
    if parent.text:
        out.append(escape(parent.text, quote=False))
    for child in parent:
        if isinstance(child.tag, str):  # comments and processing instructions are dropped
            tag = _local_name(child.tag)
            if tag in ALLOWED_TAGS and tag == child.tag:
                out.append(f"<{tag}{_attributes(tag, dict(child.attrib), refusals)}>")
                if tag not in VOID_TAGS:
                    _write(child, out, refusals)
                    out.append(f"</{tag}>")
            else:
                refusals.append(_element_refusal(tag))
                if tag not in _DROPPED_WITH_CONTENT:
                    _write(child, out, refusals)
        if child.tail:
            out.append(escape(child.tail, quote=False))


def clean_html(html: str) -> CleanHtml:
    """The contract text with only the allowed markup, and what was taken out of it."""
    fragment = HTMLParser(namespace_html_elements=False).parse_fragment(html, container="div")
    out: list[str] = []
    refusals: list[Refusal] = []
    _write(fragment, out, refusals)
    return CleanHtml("".join(out), tuple(dict.fromkeys(refusals)))
