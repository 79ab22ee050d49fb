"""The draft as a .docx in official-document layout (GB/T 9704-2012), in two copies.

- ``letter`` (正式稿): the letter alone, ready to print, sign and send: no citation markers, no
  highlighting, no appendix.
- ``review`` (审核稿): the same letter with its [n] markers, flagged sentences highlighted, and a
  page-broken appendix of the cited passages, the checks and the review notes.

Font names are the ones Word users in government offices have installed (仿宋_GB2312, 方正小标宋简体, …);
where they are missing, Word and LibreOffice substitute, so the names are set on every run, East-Asian slot
included, rather than relying on theme fonts.
"""

from __future__ import annotations

import io
import re
import unicodedata
from dataclasses import dataclass
from typing import Any, Literal

from docx import Document
from docx.document import Document as DocumentObject
from docx.enum.section import WD_ORIENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_COLOR_INDEX, WD_LINE_SPACING
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt
from docx.text.paragraph import Paragraph
from lxml import etree

from assistant.models import Draft, Sentence
from assistant.render.common import (
    Block,
    check_lines,
    flagged_sentences,
    letter_blocks,
    markers,
    review_notes,
    sorted_sources,
)

FANGSONG = "仿宋_GB2312"
XIAOBIAOSONG = "方正小标宋简体"
HEITI = "黑体"
KAITI = "楷体_GB2312"
SONGTI = "宋体"

BODY_PT = 16.0  # 3号
TITLE_PT = 22.0  # 2号
PAGE_NUMBER_PT = 14.0  # 4号
NOTE_PT = 14.0  # the appendix is for reviewers; 4号 keeps it short
# 22 lines in a 225 mm text block: 637.8 pt / 22.
LINE_PT = 28.95
TITLE_LINE_PT = 35.0
NOTE_LINE_PT = 22.0

# XML 1.0 forbids most control characters; text extracted from PDFs carries them, and lxml would refuse it.
_XML_ILLEGAL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


@dataclass(frozen=True)
class Look:
    font: str = FANGSONG
    size: float = BODY_PT
    line: float = LINE_PT
    align: WD_ALIGN_PARAGRAPH = WD_ALIGN_PARAGRAPH.JUSTIFY
    indent_chars: float = 2.0


BODY = Look()
FLUSH = Look(indent_chars=0, align=WD_ALIGN_PARAGRAPH.LEFT)
TITLE = Look(font=XIAOBIAOSONG, size=TITLE_PT, line=TITLE_LINE_PT, align=WD_ALIGN_PARAGRAPH.CENTER, indent_chars=0)
SECTION = Look(font=HEITI)
ITEM = Look(font=KAITI)
APPENDIX_HEAD = Look(font=HEITI, indent_chars=0, align=WD_ALIGN_PARAGRAPH.LEFT)
NOTE = Look(size=NOTE_PT, line=NOTE_LINE_PT, indent_chars=0, align=WD_ALIGN_PARAGRAPH.LEFT)
NOTE_HEAD = Look(font=HEITI, size=NOTE_PT, line=NOTE_LINE_PT, indent_chars=0, align=WD_ALIGN_PARAGRAPH.LEFT)
NOTE_QUOTE = Look(font=KAITI, size=NOTE_PT, line=NOTE_LINE_PT, indent_chars=2)

_BLOCK_LOOKS: dict[str, Look] = {
    "category": Look(font=HEITI, indent_chars=0, align=WD_ALIGN_PARAGRAPH.LEFT),
    "doc_number": Look(indent_chars=0, align=WD_ALIGN_PARAGRAPH.RIGHT),
    "title": TITLE,
    "salutation": FLUSH,
    "section": SECTION,
    "item": ITEM,
    # 附注 (disclosure, contact): in brackets, two characters in, on the lines below the date.
    "disclosure": Look(align=WD_ALIGN_PARAGRAPH.LEFT),
    "contact": Look(align=WD_ALIGN_PARAGRAPH.LEFT),
}


def xml_safe(text: str) -> str:
    return _XML_ILLEGAL.sub("", text)


