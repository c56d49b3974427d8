"""The pages added to an accepted contract's PDF: the certificate of completion (who
accepted which version, when, from where) and the brand's countersignature entry printed
into the field the certificate keeps free for it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from html import escape

from contracts.printing import (
    DOCUMENT_CSS,
    document_datetime,
    document_word,
    document_words,
    html_lang,
)

# The certificate of completion's words, in the contract's language like the rest of it.
COMPLETION_WORDS: dict[str, dict[str, str]] = {
    "en": {
        "completion": "Certificate of completion",
        "intro": "This page was added by the Threadline portal when the version above was "
        "accepted. The whole file is signed by the portal; any change breaks the signature.",
        "contract": "Contract",
        "parties": "Parties",
        "accepted_by": "Accepted by",
        "account": "Signed in as",
        "accepted_at": "Accepted at",
        "address": "From the address",
        "browser": "Browser",
        "confirmed": "Confirmed by",
        "code_sent": "a one-time code sent to %(email)s",
        "offered": "SHA-256 of the PDF offered",
        "fingerprint": "Printed fingerprint",
        "verify": "Check this file at",
        "countersignature": "Countersignature by the brand",
        "countersign_intro": "Added when the brand countersigned the accepted file above; "
        "the portal signed the whole file again and the partner's signature remains valid.",
        "countersigned_by": "Countersigned by",
        "countersigned_at": "Countersigned at",
        "accepted_sha256": "SHA-256 of the accepted PDF",
    },
    "zh_Hans": {
        "completion": "签署完成证明",
        "intro": "本页由 Threadline 平台在上述版本被接受时附加。平台已对整个文件进行数字签名，任何改动都会使签名失效。",
        "contract": "合同",
        "parties": "签约方",
        "accepted_by": "接受人",
        "account": "登录账户",
        "accepted_at": "接受时间",
        "address": "来源地址",
        "browser": "浏览器",
        "confirmed": "确认方式",
        "code_sent": "发送至 %(email)s 的一次性验证码",
        "offered": "所提供 PDF 的 SHA-256",
        "fingerprint": "印刷指纹",
        "verify": "验证本文件",
        "countersignature": "品牌方会签",
        "countersign_intro": "品牌方会签上述已接受的文件时添加。平台再次对整个文件进行数字签名，合作方的签名依然有效。",
        "countersigned_by": "会签人",
        "countersigned_at": "会签时间",
        "accepted_sha256": "已接受 PDF 的 SHA-256",
    },
    "ko": {
        "completion": "서명 완료 증명서",
        "intro": "이 페이지는 위 버전이 수락될 때 Threadline 포털이 추가했습니다. 파일 전체에 포털의 전자서명이 되어 있어 어떤 변경도 서명을 무효로 만듭니다.",
        "contract": "계약",
        "parties": "당사자",
        "accepted_by": "수락자",
        "account": "로그인 계정",
        "accepted_at": "수락 일시",
        "address": "접속 주소",
        "browser": "브라우저",
        "confirmed": "확인 방법",
        "code_sent": "%(email)s(으)로 보낸 일회용 코드",
        "offered": "제시된 PDF의 SHA-256",
        "fingerprint": "인쇄된 지문",
        "verify": "이 파일 확인",
        "countersignature": "브랜드 측 연서",
        "countersign_intro": "브랜드가 위의 수락된 파일에 연서할 때 추가되었습니다. 포털이 파일 전체에 다시 전자서명했으며 파트너의 서명은 그대로 유효합니다.",
        "countersigned_by": "연서자",
        "countersigned_at": "연서 일시",
        "accepted_sha256": "수락된 PDF의 SHA-256",
    },
}


@dataclass(frozen=True)
class Completion:
    """What the certificate of completion states about one acceptance."""

    language: str
    number: str
    title: str
    version: int
    brand_name: str
    partner_name: str
    signer_name: str
    signer_title: str
    account_email: str
    accepted_at: datetime
    ip_address: str
    user_agent: str
    offered_sha256: str
    fingerprint: str
    verify_url: str


HASH_ROWS = ("offered", "fingerprint", "accepted_sha256")


COMPLETION_TABLE_CSS = (
    ".completion th { width: 32%; font-weight: normal; color: #444; }"
    ".completion .value { word-break: break-all; }"
    # A hash on one line, so it can be read (and copied) whole.
    ".completion .hash { font-family: monospace; font-size: 7pt; white-space: nowrap; }"
)
# The completion page keeps its lower part free for the brand's countersignature, which
# is added there later as a visible signature field (COUNTERSIGNATURE_BOX).
COMPLETION_CSS = (
    "@page { margin-bottom: 100mm; @bottom-right { content: none; } }" + COMPLETION_TABLE_CSS
)


def _completion_html(
    language: str, heading: str, intro: str, rows: list[tuple[str, str]], css: str
) -> str:
    def word(key: str) -> str:
        return document_words(COMPLETION_WORDS, language, key)

    table = "".join(
        f"<tr><th>{escape(word(key))}</th>"
        f'<td class="{"hash" if key in HASH_ROWS else "value"}">{escape(value)}</td></tr>'
        for key, value in rows
    )
    return (
        f'<!DOCTYPE html><html lang="{html_lang(language)}"><head><meta charset="utf-8">'
        f"<title>{escape(word(heading))}</title><style>{DOCUMENT_CSS}{css}</style></head><body>"
        f"<h1>{escape(word(heading))}</h1><p>{escape(word(intro))}</p>"
        f'<table class="completion">{table}</table></body></html>'
    )


def completion_page_html(completion: Completion) -> str:
    """The one-page certificate of completion appended to an accepted PDF."""
    language = completion.language
    rows = [
        (
            "contract",
            f"{completion.number} · {completion.title} · "
            f"{document_word(language, 'version')} {completion.version}",
        ),
        ("parties", f"{completion.brand_name} · {completion.partner_name}"),
        ("accepted_by", f"{completion.signer_name}, {completion.signer_title}"),
        ("account", completion.account_email),
        ("accepted_at", document_datetime(completion.accepted_at, language)),
        ("address", completion.ip_address),
        ("browser", completion.user_agent),
        (
            "confirmed",
            document_words(COMPLETION_WORDS, language, "code_sent", email=completion.account_email),
        ),
        ("offered", completion.offered_sha256),
        ("fingerprint", completion.fingerprint),
        ("verify", completion.verify_url),
    ]
    return _completion_html(language, "completion", "intro", rows, COMPLETION_CSS)


@dataclass(frozen=True)
class Countersignature:
    """What the countersignature's completion entry states: who countersigned for the
    brand, when, from where, and the SHA-256 of the accepted (sealed) PDF."""

    language: str
    brand_name: str
    signer_name: str
    signer_title: str
    account_email: str
    countersigned_at: datetime
    ip_address: str
    accepted_sha256: str


# The countersignature's field on the completion page, in the space the page keeps free
# below its table (COMPLETION_CSS) and aligned with the table (page and body margins,
# 20 mm); its entry is printed at the field's size, white behind it, and the signature's
# appearance draws the frame.
COUNTERSIGNATURE_LEFT_MM = 20
COUNTERSIGNATURE_BOTTOM_MM = 26
COUNTERSIGNATURE_WIDTH_MM = 170
COUNTERSIGNATURE_HEIGHT_MM = 72
MM = 72 / 25.4
# The field's rectangle in PDF points from the bottom left of the (A4) page.
COUNTERSIGNATURE_BOX = (
    round(COUNTERSIGNATURE_LEFT_MM * MM),
    round(COUNTERSIGNATURE_BOTTOM_MM * MM),
    round((COUNTERSIGNATURE_LEFT_MM + COUNTERSIGNATURE_WIDTH_MM) * MM),
    round((COUNTERSIGNATURE_BOTTOM_MM + COUNTERSIGNATURE_HEIGHT_MM) * MM),
)
COUNTERSIGNATURE_CSS = (
    f"@page {{ size: {COUNTERSIGNATURE_WIDTH_MM}mm {COUNTERSIGNATURE_HEIGHT_MM}mm; margin: 0;"
    " @bottom-right { content: none; } }"
    "html { background: #fff; font-size: 7.5pt; line-height: 1.35; }"
    "body { margin: 0; padding: 2.5mm 3.5mm; }"
    "h1 { font-size: 10.5pt; text-align: left; margin: 0 0 1mm; }"
    "p { font-size: 7pt; color: #444; margin: 0 0 1.5mm; }"
    "td, th { padding: 0.6mm 1.5mm; }" + COMPLETION_TABLE_CSS
)


# The entry's field has a fixed size: a value longer than this is shown shortened (the
# whole value is kept with the signature and in the audit log).
ENTRY_VALUE_CHARACTERS = 50


def _fitted(value: str, limit: int = ENTRY_VALUE_CHARACTERS) -> str:
    return value if len(value) <= limit else value[: limit - 1] + "…"


def countersignature_html(countersignature: Countersignature) -> str:
    """The countersignature's completion entry: one page the size of its field."""
    language = countersignature.language
    rows = [
        (
            "countersigned_by",
            f"{_fitted(countersignature.signer_name)}, {_fitted(countersignature.signer_title)}"
            f" · {_fitted(countersignature.brand_name)}",
        ),
        ("account", _fitted(countersignature.account_email, 80)),
        ("countersigned_at", document_datetime(countersignature.countersigned_at, language)),
        ("address", countersignature.ip_address),
        ("accepted_sha256", countersignature.accepted_sha256),
    ]
    return _completion_html(
        language, "countersignature", "countersign_intro", rows, COUNTERSIGNATURE_CSS
    )
