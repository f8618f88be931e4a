"""Word (.docx) rendering of an official document, in the layout of Nghị định 30/2020/NĐ-CP, Phụ lục I —
the same layout as templates/pdf/_layout.html, for offices that edit a report in Word before it is signed.

    render_docx(doc, [Heading("I. …"), Paragraph("…"), Table(header, rows, title="1. …")]) -> bytes

- `doc` (core.pdf.DocumentHeader) gives what surrounds the body: the head (managing and issuing bodies,
  number | quốc hiệu, tiêu ngữ, dated line), the document type and title, and at the end the recipients
  ("Nơi nhận") beside the signature block.
- The blocks are printed in order. A Paragraph's text may hold "\\n": each line becomes a paragraph. A
  Table has grid borders, its header row repeated on every page, its title kept with it, its columns at
  `widths_cm` (or shared out: figure columns narrow, text columns wide); a cell is a number (written the
  Vietnamese way, "5.526", right-aligned), a text — or any other value, by its str() — as it is ("<5",
  "30,1 %"), None ("—"), or a Paragraph or a list of them (an italic note under a name).
- Page: A4, margins top 20, bottom 20, left 30, right 15 mm (Phụ lục I, I.4), Times New Roman 13 pt with
  its East-Asian and complex-script names set too (Word otherwise draws Vietnamese letters in another
  font), the page number centred in the header from the second page on.

python-docx is imported only when a document is made (about 0.1 s of import that no page needs).
"""

from __future__ import annotations

import io
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from .pdf import DocumentHeader
from .text import vn_number
from .timeutil import utcnow

if TYPE_CHECKING:
    from docx.document import Document as WordDocument
    from docx.enum.text import WD_PARAGRAPH_ALIGNMENT
    from docx.oxml.xmlchemy import BaseOxmlElement
    from docx.section import Section
    from docx.table import Table as WordTable
    from docx.table import _Cell, _Row
    from docx.text.paragraph import Paragraph as WordParagraph
    from docx.text.run import Run


@dataclass
class Heading:
    """A section title, bold ("I. CÁC CHỈ TIÊU …"), kept with what follows it."""

    text: str


@dataclass
class Paragraph:
    """Body text; each line of `text` a paragraph of its own."""

    text: str
    italic: bool = False
    bold: bool = False


@dataclass
class Table:
    """A bordered table. `rows` hold numbers, texts, None, or Paragraphs; `total_last` prints the last
    row bold (a "Tổng số" row)."""

    header: list[str]
    rows: list[list[object]]
    title: str = ""
    widths_cm: list[float] | None = None
    total_last: bool = False


Block = Heading | Paragraph | Table