def _set_fonts(rpr_parent: Any, font: str) -> None:
    """Name ``font`` in every script slot of a run or style (``rpr_parent``: CT_R or CT_Style)."""
    rpr = rpr_parent.get_or_add_rPr()
    rfonts = rpr.get_or_add_rFonts()
    for slot in ("w:ascii", "w:hAnsi", "w:eastAsia", "w:cs"):
        rfonts.set(qn(slot), font)
    for theme in ("w:asciiTheme", "w:hAnsiTheme", "w:eastAsiaTheme", "w:cstheme"):
        rfonts.attrib.pop(qn(theme), None)


def _run(paragraph: Paragraph, text: str, look: Look, *, superscript: bool = False,
         highlight: bool = False) -> None:
    run = paragraph.add_run(xml_safe(text))
    run.font.size = Pt(look.size)
    _set_fonts(run._r, look.font)
    if superscript:
        run.font.superscript = True
    if highlight:
        run.font.highlight_color = WD_COLOR_INDEX.YELLOW


def _paragraph(doc: DocumentObject, look: Look, *, right_chars: float = 0.0) -> Paragraph:
    paragraph = doc.add_paragraph()
    fmt = paragraph.paragraph_format
    fmt.alignment = look.align
    fmt.line_spacing_rule = WD_LINE_SPACING.EXACTLY
    fmt.line_spacing = Pt(look.line)
    fmt.space_before = Pt(0)
    fmt.space_after = Pt(0)
    if look.indent_chars:
        # In points rather than w:firstLineChars: every paragraph has one font size, and both Word and
        # LibreOffice read points the same way.
        fmt.first_line_indent = Pt(look.indent_chars * look.size)
    if right_chars:
        fmt.right_indent = Pt(right_chars * look.size)
    return paragraph


def _text_paragraph(doc: DocumentObject, text: str, look: Look, **kwargs: float) -> Paragraph:
    paragraph = _paragraph(doc, look, **kwargs)
    _run(paragraph, text, look)
    return paragraph


def _blank(doc: DocumentObject) -> Paragraph:
    return _paragraph(doc, FLUSH)


def _width_chars(text: str) -> float:
    """Width in em: full-width characters count 1, Latin letters and digits 1/2."""
    return sum(1.0 if unicodedata.east_asian_width(c) in "WF" else 0.5 for c in text)


def _signature_indents(signature: str, date_line: str) -> tuple[float, float]:
    """Right indents (in characters) for the signature and the date, per GB/T 9704 7.3.5.2.

    The signature sits two characters from the right edge and the date starts two characters to the right
    of the signature's start; when that would push the date past two characters from the edge, the date
    keeps two characters and the signature moves left instead.
    """
    sig, dat = _width_chars(signature), _width_chars(date_line)
    if dat + 2 <= sig:
        return 2.0, sig - dat
    return 4.0 + dat - sig, 2.0


def _page_number_field(paragraph: Paragraph, look: Look) -> None:
    def fld_char(kind: str) -> None:
        run = paragraph.add_run()
        _set_fonts(run._r, look.font)
        element = OxmlElement("w:fldChar")
        element.set(qn("w:fldCharType"), kind)
        run._r.append(element)

    fld_char("begin")
    run = paragraph.add_run()
    _set_fonts(run._r, look.font)
    instr = OxmlElement("w:instrText")
    instr.set(qn("xml:space"), "preserve")
    instr.text = " PAGE "
    run._r.append(instr)
    fld_char("separate")
    _run(paragraph, "1", look)
    fld_char("end")


def _footers(doc: DocumentObject) -> None:
    """``— N —`` in 4号 宋体: odd pages right, even pages left, one character in from the edge."""
    doc.settings.odd_and_even_pages_header_footer = True
    section = doc.sections[0]
    look = Look(font=SONGTI, size=PAGE_NUMBER_PT, line=PAGE_NUMBER_PT * 1.5, indent_chars=0)
    for footer, align in ((section.footer, WD_ALIGN_PARAGRAPH.RIGHT), (section.even_page_footer, WD_ALIGN_PARAGRAPH.LEFT)):
        footer.is_linked_to_previous = False
        paragraph = footer.paragraphs[0]
        fmt = paragraph.paragraph_format
        fmt.alignment = align
        fmt.space_before = fmt.space_after = Pt(0)
        if align == WD_ALIGN_PARAGRAPH.RIGHT:
            fmt.right_indent = Pt(PAGE_NUMBER_PT)
        else:
            fmt.left_indent = Pt(PAGE_NUMBER_PT)
        _run(paragraph, "— ", look)
        _page_number_field(paragraph, look)
        _run(paragraph, " —", look)


