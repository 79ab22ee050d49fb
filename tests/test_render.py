"""Renderings of a hand-built Draft: plain text, Markdown, HTML (escaping, links) and .docx (layout)."""

from __future__ import annotations

import io
import os
import re
import shutil
import subprocess
from html.parser import HTMLParser
from pathlib import Path

import pytest
from docx import Document
from docx.document import Document as DocxDocument
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_LINE_SPACING
from docx.oxml.ns import qn
from docx.shared import Pt
from docx.text.paragraph import Paragraph
from docx.text.run import Run

from assistant.models import (
    Checks,
    Draft,
    DraftOptions,
    Item,
    Letter,
    Proposal,
    Reference,
    Section,
    Sentence,
    Source,
)
from assistant.render import plain_text, to_docx, to_html, to_markdown
from assistant.render.docx import Copy

ROOT = Path(__file__).resolve().parents[1]
ARTIFACTS = ROOT / "artifacts" / "render"
SCRIPT = "<script>alert(1)</script>"
TITLE = "示例市科学技术局关于市政协九届三次会议第114号提案答复的函"


def make_draft(*, references: bool = True) -> Draft:
    proposal = Proposal(title=f"关于加快中试平台建设{SCRIPT}的提案", number="114", session="市政协九届三次会议",
                        proposer="张三", proposer_type="member", suggestions=["建平台", "强金融"])
    letter = Letter(
        category="B类", doc_number="示科函〔2024〕18号", title=TITLE, salutation="张三委员：",
        opening=f"您提出的《关于加快中试平台建设{SCRIPT}的提案》（第114号）收悉。经研究，现答复如下：",
        sections=[
            Section(heading="一、工作开展情况", role="work", items=[
                Item(heading="（一）以平台为支撑打造转化服务体系", sentences=[
                    Sentence(text="截至5月底，我市已建成中试平台6家。", citations=[1]),
                    Sentence(text="累计服务企业300余家次。", citations=[1, 3]),
                ]),
                Item(heading="（二）以金融为纽带强化要素保障", sentences=[
                    Sentence(text="科技贷款金额超7亿元。", citations=[3],
                             flags=['数字“7亿元”在来源中找不到" onmouseover="alert(2)']),
                ]),
            ]),
            Section(heading="二、下一步工作打算", role="plan", items=[
                Item(sentences=[Sentence(text="下一步，我局将继续推动中试平台布局建设。")]),
            ]),
        ],
        closing="感谢您对我市科技工作的关心和支持，希望继续对我们的工作提出宝贵意见和建议。",
        signature="示例市科学技术局", date="2024年7月29日", disclosure="（此件主动公开）",
        contact="（联系人：王五，联系电话：0000-1234567）",
    )
    sources = [
        Source(id=1, doc_id="doc-aaa", chunk_id="doc-aaa:2", title="示例市中试平台建设进展", issuer="示例市科学技术局",
               region="示例省示例市", date="2024-06-01", quote=f"截至5月底，全市建成中试平台6家{SCRIPT}。",
               start=120, end=145),
        Source(id=3, doc_id="doc-ccc", chunk_id="doc-ccc:0", title="科技金融工作情况", issuer="示例市金融工作局",
               region="示例省示例市", date="2024-05-20", quote="科技贷款金额超7亿元，服务企业300余家次。",
               start=0, end=21),
        Source(id=4, doc_id="doc-ddd", chunk_id="doc-ddd:5", title="外地中试基地做法", issuer="某市科技局",
               region="某省某市", date="2023-11-02", quote="设立中试基地专项资金。", start=40, end=51, own=False),
    ]
    return Draft(
        proposal=proposal, options=DraftOptions(bureau_name="示例市科学技术局"), letter=letter, sources=sources,
        references=[Reference(source_id=4, region="某省某市", text="设立中试基地专项资金")] if references else [],
        checks=Checks(structure=True, citations_valid=1.0, numbers_traceable=0.5, coverage=[True, False],
                      jurisdiction=True, mean_support=0.72, flagged_sentences=1),
        warnings=["答复类别请核对。"],
    )