FONT = "Times New Roman"
BODY_PT = 13
TABLE_PT = 12
PAGE_WIDTH_CM, PAGE_HEIGHT_CM = 21.0, 29.7
# Nghị định 30/2020/NĐ-CP, Phụ lục I, I.4: top and bottom 20–25 mm, left 30–35 mm, right 15–20 mm.
MARGINS_CM = {"top": 2.0, "bottom": 2.0, "left": 3.0, "right": 1.5}
TEXT_WIDTH_CM = PAGE_WIDTH_CM - MARGINS_CM["left"] - MARGINS_CM["right"]
HEAD_WIDTHS_CM = (7.2, TEXT_WIDTH_CM - 7.2)  # issuing body | quốc hiệu (its 34 capitals need the width)
FOOT_WIDTHS_CM = (7.4, TEXT_WIDTH_CM - 7.4)  # Nơi nhận | signature
FIGURE_COLUMN_CM = 2.4
CENTRED_HEADERS = {"STT", "TT"}  # the row number of a Vietnamese table is centred
_FIGURE = re.compile(r"^(?:[<>≤≥]?\s*[\d.,]+\s*%?|—|)$")  # "5.526", "<5", "30,1 %", "—"
# The order WordprocessingML requires of the children of a table's and a paragraph's properties (Word
# refuses to open a file whose elements are out of order).
TABLE_PROPERTIES = (
    "w:tblStyle", "w:tblpPr", "w:tblOverlap", "w:bidiVisual", "w:tblStyleRowBandSize", "w:tblStyleColBandSize",
    "w:tblW", "w:jc", "w:tblCellSpacing", "w:tblInd", "w:tblBorders", "w:shd", "w:tblLayout", "w:tblCellMar",
    "w:tblLook", "w:tblCaption", "w:tblDescription", "w:tblPrChange",
)  # fmt: skip
PARAGRAPH_PROPERTIES = (
    "w:pStyle", "w:keepNext", "w:keepLines", "w:pageBreakBefore", "w:framePr", "w:widowControl", "w:numPr",
    "w:suppressLineNumbers", "w:pBdr", "w:shd", "w:tabs", "w:suppressAutoHyphens", "w:kinsoku", "w:wordWrap",
    "w:overflowPunct", "w:topLinePunct", "w:autoSpaceDE", "w:autoSpaceDN", "w:bidi", "w:adjustRightInd",
    "w:snapToGrid", "w:spacing", "w:ind", "w:contextualSpacing", "w:mirrorIndents", "w:suppressOverlap", "w:jc",
    "w:textDirection", "w:textAlignment", "w:textboxTightWrap", "w:outlineLvl", "w:divId", "w:cnfStyle", "w:rPr",
    "w:sectPr", "w:pPrChange",
)  # fmt: skip
QUOC_HIEU = "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"
TIEU_NGU = "Độc lập - Tự do - Hạnh phúc"


def render_docx(doc: DocumentHeader, blocks: Sequence[Block]) -> bytes:
    """The document as .docx bytes: the head, the blocks in order, the recipients and the signature."""
    from docx import Document  # imported here: see the module's docstring

    word = Document()
    _set_up_page(word.sections[0])
    _set_up_styles(word)
    _set_properties(word, doc)
    _head(word, doc)
    for block in blocks:
        if isinstance(block, Heading):
            _heading(word, block)
        elif isinstance(block, Table):
            _table(word, block)
        else:
            _paragraph(word, block)
    _foot(word, doc)
    buffer = io.BytesIO()
    word.save(buffer)
    return buffer.getvalue()


# --- page, styles, properties ---------------------------------------------------------------------------


def _set_up_page(section: Section) -> None:
    from docx.enum.section import WD_ORIENT
    from docx.shared import Cm

    section.orientation = WD_ORIENT.PORTRAIT
    section.page_width, section.page_height = Cm(PAGE_WIDTH_CM), Cm(PAGE_HEIGHT_CM)
    section.top_margin, section.bottom_margin = Cm(MARGINS_CM["top"]), Cm(MARGINS_CM["bottom"])
    section.left_margin, section.right_margin = Cm(MARGINS_CM["left"]), Cm(MARGINS_CM["right"])
    section.header_distance = section.footer_distance = Cm(1.0)
    # Phụ lục I, I.4: the page number centred in the top margin, not on the first page
    section.different_first_page_header_footer = True
    section.first_page_header.is_linked_to_previous = False
    number = section.header.paragraphs[0]
    number.alignment = _align("center")
    _page_field(number)


def _page_field(paragraph: WordParagraph) -> None:
    """A PAGE field: Word and LibreOffice write the page's number in it ("2" until they do)."""
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    def field_char(kind: str) -> None:
        char = OxmlElement("w:fldChar")
        char.set(qn("w:fldCharType"), kind)
        _run(paragraph, "")._r.append(char)

    field_char("begin")
    instruction = OxmlElement("w:instrText")
    instruction.set(qn("xml:space"), "preserve")
    instruction.text = " PAGE "
    _run(paragraph, "")._r.append(instruction)
    field_char("separate")
    _run(paragraph, "2")
    field_char("end")