def _page_setup(doc: DocumentObject) -> None:
    section = doc.sections[0]
    section.orientation = WD_ORIENT.PORTRAIT
    section.page_width, section.page_height = Mm(210), Mm(297)
    section.top_margin, section.bottom_margin = Mm(37), Mm(35)
    section.left_margin, section.right_margin = Mm(28), Mm(26)
    section.header_distance = Mm(15)
    # The page number's dashes sit 7 mm below the text block; a 4号 line is about 5 mm tall.
    section.footer_distance = Mm(23)
    grid = section._sectPr.find(qn("w:docGrid"))
    if grid is None:
        grid = OxmlElement("w:docGrid")
        section._sectPr.append(grid)
    # Pitch only, no snapping: snapping would double the title's taller lines.
    grid.set(qn("w:linePitch"), str(round(LINE_PT * 20)))


# (name, substitute Word tries first, family). GB2312 charset (86) and the family tell Word and LibreOffice
# which installed Chinese font to substitute when the named one is missing: a serif face for 仿宋/楷体/宋体,
# a sans face for 黑体, rather than whatever the default Latin font falls back to.
_FONT_TABLE = (
    (FANGSONG, "仿宋", "roman"),
    (XIAOBIAOSONG, "宋体", "roman"),
    (KAITI, "楷体", "roman"),
    (SONGTI, "SimSun", "roman"),
    (HEITI, "SimHei", "swiss"),
)


def _font_table(doc: DocumentObject) -> None:
    part = next(r.target_part for r in doc.part.rels.values() if r.reltype.endswith("/fontTable"))
    root = etree.fromstring(part.blob)
    for name, alt, family in _FONT_TABLE:
        font = etree.SubElement(root, qn("w:font"))
        font.set(qn("w:name"), name)
        for tag, value in (("w:altName", alt), ("w:charset", "86"), ("w:family", family), ("w:pitch", "variable")):
            etree.SubElement(font, qn(tag)).set(qn("w:val"), value)
    part._blob = etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)


_AFTER_AUTOSPACE = {
    qn(f"w:{name}") for name in (
        "bidi", "adjustRightInd", "snapToGrid", "spacing", "ind", "contextualSpacing", "mirrorIndents",
        "suppressOverlap", "jc", "textDirection", "textAlignment", "textboxTightWrap", "outlineLvl", "divId",
        "cnfStyle", "rPr", "sectPr", "pPrChange",
    )
}


def _defaults(doc: DocumentObject) -> None:
    """Document defaults: 仿宋 3号, Chinese language (so renderers pick Simplified glyphs), no spacing."""
    styles = doc.styles.element
    rpr = styles.find(qn("w:docDefaults")).find(qn("w:rPrDefault")).find(qn("w:rPr"))
    rfonts = rpr.find(qn("w:rFonts"))
    for attr in list(rfonts.attrib):
        del rfonts.attrib[attr]
    for slot in ("w:ascii", "w:hAnsi", "w:eastAsia", "w:cs"):
        rfonts.set(qn(slot), FANGSONG)
    lang = rpr.find(qn("w:lang"))
    if lang is None:
        lang = OxmlElement("w:lang")
        rpr.append(lang)
    lang.set(qn("w:eastAsia"), "zh-CN")
    normal = doc.styles["Normal"]
    normal.font.size = Pt(BODY_PT)
    _set_fonts(normal.element, FANGSONG)
    normal.paragraph_format.space_after = Pt(0)
    normal.paragraph_format.line_spacing_rule = WD_LINE_SPACING.EXACTLY
    normal.paragraph_format.line_spacing = Pt(LINE_PT)
    # Word otherwise adds a quarter-em between Chinese and digits (2024 年 7 月); official documents set
    # dates and figures tight, and the signature/date alignment is computed from the characters alone.
    ppr = normal.element.get_or_add_pPr()
    # CT_PPr is a sequence: Word rejects a file whose children are out of schema order.
    later = next((child for child in ppr if child.tag in _AFTER_AUTOSPACE), None)
    for tag in ("w:autoSpaceDE", "w:autoSpaceDN"):
        element = OxmlElement(tag)
        element.set(qn("w:val"), "0")
        if later is None:
            ppr.append(element)
        else:
            later.addprevious(element)