# --- plain text -------------------------------------------------------------------------------------------

def test_plain_text_in_letter_order_with_markers() -> None:
    lines = plain_text(make_draft()).splitlines()
    assert lines[:4] == ["B类", "示科函〔2024〕18号", TITLE, "张三委员："]
    assert lines.index("一、工作开展情况") < lines.index("（一）以平台为支撑打造转化服务体系") < lines.index("二、下一步工作打算")
    # Item heading on its own line, then the item's sentences as one paragraph with their markers.
    heading = lines.index("（一）以平台为支撑打造转化服务体系")
    assert lines[heading + 1] == "截至5月底，我市已建成中试平台6家。[1]累计服务企业300余家次。[1][3]"
    assert lines[-4:] == ["示例市科学技术局", "2024年7月29日", "（此件主动公开）", "（联系人：王五，联系电话：0000-1234567）"]


def test_plain_text_leaves_out_empty_optional_parts() -> None:
    draft = make_draft()
    draft.letter.category = ""
    draft.letter.doc_number = ""
    assert plain_text(draft).splitlines()[0] == TITLE


# --- HTML -------------------------------------------------------------------------------------------------

class _Collector(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.ids: set[str] = set()
        self.cites: list[dict[str, str | None]] = []
        self.flagged: list[dict[str, str | None]] = []
        self.scripts = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = dict(attrs)
        if attributes.get("id"):
            self.ids.add(str(attributes["id"]))
        if tag == "a" and attributes.get("class") == "cite":
            self.cites.append(attributes)
        if tag == "span" and attributes.get("class") == "flagged":
            self.flagged.append(attributes)
        if tag == "script" or any(name.startswith("on") for name in attributes):
            self.scripts += 1


def _parse(html: str) -> _Collector:
    collector = _Collector()
    collector.feed(html)
    return collector


def test_html_escapes_injected_script_everywhere() -> None:
    html = to_html(make_draft())
    assert SCRIPT not in html
    assert html.count("&lt;script&gt;alert(1)&lt;/script&gt;") == 2  # proposal title in the opening, source quote
    parsed = _parse(html)
    assert parsed.scripts == 0  # no <script> element and no on* attribute smuggled in through a flag


def test_every_html_citation_links_to_an_existing_source() -> None:
    parsed = _parse(to_html(make_draft()))
    # 1, 1, 3, 3 in the letter and 4 in the references.
    assert [c["data-source"] for c in parsed.cites] == ["1", "1", "3", "3", "4"]
    for cite in parsed.cites:
        assert cite["href"] == f"#src-{cite['data-source']}"
        assert f"src-{cite['data-source']}" in parsed.ids


def test_html_citation_without_source_is_not_linked_and_is_reported() -> None:
    draft = make_draft()
    draft.letter.sections[1].items[0].sentences[0].citations = [9]
    html = to_html(draft)
    assert 'href="#src-9"' not in html
    assert '<sup class="cite-missing"' in html
    assert "引用[9]没有对应的来源" in html


def test_html_wraps_flagged_sentences_with_the_reason() -> None:
    parsed = _parse(to_html(make_draft()))
    assert len(parsed.flagged) == 1
    assert parsed.flagged[0]["title"] == '数字“7亿元”在来源中找不到" onmouseover="alert(2)'


def test_html_lists_sources_checks_warnings_and_references() -> None:
    html = to_html(make_draft(), standalone=False)
    assert "示例市中试平台建设进展" in html and "doc-aaa，字符 120–145" in html
    assert "核查结果" in html and "未回应：第2条" in html
    assert "答复类别请核对。" in html
    assert "其他地区参考做法" in html
    assert "其他地区参考做法" not in to_html(make_draft(references=False))


def test_html_standalone_page_is_self_contained() -> None:
    page = to_html(make_draft())
    assert page.startswith("<!DOCTYPE html>")
    assert "<style>" in page and "FangSong" in page
    assert not re.search(r"<link|\bsrc=|https?://|@import", page)
    fragment = to_html(make_draft(), standalone=False)
    assert "<html" not in fragment and "<style>" not in fragment
    assert fragment.lstrip().startswith("<article")


# --- Markdown ---------------------------------------------------------------------------------------------

def test_markdown_has_letter_sources_checks_and_warnings() -> None:
    md = to_markdown(make_draft())
    assert f"# {TITLE}" in md
    assert "截至5月底，我市已建成中试平台6家。[\\[1\\]](#src-1)" in md
    sources_at = md.index("## 参考来源")
    for expected in ('<a id="src-1"></a>', "《示例市中试平台建设进展》", "示例市科学技术局，2024-06-01",
                     "doc-aaa，字符 120–145", "> 科技贷款金额超7亿元", "（外地）"):
        assert md.index(expected, sources_at) > sources_at, expected
    assert md.index("## 核查结果") > sources_at
    assert "| 数字可溯源 | 50% |" in md
    assert "- 答复类别请核对。" in md
    assert md.index("## 其他地区参考做法") > md.index("## 提示")


def test_markdown_makes_untrusted_text_literal() -> None:
    md = to_markdown(make_draft())
    assert "<script>" not in md
    assert "\\<script\\>alert(1)\\</script\\>" in md
    draft = make_draft()
    draft.letter.sections[1].items[0].sentences[0].text = "# 1. 不是标题"
    assert "\n\\# 1. 不是标题" in to_markdown(draft)


# --- .docx ------------------------------------------------------------------------------------------------

def _docx(draft: Draft | None = None, copy: Copy = "review") -> DocxDocument:
    return Document(io.BytesIO(to_docx(draft or make_draft(), copy)))


def _paragraph(doc: DocxDocument, text: str) -> Paragraph:
    return next(p for p in doc.paragraphs if p.text == text)


def _east_asia(run: Run) -> str | None:
    rpr = run._r.rPr
    assert rpr is not None and rpr.rFonts is not None
    return rpr.rFonts.get(qn("w:eastAsia"))


def test_docx_page_is_a4_with_official_margins() -> None:
    section = _docx().sections[0]
    for actual, expected in ((section.page_width, 210), (section.page_height, 297), (section.top_margin, 37),
                             (section.bottom_margin, 35), (section.left_margin, 28), (section.right_margin, 26)):
        assert actual is not None
        assert abs(actual.mm - expected) < 0.1, (actual.mm, expected)


def test_docx_title_body_and_heading_fonts() -> None:
    doc = _docx()
    title = _paragraph(doc, TITLE)
    assert title.alignment == WD_ALIGN_PARAGRAPH.CENTER
    assert title.runs[0].font.size == Pt(22)
    assert _east_asia(title.runs[0]) == "方正小标宋简体"

    body = _paragraph(doc, "截至5月底，我市已建成中试平台6家。[1]累计服务企业300余家次。[1][3]")
    fmt = body.paragraph_format
    assert fmt.line_spacing_rule == WD_LINE_SPACING.EXACTLY
    assert fmt.line_spacing is not None and 28 <= fmt.line_spacing.pt <= 29
    assert fmt.first_line_indent == Pt(32)
    assert all(run.font.size == Pt(16) for run in body.runs)
    assert _east_asia(body.runs[0]) == "仿宋_GB2312"
    markers = [run for run in body.runs if run.font.superscript]
    assert [run.text for run in markers] == ["[1]", "[1][3]"]

    assert _east_asia(_paragraph(doc, "一、工作开展情况").runs[0]) == "黑体"
    assert _east_asia(_paragraph(doc, "（一）以平台为支撑打造转化服务体系").runs[0]) == "楷体_GB2312"
    assert _paragraph(doc, "张三委员：").paragraph_format.first_line_indent is None


def test_docx_signature_and_date_are_right_aligned_and_kept_with_the_closing() -> None:
    doc = _docx()
    texts = [p.text for p in doc.paragraphs]
    signature_at = texts.index("示例市科学技术局")
    assert texts[signature_at + 1] == "2024年7月29日"
    for paragraph in doc.paragraphs[signature_at:signature_at + 2]:
        assert paragraph.alignment == WD_ALIGN_PARAGRAPH.RIGHT
        assert paragraph.paragraph_format.right_indent is not None
    # closing, blank line and signature each keep with the next, so the date never starts a page alone.
    closing_at = texts.index(make_draft().letter.closing)
    assert all(p.paragraph_format.keep_with_next for p in doc.paragraphs[closing_at:signature_at + 1])


def test_docx_footers_carry_page_numbers_odd_right_even_left() -> None:
    doc = _docx()
    assert doc.settings.odd_and_even_pages_header_footer
    section = doc.sections[0]
    for footer, align in ((section.footer, WD_ALIGN_PARAGRAPH.RIGHT), (section.even_page_footer, WD_ALIGN_PARAGRAPH.LEFT)):
        paragraph = footer.paragraphs[0]
        assert paragraph.alignment == align
        assert paragraph.text.startswith("— ") and paragraph.text.endswith(" —")
        instructions = [e.text for e in paragraph._p.iter(qn("w:instrText"))]
        assert [i.strip() for i in instructions if i] == ["PAGE"]
        assert all(run.font.size == Pt(14) for run in paragraph.runs if run.text)


def test_docx_appendix_lists_sources_and_review_notes_after_a_page_break() -> None:
    doc = _docx()
    texts = [p.text for p in doc.paragraphs]
    heading = texts.index("附：引用来源（供审核）")
    assert doc.paragraphs[heading].paragraph_format.page_break_before
    appendix = "\n".join(texts[heading:])
    for expected in ("[1] 《示例市中试平台建设进展》", "文档：doc-aaa；位置：字符 120–145",
                     f"截至5月底，全市建成中试平台6家{SCRIPT}。", "地区：某省某市（外地）", "核查提示",
                     "数字可溯源：50%", "提示：答复类别请核对。", "其他地区参考做法"):
        assert expected in appendix, expected
    assert texts.index("（联系人：王五，联系电话：0000-1234567）") < heading


def test_docx_letter_copy_is_ready_to_send() -> None:
    """正式稿: the same letter in the same layout, without markers, highlighting or the appendix."""
    letter, review = _docx(copy="letter"), _docx(copy="review")
    texts = [p.text for p in letter.paragraphs]
    assert not any(re.search(r"\[\d+\]", t) for t in texts), [t for t in texts if "[" in t]
    assert "附：引用来源（供审核）" not in texts and "核查提示" not in texts
    assert "截至5月底，我市已建成中试平台6家。累计服务企业300余家次。" in texts
    assert not any(run.font.superscript or run.font.highlight_color for p in letter.paragraphs for run in p.runs)
    body = _paragraph(letter, "截至5月底，我市已建成中试平台6家。累计服务企业300余家次。")
    assert body.paragraph_format.first_line_indent == Pt(32) and _east_asia(body.runs[0]) == "仿宋_GB2312"
    assert texts[-2:] == ["（此件主动公开）", "（联系人：王五，联系电话：0000-1234567）"]
    # Everything up to the signature block reads the same as the review copy once the markers are gone.
    review_texts = [re.sub(r"\[\d+\]", "", p.text) for p in review.paragraphs]
    assert review_texts[:len(texts)] == texts
    assert letter.sections[0].top_margin == review.sections[0].top_margin
    with pytest.raises(ValueError):
        to_docx(make_draft(), "draft")  # type: ignore[arg-type]


def test_docx_drops_characters_xml_cannot_hold() -> None:
    draft = make_draft()
    draft.sources[0].quote = "第一页\x0c第二页\x0b"
    assert "第一页第二页" in [p.text for p in _docx(draft).paragraphs]


# --- LibreOffice round trip -------------------------------------------------------------------------------

# The .docx names the fonts offices have (仿宋_GB2312, 黑体, …). Aliasing them to Noto CJK for this conversion
# makes the preview show the serif/sans contrast an office machine would, instead of one fallback face.
_FONTCONFIG = """<?xml version="1.0"?>
<!DOCTYPE fontconfig SYSTEM "fonts.dtd">
<fontconfig>
  <include ignore_missing="yes">/etc/fonts/fonts.conf</include>
{aliases}
</fontconfig>
"""
_ALIASES = {"仿宋_GB2312": "Noto Serif CJK SC", "方正小标宋简体": "Noto Serif CJK SC", "楷体_GB2312": "Noto Serif CJK SC",
            "宋体": "Noto Serif CJK SC", "黑体": "Noto Sans CJK SC"}


def _squash(text: str) -> str:
    return re.sub(r"\s+", "", text)


def test_docx_converts_to_pdf_with_libreoffice(tmp_path: Path) -> None:
    soffice = shutil.which("soffice")
    if soffice is None:
        pytest.skip("soffice (LibreOffice) is not on PATH; install libreoffice-writer to run the PDF round trip")
    if shutil.which("pdftotext") is None or shutil.which("pdftoppm") is None:
        pytest.skip("pdftotext/pdftoppm (poppler-utils) are not on PATH")
    letter_docx, review_docx = tmp_path / "letter.docx", tmp_path / "review.docx"
    letter_docx.write_bytes(to_docx(make_draft(), "letter"))
    review_docx.write_bytes(to_docx(make_draft(), "review"))
    fonts = tmp_path / "fonts.conf"
    fonts.write_text(_FONTCONFIG.format(aliases="\n".join(
        f'  <alias binding="same"><family>{name}</family><prefer><family>{target}</family></prefer></alias>'
        for name, target in _ALIASES.items())), encoding="utf-8")
    # A private profile: a LibreOffice already running with the default one would swallow the request.
    profile = (tmp_path / "lo-profile").as_uri()
    subprocess.run(
        [soffice, f"-env:UserInstallation={profile}", "--headless", "--convert-to", "pdf", "--outdir",
         str(tmp_path), str(letter_docx), str(review_docx)],
        check=True, capture_output=True, timeout=240,
        env={**os.environ, "FONTCONFIG_FILE": str(fonts), "HOME": str(tmp_path)},
    )
    letter, review = tmp_path / "letter.pdf", tmp_path / "review.pdf"
    assert letter.exists() and review.exists()

    def pdf_text(pdf: Path, page: int | None = None) -> str:
        pages = ["-f", str(page), "-l", str(page)] if page else []
        out = subprocess.run(["pdftotext", *pages, str(pdf), "-"], check=True, capture_output=True, text=True)
        return _squash(out.stdout)

    # The letter to send: the title on page 1, page numbers, and nothing for reviewers anywhere.
    first, everything = pdf_text(letter, 1), pdf_text(letter)
    assert _squash(TITLE) in first
    assert "—1—" in first  # the footer's PAGE field was evaluated
    assert "附：引用来源" not in everything and not re.search(r"\[\d\]", everything)
    assert "（联系人：王五，联系电话：0000-1234567）" in everything
    # The review copy: markers, and the appendix on a page of its own.
    first, everything = pdf_text(review, 1), pdf_text(review)
    assert "[1]" in everything and "附：引用来源（供审核）" in everything
    assert "附：引用来源（供审核）" not in first

    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    for pdf in (letter, review):
        shutil.copyfile(pdf, ARTIFACTS / pdf.name)
        subprocess.run(["pdftoppm", "-png", "-r", "60", "-f", "1", "-l", "1", "-singlefile", str(pdf),
                        str(ARTIFACTS / f"{pdf.stem}-page1")], check=True, capture_output=True)
        assert (ARTIFACTS / f"{pdf.stem}-page1.png").stat().st_size > 0