def _set_up_styles(word: WordDocument) -> None:
    """Times New Roman 13 pt everywhere, the text Vietnamese, no spacing but where the layout puts it."""
    from docx.oxml.ns import qn
    from docx.shared import Pt

    defaults = word.styles.element.find(qn("w:docDefaults"))
    if defaults is not None:  # the template's theme fonts would win over the style's named ones
        for fonts in defaults.iter(qn("w:rFonts")):
            _name_fonts(fonts)
        for lang in defaults.iter(qn("w:lang")):
            lang.set(qn("w:val"), "vi-VN")
        for spacing in defaults.iter(qn("w:spacing")):
            spacing.set(qn("w:after"), "0")
            spacing.set(qn("w:line"), "240")
    normal = word.styles["Normal"]
    normal.font.name = FONT
    normal.font.size = Pt(BODY_PT)
    _name_fonts(normal.element.get_or_add_rPr().get_or_add_rFonts())
    normal.paragraph_format.space_after = Pt(0)


def _name_fonts(fonts: BaseOxmlElement) -> None:
    """Every script of a w:rFonts in FONT: Latin, East-Asian and complex-script names alike."""
    from docx.oxml.ns import qn

    for theme in ("w:asciiTheme", "w:hAnsiTheme", "w:eastAsiaTheme", "w:cstheme"):
        fonts.attrib.pop(qn(theme), None)
    for name in ("w:ascii", "w:hAnsi", "w:eastAsia", "w:cs"):
        fonts.set(qn(name), FONT)


def _set_properties(word: WordDocument, doc: DocumentHeader) -> None:
    """The file's own properties name the document and the issuing body, never the server's account."""
    props = word.core_properties
    props.title = doc.pdf_title or doc.doc_type
    props.author = doc.issuing_body
    props.last_modified_by = doc.issuing_body
    props.comments = ""
    props.language = "vi-VN"
    props.created = props.modified = utcnow().replace(microsecond=0)
    props.revision = 1
    _drop_thumbnail(word)


def _drop_thumbnail(word: WordDocument) -> None:
    """python-docx's template carries the preview picture of another document: a file manager would show it."""
    from docx.opc.constants import RELATIONSHIP_TYPE

    relationships = word.part.package.rels
    for key in [key for key, rel in relationships.items() if rel.reltype == RELATIONSHIP_TYPE.THUMBNAIL]:
        del relationships[key]


# --- the head and the foot ---------------------------------------------------------------------------------


def _head(word: WordDocument, doc: DocumentHeader) -> None:
    from docx.shared import Pt

    table = _borderless(word, HEAD_WIDTHS_CM)
    left, right = table.rows[0].cells
    first = True
    for line in doc.parent_lines:
        _cell_line(left, line.upper(), first=first, size=12.5)
        first = False
    for line in doc.issuer_lines:
        _cell_line(left, line.upper(), first=first, size=12, bold=True)
        first = False
    _rule(left.add_paragraph(), width_cm=2.4, column_cm=HEAD_WIDTHS_CM[0], after_pt=6)
    if doc.number:
        _cell_line(left, f"Số: {doc.number}", size=12.5)
    _cell_line(right, QUOC_HIEU, first=True, size=12, bold=True)
    _cell_line(right, TIEU_NGU, size=13.5, bold=True, underline=True)
    if doc.dated_line:
        _cell_line(right, doc.dated_line, size=13.5, italic=True).paragraph_format.space_before = Pt(10)

    kind = _centred(word, doc.doc_type.upper(), size=14, bold=True)
    kind.paragraph_format.space_before = Pt(14)
    if doc.title:
        _centred(word, doc.title, size=14, bold=True)
    _rule(word.add_paragraph(), width_cm=4.0, column_cm=TEXT_WIDTH_CM, after_pt=14)


def _foot(word: WordDocument, doc: DocumentHeader) -> None:
    from docx.shared import Pt

    word.add_paragraph().paragraph_format.space_after = Pt(4)
    table = _borderless(word, FOOT_WIDTHS_CM)
    _cant_split(table.rows[0])
    left, right = table.rows[0].cells
    if doc.recipients:
        _cell_line(left, "Nơi nhận:", first=True, size=12, bold=True, italic=True, align="left")
        for line in doc.recipients:
            _cell_line(left, f"- {line}", size=11, align="left")
    signature = doc.signature
    if signature is None:
        return
    first = True
    if signature.authority:
        _cell_line(right, signature.authority.upper(), first=True, bold=True)
        first = False
    _cell_line(right, signature.title.upper(), first=first, bold=True)
    _cell_line(right, "(Ký, ghi rõ họ tên)", size=12, italic=True)
    name = _cell_line(right, signature.name, bold=True)
    name.paragraph_format.space_before = Pt(66)  # the room for the signature and the seal