def _sentences(doc: DocumentObject, sentences: list[Sentence], review: bool) -> None:
    paragraph = _paragraph(doc, BODY)
    for sentence in sentences:
        _run(paragraph, sentence.text.strip(), BODY, highlight=review and bool(sentence.flags))
        if review and sentence.citations:
            _run(paragraph, markers(sentence.citations), BODY, superscript=True)


def _letter(doc: DocumentObject, blocks: list[Block], review: bool) -> None:
    by_kind = {b.kind: b.text for b in blocks}
    sig_right, date_right = _signature_indents(by_kind.get("signature", ""), by_kind.get("date", ""))
    for block in blocks:
        if block.kind == "title" and any(b.kind in ("category", "doc_number") for b in blocks):
            _blank(doc)
        if block.kind == "paragraph":
            _sentences(doc, block.sentences, review)
        elif block.kind == "signature":
            # One blank line between the text and the signature.
            _blank(doc).paragraph_format.keep_with_next = True
            _text_paragraph(doc, block.text, Look(indent_chars=0, align=WD_ALIGN_PARAGRAPH.RIGHT),
                            right_chars=sig_right).paragraph_format.keep_with_next = True
        elif block.kind == "date":
            _text_paragraph(doc, block.text, Look(indent_chars=0, align=WD_ALIGN_PARAGRAPH.RIGHT),
                            right_chars=date_right)
        else:
            paragraph = _text_paragraph(doc, block.text, _BLOCK_LOOKS.get(block.kind, BODY))
            # A page must not open with the signature and date alone: the closing travels with them.
            paragraph.paragraph_format.keep_with_next = block.kind == "closing"
        if block.kind == "title":
            _blank(doc)


def _appendix(doc: DocumentObject, draft: Draft) -> None:
    heading = _text_paragraph(doc, "附：引用来源（供审核）", APPENDIX_HEAD)
    # A break before the heading, not an empty paragraph holding a break, which would leave a blank line.
    heading.paragraph_format.page_break_before = True
    sources = sorted_sources(draft)
    if not sources:
        _text_paragraph(doc, "无", NOTE)
    for src in sources:
        head = _paragraph(doc, NOTE_HEAD)
        _run(head, f"[{src.id}] 《{src.title}》", NOTE_HEAD)
        where = "" if src.own else "（外地）"
        _text_paragraph(doc, f"发布：{src.issuer}；日期：{src.date}；地区：{src.region}{where}", NOTE)
        _text_paragraph(doc, f"文档：{src.doc_id}；位置：字符 {src.start}–{src.end}", NOTE)
        _text_paragraph(doc, src.quote.strip(), NOTE_QUOTE)

    _blank(doc)
    _text_paragraph(doc, "核查提示", APPENDIX_HEAD)
    for line in check_lines(draft.checks):
        _text_paragraph(doc, f"{line.label}：{line.value}", NOTE)
    for sentence in flagged_sentences(draft):
        paragraph = _paragraph(doc, NOTE)
        _run(paragraph, f"标记：“{sentence.text.strip()}”", NOTE, highlight=True)
        _run(paragraph, "——" + "；".join(sentence.flag_messages()), NOTE)
    for note in review_notes(draft):
        _text_paragraph(doc, f"提示：{note}", NOTE)

    if draft.references:
        _blank(doc)
        _text_paragraph(doc, "其他地区参考做法（仅供审核，不写入答复）", APPENDIX_HEAD)
        for ref in draft.references:
            _text_paragraph(doc, f"{ref.region}：{ref.text}[{ref.source_id}]", NOTE)


Copy = Literal["letter", "review"]
COPY_NAMES: dict[str, str] = {"letter": "正式稿", "review": "审核稿"}


def to_docx(draft: Draft, copy: Copy = "letter") -> bytes:
    """The letter on A4 in GB/T 9704 layout; the review copy adds markers and an appendix (see module doc)."""
    if copy not in COPY_NAMES:
        raise ValueError(f"unknown copy {copy!r}; expected one of {sorted(COPY_NAMES)}")
    review = copy == "review"
    doc = Document()
    _page_setup(doc)
    _defaults(doc)
    _font_table(doc)
    _footers(doc)
    doc.core_properties.title = xml_safe(draft.letter.title)
    _letter(doc, letter_blocks(draft.letter), review)
    if review:
        _appendix(doc, draft)
    buffer = io.BytesIO()
    doc.save(buffer)
    return buffer.getvalue()
