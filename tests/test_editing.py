"""Reading an edited plain-text letter back into the draft structure, then verifying it."""

from __future__ import annotations

import pytest

from assistant.drafting import Drafter
from assistant.editing import EditError, apply_text_edit, parse_paragraph
from assistant.models import Draft, DraftOptions
from assistant.proposal import load_proposal
from assistant.render import plain_text
from assistant.settings import Settings
from assistant.verify import verify
from conftest import SAMPLE_KB
from vectorstore.kb import KnowledgeBase

PROPOSAL = SAMPLE_KB / "proposals" / "proposal_2025_ta088.txt"


@pytest.fixture(scope="module")
def drafted(sample_kb_session: KnowledgeBase) -> Draft:
    drafter = Drafter(Settings(_env_file=None), sample_kb_session)  # type: ignore[call-arg]
    options = DraftOptions(reply_date="2025-06-20", contact_person="张某某", contact_phone="0000-1234567", category="B")
    draft = drafter.draft(load_proposal(PROPOSAL), options)
    assert draft.checks.passed
    return draft


def _dump(draft: Draft) -> dict:  # type: ignore[type-arg]
    return draft.letter.model_dump()


def test_unchanged_text_round_trips_exactly(drafted: Draft, sample_kb_session: KnowledgeBase) -> None:
    edited = apply_text_edit(drafted, plain_text(drafted))
    assert _dump(edited) == _dump(drafted)
    assert verify(edited, sample_kb_session).checks.passed


def test_edited_sentence_keeps_its_citation_and_is_reverified(drafted: Draft, sample_kb_session: KnowledgeBase) -> None:
    first = drafted.letter.sections[0].items[0].sentences[0]
    text = plain_text(drafted)
    line = first.text + "".join(f"[{n}]" for n in first.citations)
    assert line in text
    fabricated = "我局累计投入资金987654万元。" + "".join(f"[{n}]" for n in first.citations)
    edited = verify(apply_text_edit(drafted, text.replace(line, fabricated)), sample_kb_session)
    new_first = edited.letter.sections[0].items[0].sentences[0]
    assert new_first.text == "我局累计投入资金987654万元。"
    assert new_first.citations == first.citations
    assert any("987654万元" in f.message for f in new_first.flags)
    assert edited.checks.numbers_traceable < 1.0 and not edited.checks.passed
    # The original is not touched by the edit.
    assert drafted.letter.sections[0].items[0].sentences[0].text == first.text


def test_marker_naming_no_source_is_flagged(drafted: Draft, sample_kb_session: KnowledgeBase) -> None:
    text = plain_text(drafted)
    plan = drafted.letter.sections[1].items[0]
    anchor = plan.sentences[-1].text
    edited = verify(apply_text_edit(drafted, text.replace(anchor, anchor + "[999]", 1)), sample_kb_session)
    sentence = next(s for s in edited.letter.sections[1].items[0].sentences if s.text == anchor)
    assert 999 in sentence.citations and "引用[999]不存在" in sentence.flag_messages()
    assert edited.checks.citations_valid < 1.0


def test_fixed_parts_are_recognised_by_form(drafted: Draft) -> None:
    text = plain_text(drafted)
    text = text.replace(drafted.letter.salutation, "刘某某同志：").replace(drafted.letter.date, "2025年6月30日")
    text = text.replace(drafted.letter.closing, "衷心感谢您对全市科技工作的支持！")
    edited = apply_text_edit(drafted, text)
    assert edited.letter.salutation == "刘某某同志："
    assert edited.letter.date == "2025年6月30日"
    assert edited.letter.closing == "衷心感谢您对全市科技工作的支持！"
    assert edited.letter.signature == drafted.letter.signature
    assert edited.letter.title == drafted.letter.title
    assert edited.letter.contact == drafted.letter.contact


def test_deleted_part_stays_empty_and_structure_check_reports_it(drafted: Draft, sample_kb_session: KnowledgeBase) -> None:
    text = plain_text(drafted).replace(drafted.letter.closing + "\n", "")
    edited = verify(apply_text_edit(drafted, text), sample_kb_session)
    assert edited.letter.closing == ""
    assert "结束语" in edited.checks.structure_missing and not edited.checks.structure


def test_new_item_and_inline_item_heading(drafted: Draft) -> None:
    text = plain_text(drafted)
    plan_heading = drafted.letter.sections[1].heading
    addition = "（九）加强宣传。我局将持续做好政策宣传解读工作。\n"
    edited = apply_text_edit(drafted, text.replace(plan_heading + "\n", plan_heading + "\n" + addition))
    item = edited.letter.sections[1].items[0]
    assert item.heading == "（九）加强宣传。"
    assert [s.text for s in item.sentences] == ["我局将持续做好政策宣传解读工作。"]
    assert item.sentences[0].citations == []


def test_missing_section_headings_are_refused(drafted: Draft) -> None:
    with pytest.raises(EditError, match="一、"):
        apply_text_edit(drafted, drafted.letter.opening + "\n我局做了很多工作。[1]\n")
    with pytest.raises(EditError, match="为空"):
        apply_text_edit(drafted, "  \n\n")


def test_markers_before_and_after_the_full_stop() -> None:
    sentences = parse_paragraph("全市新增平台12家[1]。服务企业300家。[2][3]未引用的一句。")
    assert [(s.text, s.citations) for s in sentences] == [
        ("全市新增平台12家。", [1]), ("服务企业300家。", [2, 3]), ("未引用的一句。", []),
    ]


def test_per_suggestion_sections_map_to_suggestions(sample_kb_session: KnowledgeBase) -> None:
    drafter = Drafter(Settings(_env_file=None), sample_kb_session)  # type: ignore[call-arg]
    draft = drafter.draft(load_proposal(PROPOSAL), DraftOptions(reply_date="2025-06-20", layout="per_suggestion"))
    edited = apply_text_edit(draft, plain_text(draft))
    old = [(s.role, [i.suggestion_index for i in s.items]) for s in draft.letter.sections]
    new = [(s.role, [i.suggestion_index for i in s.items]) for s in edited.letter.sections]
    assert new == old
    assert verify(edited, sample_kb_session).checks.coverage == verify(draft, sample_kb_session).checks.coverage