def _borderless(word: WordDocument, widths_cm: Sequence[float]) -> WordTable:
    table: WordTable = word.add_table(rows=1, cols=len(widths_cm))
    _fix_widths(table, widths_cm)
    _cell_margins(table, left_cm=0, right_cm=0)
    _borders(table, "nil")
    return table


def _cell_line(
    cell: _Cell,
    text: str,
    *,
    first: bool = False,
    size: float = BODY_PT,
    bold: bool = False,
    italic: bool = False,
    underline: bool = False,
    align: str = "center",
) -> WordParagraph:
    """A line of the head or the foot: the cell's first paragraph, or a new one under it."""
    paragraph: WordParagraph = cell.paragraphs[0] if first else cell.add_paragraph()
    paragraph.alignment = _align(align)
    _run(paragraph, text, size=size, bold=bold, italic=italic, underline=underline)
    return paragraph


def _centred(word: WordDocument, text: str, *, size: float, bold: bool) -> WordParagraph:
    paragraph = word.add_paragraph()
    paragraph.alignment = _align("center")
    _run(paragraph, text, size=size, bold=bold)
    return paragraph


def _rule(paragraph: WordParagraph, *, width_cm: float, column_cm: float, after_pt: float) -> None:
    """A short horizontal line, centred: the top border of an empty paragraph one point high, narrowed
    by its indents (a line Word users can move or delete, not a drawing)."""
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn
    from docx.shared import Cm, Pt

    side = max((column_cm - width_cm) / 2, 0)
    fmt = paragraph.paragraph_format
    fmt.left_indent = fmt.right_indent = Cm(side)
    fmt.space_before, fmt.space_after, fmt.line_spacing = Pt(3), Pt(after_pt), Pt(1)
    properties = paragraph._p.get_or_add_pPr()
    borders = OxmlElement("w:pBdr")
    top = OxmlElement("w:bottom")
    for key, value in (("w:val", "single"), ("w:sz", "6"), ("w:space", "0"), ("w:color", "000000")):
        top.set(qn(key), value)
    borders.append(top)
    _put(properties, borders, PARAGRAPH_PROPERTIES)
    mark, size = OxmlElement("w:rPr"), OxmlElement("w:sz")  # the paragraph mark one point high too
    size.set(qn("w:val"), "2")
    mark.append(size)
    _put(properties, mark, PARAGRAPH_PROPERTIES)


# --- the blocks ---------------------------------------------------------------------------------------------


def _heading(word: WordDocument, block: Heading) -> None:
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn
    from docx.shared import Pt

    paragraph = word.add_paragraph()
    fmt = paragraph.paragraph_format
    fmt.space_before, fmt.space_after, fmt.keep_with_next = Pt(10), Pt(4), True
    outline = OxmlElement("w:outlineLvl")  # listed in Word's navigation pane
    outline.set(qn("w:val"), "0")
    _put(paragraph._p.get_or_add_pPr(), outline, PARAGRAPH_PROPERTIES)
    _run(paragraph, block.text, bold=True)


def _paragraph(word: WordDocument, block: Paragraph) -> None:
    from docx.shared import Pt

    for line in _lines(block.text):
        paragraph = word.add_paragraph()
        paragraph.alignment = _align("justify")
        paragraph.paragraph_format.space_after = Pt(6)
        _run(paragraph, line, bold=block.bold, italic=block.italic)


def _lines(text: str) -> list[str]:
    return [line.strip() for line in str(text).splitlines() if line.strip()] or [""]


