"""The 答复函 parser recovers every part, with offsets, from sample and real replies."""

from __future__ import annotations

import csv
import re
from pathlib import Path

import pytest

from conftest import SAMPLE_KB, shared_path
from vectorstore.chunker import chunk_document
from vectorstore.normalize import normalize_text
from vectorstore.readers import read_file
from vectorstore.reply import parse_reply, parse_session_number
from vectorstore.structure import blocks


def _manifest(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8") as f:
        return list(csv.DictReader(f, dialect="excel-tab"))


SAMPLE_REPLIES = [r for r in _manifest(SAMPLE_KB / "MANIFEST.tsv") if r["kind"] == "reply"]


def _text(path: Path) -> str:
    return normalize_text(read_file(path, 10**7))


def _spans_valid(text: str, parts) -> None:  # type: ignore[no-untyped-def]
    for name in ("title", "salutation", "acknowledgement", "closing", "signature", "date", "contact", "disclosure", "doc_number"):
        span = getattr(parts, name)
        if span is not None:
            assert text[span.start : span.end] == span.text, name
    for section in parts.sections:
        assert text[section.heading.start : section.heading.end] == section.heading.text
        for item in section.items:
            assert text[item.start : item.end] == item.text


@pytest.mark.parametrize("row", SAMPLE_REPLIES, ids=[r["file"] for r in SAMPLE_REPLIES])
def test_sample_replies_parse_completely(row: dict[str, str]) -> None:
    text = _text(SAMPLE_KB / row["file"])
    parts = parse_reply(text)
    _spans_valid(text, parts)
    assert parts.title is not None and parts.title.text.startswith(row["issuer"])
    session, number = parse_session_number(row["proposal_number"])
    assert (parts.session, parts.number) == (session, number)
    assert parts.salutation is not None and parts.salutation.text.endswith("：")
    assert parts.acknowledgement is not None and "收悉" in parts.acknowledgement.text
    assert parts.proposal_title.startswith("关于")
    roles = [s.role for s in parts.sections]
    assert roles[-1] == "plan"
    if parts.layout == "per_suggestion":
        assert roles.count("suggestion") >= 2 and all(s.suggestion for s in parts.sections if s.role == "suggestion")
    else:
        assert parts.layout == "thematic" and roles[0] == "work"
    assert all(s.items for s in parts.sections if s.role == "work")
    assert all(s.body is not None for s in parts.sections)
    assert parts.closing is not None and "感谢" in parts.closing.text
    assert parts.signature is not None and parts.signature.text == row["issuer"]
    assert parts.date_iso == row["date"]
    if "联系人" in text:
        assert parts.contact is not None and "联系人" in parts.contact.text
    if re.search(r"主动公开|依申请公开", text):
        assert parts.disclosure is not None


def test_both_layouts_are_in_the_sample() -> None:
    layouts = {parse_reply(_text(SAMPLE_KB / r["file"])).layout for r in SAMPLE_REPLIES}
    assert layouts == {"thematic", "per_suggestion"}


def test_category_and_doc_number_above_title() -> None:
    text = "A类\n示科函〔2023〕21号\n示例市科学技术局关于市政协十届二次会议第45号提案答复的函\n王某某委员：\n您提出的《关于X的提案》（第45号）收悉。现答复如下：\n一、工作开展情况\n（一）甲\n正文。\n感谢您的关心。\n示例市科学技术局\n2023年7月20日"
    parts = parse_reply(text)
    assert parts.category == "A"
    assert parts.doc_number is not None and parts.doc_number.text == "示科函〔2023〕21号"
    assert parts.number == "45" and parts.session == "市政协十届二次会议"


def test_real_thematic_reply_luzhou() -> None:
    text = _text(shared_path("seeds", "002_1410f8f5c1ce2d66.txt"))
    parts = parse_reply(text)
    _spans_valid(text, parts)
    assert (parts.session, parts.number) == ("市政协九届三次会议", "114")
    assert parts.addressee == "民建泸州市委"
    assert parts.layout == "thematic"
    assert [s.role for s in parts.sections] == ["work", "plan"]
    assert [i.text[:3] for i in parts.sections[0].items] == ["（一）", "（二）", "（三）", "（四）", "（五）"]
    assert len(parts.sections[1].items) == 3
    assert parts.signature is not None and parts.signature.text == "泸州市科学技术局"
    assert parts.date_iso == "2024-07-29"
    assert parts.closing is not None


def test_real_per_suggestion_reply_guangzhou() -> None:
    text = _text(shared_path("seeds", "003_4dcee001af0c1ee8.txt"))
    parts = parse_reply(text)
    _spans_valid(text, parts)
    assert (parts.session, parts.number) == ("政协十四届广州市委员会第三次会议", "4136")
    assert parts.doc_number is not None and parts.doc_number.text == "穗科函〔2024〕18号"
    assert parts.addressee == "吴会军委员"
    assert parts.layout == "per_suggestion"
    assert [s.role for s in parts.sections] == ["suggestion"] * 4 + ["plan"]
    assert parts.sections[2].suggestion == "通过开放共享，建设成果中试和熟化基地"
    assert all(s.items[0].text.startswith("一是") for s in parts.sections)
    assert parts.disclosure is not None and parts.disclosure.text == "以上意见可主动公开。"
    assert parts.contact is not None and "许鸿斌" in parts.contact.text
    assert parts.date_iso == "2024-07-26"


def test_session_numbers_of_the_real_corpus() -> None:
    rows = [r for r in _manifest(shared_path("corpus", "MANIFEST.tsv")) if "会议" in r["proposal_number"]]
    found = 0
    for row in rows:
        text = _text(shared_path("corpus", row["file"]))
        parts = parse_reply(text)
        digits = re.findall(r"\d+", row["proposal_number"])
        if parts.number:
            assert parts.number.lstrip("(（J") in [d.lstrip("0") or d for d in digits] + digits, row["file"]
            found += 1
    assert found >= len(rows) * 0.6


def test_policy_heading_hierarchy() -> None:
    text = "示例办法\n第一章 总则\n第一条 为了规范管理，制定本办法。\n本办法适用于全市。\n第二章 支持\n第二条 给予补助。\n一、申报条件\n（一）企业条件\n1.依法注册。\n（1）注册满一年。"
    out = blocks(text)
    paths = {b.text: b.path for b in out}
    assert paths["本办法适用于全市。"] == ["第一章 总则", "第一条"]
    assert paths["第二条 给予补助。"] == ["第二章 支持", "第二条"]
    # 一、 ranks above 第X条, so it closes the article.
    assert paths["1.依法注册。"] == ["第二章 支持", "一、申报条件", "（一）企业条件", "1.依法注册"]
    assert paths["（1）注册满一年。"] == ["第二章 支持", "一、申报条件", "（一）企业条件", "1.依法注册", "（1）注册满一年"]


def test_thanks_early_in_the_body_is_not_the_closing() -> None:
    # A reply with no closing formula: the courtesy in the first body paragraph must not end the body.
    text = (
        "关于建设示例区科普中心的答复\n王某委员：\n您提出的第12号提案收悉，现答复如下：\n"
        "非常感谢您对我区科普工作的关心。\n"
        + "我局对建设科普中心的必要性做了调查研究，全区现有科普场馆3处，年接待观众约12万人次，"
        "场馆面积和展教内容已不能满足需求，建设新的科普中心是必要的。\n"
        + "选址方面，中心城区可用地块较少，我局将会同有关部门继续论证，力争在规划修编时统筹安排。\n"
        "联系人：李某\n2010年5月10日\n"
    )
    parts = parse_reply(text)
    assert parts.closing is None
    assert parts.date_iso == "2010-05-10"
    chunks = chunk_document("d", text, "reply")
    covered = "".join(c.text for c in chunks)
    assert "年接待观众约12万人次" in covered and "力争在规划修编时统筹安排" in covered
    assert all(text[c.start : c.end] == c.text for c in chunks)


def test_a_reply_whose_body_cannot_be_found_is_still_chunked() -> None:
    text = "感谢您的关心。\n" + "我局已建成示例平台5家，服务企业300家。" * 3
    chunks = chunk_document("d", text, "reply")
    assert chunks and "服务企业300家" in chunks[0].text
