"""The uploads helper: a file is what its bytes are; its name is text to show, never a path."""

from __future__ import annotations

from partner_portal import uploads

PDF = b"%PDF-1.7\n..."
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 16
JPEG = b"\xff\xd8\xff\xe0" + b"\x00" * 16
WEBP = b"RIFF\x24\x00\x00\x00WEBPVP8 "
WEB_PAGE = b"<!doctype html><script>alert(1)</script>"


def test_the_type_comes_from_the_bytes_and_only_accepted_types_pass() -> None:
    accepted = (uploads.PDF, uploads.JPEG, uploads.PNG)
    assert uploads.detect_type(PDF, accepted) is uploads.PDF
    assert uploads.detect_type(PNG, accepted) is uploads.PNG
    assert uploads.detect_type(JPEG, accepted) is uploads.JPEG
    assert uploads.detect_type(WEBP, accepted) is None
    assert uploads.detect_type(WEBP, (uploads.WEBP,)) is uploads.WEBP
    assert uploads.detect_type(WEB_PAGE, accepted) is None
    assert uploads.detect_type(b"", accepted) is None


def test_a_shown_name_keeps_only_the_last_part_and_the_detected_extension() -> None:
    assert uploads.display_name("../../etc/passwd.pdf", uploads.PDF, "file") == "passwd.pdf"
    assert uploads.display_name("C:\\Users\\王\\报告.PDF", uploads.PDF, "file") == "报告.pdf"
    assert uploads.display_name("report.pdf", uploads.PNG, "file") == "report.png"
    assert uploads.display_name('a"b<c>\x00\n.pdf', uploads.PDF, "file") == "abc.pdf"
    assert uploads.display_name("../.htaccess", uploads.PDF, "certificate") == "certificate.pdf"
    assert uploads.display_name("", uploads.JPEG, "photo") == "photo.jpg"
    assert len(uploads.display_name("x" * 500 + ".pdf", uploads.PDF, "file")) <= 120


def test_stored_names_are_generated() -> None:
    first, second = uploads.stored_name(uploads.PNG), uploads.stored_name(uploads.PNG)
    assert first != second and first.endswith(".png") and "/" not in first


def test_a_download_has_a_safe_ascii_name_and_the_full_name_in_utf8() -> None:
    headers = uploads.download_headers("检测报告.pdf")
    assert headers["Content-Disposition"] == (
        "attachment; filename=\"file.pdf\"; filename*=UTF-8''%E6%A3%80%E6%B5%8B%E6%8A%A5%E5%91%8A.pdf"
    )
    assert headers["X-Content-Type-Options"] == "nosniff"
    inline = uploads.download_headers('../../seam "1".png', "inline")["Content-Disposition"]
    assert inline == "inline; filename=\"seam 1.png\"; filename*=UTF-8''seam%201.png"
