"""Hostile spreadsheets, made in the test: a zip bomb, a sheet of a million cells, a
workbook whose declared dimension lies. Written part by part (the XML an xlsx holds), so
each file is exactly as hostile as its name says and as small as an attacker would send.
"""

from __future__ import annotations

import io
import zipfile
from collections.abc import Sequence
from xml.sax.saxutils import escape

MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
PACKAGE_RELATIONSHIPS = "http://schemas.openxmlformats.org/package/2006/relationships"
DOCUMENT_RELATIONSHIPS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
CONTENT_TYPES = """<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">
<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>
<Default Extension="xml" ContentType="application/xml"/>
<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>
<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>
<Override PartName="/xl/sharedStrings.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/>
</Types>"""
PACKAGE_RELS = f"""<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="{PACKAGE_RELATIONSHIPS}"><Relationship Id="rId1" Type="{DOCUMENT_RELATIONSHIPS}/officeDocument" Target="xl/workbook.xml"/></Relationships>"""
WORKBOOK = f"""<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<workbook xmlns="{MAIN}" xmlns:r="{DOCUMENT_RELATIONSHIPS}"><sheets><sheet name="Sheet1" sheetId="1" r:id="rId1"/></sheets></workbook>"""
WORKBOOK_RELS = f"""<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="{PACKAGE_RELATIONSHIPS}"><Relationship Id="rId1" Type="{DOCUMENT_RELATIONSHIPS}/worksheet" Target="worksheets/sheet1.xml"/><Relationship Id="rId2" Type="{DOCUMENT_RELATIONSHIPS}/sharedStrings" Target="sharedStrings.xml"/></Relationships>"""


def workbook(
    sheet_data: str,
    dimension: str,
    strings: Sequence[str] = (),
    padding: str = "",
    doctype: str = "",
) -> bytes:
    """An xlsx of one sheet: ``sheet_data`` is the XML of its rows, ``strings`` its shared
    strings (cells refer to them by index), ``padding`` raw XML added to the string table
    and ``doctype`` a document type declaration before it."""
    sheet = (
        f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?><worksheet xmlns="{MAIN}">'
        f'<dimension ref="{dimension}"/><sheetData>{sheet_data}</sheetData></worksheet>'
    )
    shared = "".join(f"<si><t>{escape(text)}</t></si>" for text in strings)
    table = f'<?xml version="1.0"?>{doctype}<sst xmlns="{MAIN}">{shared}{padding}</sst>'
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        archive.writestr("[Content_Types].xml", CONTENT_TYPES)
        archive.writestr("_rels/.rels", PACKAGE_RELS)
        archive.writestr("xl/workbook.xml", WORKBOOK)
        archive.writestr("xl/_rels/workbook.xml.rels", WORKBOOK_RELS)
        archive.writestr("xl/worksheets/sheet1.xml", sheet)
        archive.writestr("xl/sharedStrings.xml", table)
    return buffer.getvalue()


def _column(index: int) -> str:
    letters = ""
    while index:
        index, remainder = divmod(index - 1, 26)
        letters = chr(65 + remainder) + letters
    return letters


def text_rows(rows: Sequence[Sequence[str]]) -> tuple[str, list[str]]:
    """Rows of text as sheet XML referring to a shared string table; returns both."""
    strings: list[str] = []
    xml = []
    for number, row in enumerate(rows, start=1):
        cells = []
        for index, text in enumerate(row, start=1):
            strings.append(text)
            cells.append(f'<c r="{_column(index)}{number}" t="s"><v>{len(strings) - 1}</v></c>')
        xml.append(f'<row r="{number}">{"".join(cells)}</row>')
    return "".join(xml), strings


def zip_bomb(header: Sequence[str], unpacked_mb: int = 66) -> bytes:
    """A real workbook (the header and one row) whose shared string table is padded with
    highly compressible text: about 150 KB that unpacks to ``unpacked_mb`` MB."""
    sheet_data, strings = text_rows([list(header), ["x"] * len(header)])
    filler = "<si><t>" + "A" * 1000 + "</t></si>"
    count = unpacked_mb * 1024 * 1024 // len(filler)
    return workbook(sheet_data, f"A1:{_column(len(header))}2", strings, filler * count)


def square(size: int = 1000, dimension: str = "") -> bytes:
    """``size`` rows of ``size`` numbers (a million cells in about 30 KB). The dimension is
    the true one unless ``dimension`` says otherwise (a lie)."""
    row = "<c><v>1</v></c>" * size
    sheet_data = "".join(f'<row r="{number}">{row}</row>' for number in range(1, size + 1))
    return workbook(sheet_data, dimension or f"A1:{_column(size)}{size}")


def with_dimension(rows: Sequence[Sequence[str]], dimension: str) -> bytes:
    """Rows of text in a workbook that declares ``dimension`` whatever its rows are."""
    sheet_data, strings = text_rows(rows)
    return workbook(sheet_data, dimension, strings)


def entity_bomb(header: Sequence[str]) -> bytes:
    """A workbook whose string table defines nested XML entities (a "billion laughs")."""
    entities = '<!ENTITY a0 "ha">' + "".join(
        f'<!ENTITY a{level} "{f"&a{level - 1};" * 10}">' for level in range(1, 10)
    )
    sheet_data, strings = text_rows([list(header)])
    return workbook(
        sheet_data, "A1", strings, "<si><t>&a9;</t></si>", f"<!DOCTYPE sst [{entities}]>"
    )


def rows_csv(header: Sequence[str], count: int, cell: str = "x") -> bytes:
    """A CSV of the header and ``count`` data rows."""
    line = ",".join([cell] * len(header)) + "\n"
    return (",".join(header) + "\n" + line * count).encode()