def _table(word: WordDocument, block: Table) -> None:
    from docx.enum.table import WD_CELL_VERTICAL_ALIGNMENT
    from docx.shared import Pt

    if block.title:
        title = word.add_paragraph()
        fmt = title.paragraph_format
        fmt.space_before, fmt.space_after, fmt.keep_with_next = Pt(6), Pt(2), True
        _run(title, block.title, bold=True)
    widths = block.widths_cm or default_widths(block)
    aligns = _column_aligns(block)
    table = word.add_table(rows=1, cols=len(block.header))
    table.style = word.styles["Table Grid"]
    _fix_widths(table, widths)
    _cell_margins(table, left_cm=0.12, right_cm=0.12, top_cm=0.04)
    header = table.rows[0]
    _repeat_as_header(header)
    for cell, text in zip(header.cells, block.header, strict=True):
        cell.vertical_alignment = WD_CELL_VERTICAL_ALIGNMENT.CENTER
        _cell_text(cell, str(text), bold=True, align="center")
    for index, values in enumerate(block.rows):
        row = table.add_row()
        _cant_split(row)
        bold = block.total_last and index == len(block.rows) - 1
        for cell, value, align in zip(row.cells, values, aligns, strict=True):
            _cell_value(cell, value, align=align, bold=bold)
    spacer = word.add_paragraph()
    spacer.paragraph_format.space_after = Pt(4)


def _cell_value(cell: _Cell, value: object, *, align: str, bold: bool) -> None:
    if isinstance(value, Paragraph):
        value = [value]
    if isinstance(value, list) and all(isinstance(v, Paragraph) for v in value):
        first = True
        for part in value:
            for line in _lines(part.text):
                paragraph = cell.paragraphs[0] if first else cell.add_paragraph()
                first = False
                paragraph.alignment = _align("left")
                _run(paragraph, line, size=TABLE_PT, bold=bold or part.bold, italic=part.italic)
        return
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        _cell_text(cell, vn_number(value), bold=bold, align="center" if align == "center" else "right")
    else:
        _cell_text(cell, "—" if value is None else str(value), bold=bold, align=align)


def _cell_text(cell: _Cell, text: str, *, bold: bool, align: str) -> None:
    paragraph = cell.paragraphs[0]
    paragraph.alignment = _align(align)
    lines = text.split("\n")
    run = _run(paragraph, lines[0], size=TABLE_PT, bold=bold)
    for line in lines[1:]:
        run.add_break()
        run = _run(paragraph, line, size=TABLE_PT, bold=bold)


def _is_number(value: object) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _is_figure(value: object) -> bool:
    if value is None or _is_number(value):
        return True
    return not isinstance(value, (Paragraph, list)) and bool(_FIGURE.match(str(value).strip()))


def _column_aligns(block: Table) -> list[str]:
    """Per column: centred for the row number, right for figures (numbers, "<5", "30,1 %"), left for text."""
    aligns = []
    for index, name in enumerate(block.header):
        values = [row[index] for row in block.rows]
        if str(name).strip().upper() in CENTRED_HEADERS:
            aligns.append("center")
        elif values and all(_is_figure(v) for v in values):
            aligns.append("right")
        else:
            aligns.append("left")
    return aligns


def default_widths(block: Table) -> list[float]:
    """Figure columns get FIGURE_COLUMN_CM (the row number less); the text columns share the rest by
    the length of their longest text, so a name column is never squeezed."""
    aligns = _column_aligns(block)
    fixed = {i: (1.1 if a == "center" else FIGURE_COLUMN_CM) for i, a in enumerate(aligns) if a != "left"}
    text_columns = [i for i in range(len(block.header)) if i not in fixed]
    if not text_columns:
        return [TEXT_WIDTH_CM / len(block.header)] * len(block.header)
    room = TEXT_WIDTH_CM - sum(fixed.values())
    weights = {i: max([len(str(block.header[i]))] + [_text_length(row[i]) for row in block.rows]) for i in text_columns}
    total = sum(weights.values()) or 1
    return [fixed[i] if i in fixed else room * weights[i] / total for i in range(len(block.header))]


def _text_length(value: object) -> int:
    if isinstance(value, Paragraph):
        return len(value.text)
    if isinstance(value, list):
        return max((_text_length(v) for v in value), default=0)
    return len(str(value)) if value is not None else 1


# --- low-level helpers --------------------------------------------------------------------------------------


def _run(
    paragraph: WordParagraph,
    text: str,
    *,
    size: float | None = None,
    bold: bool = False,
    italic: bool = False,
    underline: bool = False,
) -> Run:
    from docx.shared import Pt

    run = paragraph.add_run(text)
    run.bold, run.italic = bold or None, italic or None
    if underline:
        run.underline = True
    if size is not None:
        run.font.size = Pt(size)
    return run


def _align(name: str) -> WD_PARAGRAPH_ALIGNMENT:
    from docx.enum.text import WD_ALIGN_PARAGRAPH

    return {
        "left": WD_ALIGN_PARAGRAPH.LEFT,
        "center": WD_ALIGN_PARAGRAPH.CENTER,
        "right": WD_ALIGN_PARAGRAPH.RIGHT,
        "justify": WD_ALIGN_PARAGRAPH.JUSTIFY,
    }[name]


def _fix_widths(table: WordTable, widths_cm: Sequence[float]) -> None:
    """Columns at the widths given, in the grid (LibreOffice reads it) and in each cell (Word does)."""
    from docx.enum.table import WD_TABLE_ALIGNMENT
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn
    from docx.shared import Cm

    if len(widths_cm) != len(table.columns):
        raise ValueError(f"{len(widths_cm)} widths for {len(table.columns)} columns")
    table.autofit = False
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    for column, width in zip(table.columns, widths_cm, strict=True):
        column.width = Cm(width)
    for row in table.rows:
        for cell, width in zip(row.cells, widths_cm, strict=True):
            cell.width = Cm(width)
    properties = table._tbl.tblPr
    total = properties.find(qn("w:tblW"))
    if total is None:
        total = _put(properties, OxmlElement("w:tblW"), TABLE_PROPERTIES)
    total.set(qn("w:type"), "dxa")
    total.set(qn("w:w"), str(int(Cm(sum(widths_cm)).twips)))


def _cell_margins(table: WordTable, *, left_cm: float, right_cm: float, top_cm: float = 0) -> None:
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn
    from docx.shared import Cm

    margins = OxmlElement("w:tblCellMar")
    for side, cm in (("w:top", top_cm), ("w:left", left_cm), ("w:bottom", top_cm), ("w:right", right_cm)):
        edge = OxmlElement(side)
        edge.set(qn("w:w"), str(int(Cm(cm).twips)))
        edge.set(qn("w:type"), "dxa")
        margins.append(edge)
    _put(table._tbl.tblPr, margins, TABLE_PROPERTIES)


def _borders(table: WordTable, value: str) -> None:
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    borders = OxmlElement("w:tblBorders")
    for side in ("top", "left", "bottom", "right", "insideH", "insideV"):
        edge = OxmlElement(f"w:{side}")
        edge.set(qn("w:val"), value)
        borders.append(edge)
    _put(table._tbl.tblPr, borders, TABLE_PROPERTIES)


def _repeat_as_header(row: _Row) -> None:
    """The row is printed again at the top of each page the table runs onto (w:tblHeader)."""
    _row_flag(row, "w:tblHeader")
    _row_flag(row, "w:cantSplit")


def _cant_split(row: _Row) -> None:
    _row_flag(row, "w:cantSplit")


def _row_flag(row: _Row, tag: str) -> None:
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    properties = row._tr.get_or_add_trPr()  # its children may come in any order
    flag = OxmlElement(tag)
    flag.set(qn("w:val"), "true")
    properties.append(flag)


def _put(parent: BaseOxmlElement, child: BaseOxmlElement, order: Sequence[str]) -> BaseOxmlElement:
    """`child` put among `parent`'s children where `order` says, replacing one of its kind."""
    from docx.oxml.ns import qn

    tag = next(name for name in order if qn(name) == child.tag)
    for old in parent.findall(child.tag):
        parent.remove(old)
    parent.insert_element_before(child, *order[order.index(tag) + 1 :])
    return child


__all__ = ["Heading", "Paragraph", "Table", "render_docx", "default_widths"]
