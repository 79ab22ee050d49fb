"""The Compose engine end to end on the sample knowledge base, and its guards."""

from __future__ import annotations

from pathlib import Path

import pytest

from assistant.drafting import Drafter
from assistant.engines.compose.select import MAX_PER_ITEM
from assistant.models import TO_FILL, DraftOptions, Proposal
from assistant.proposal import load_proposal
from assistant.rules.figures import traced
from assistant.settings import Settings, make_kb_config
from assistant.verify import figures
from conftest import SAMPLE_KB
from vectorstore.embed import HashingEmbedder
from vectorstore.kb import KnowledgeBase

PROPOSAL = SAMPLE_KB / "proposals" / "proposal_2025_ta088.txt"


@pytest.fixture(scope="module")
def drafter(sample_kb_session: KnowledgeBase) -> Drafter:
    return Drafter(Settings(_env_file=None), sample_kb_session)  # type: ignore[call-arg]


def _all_sentences(draft):  # type: ignore[no-untyped-def]
    return [(sec, s) for sec in draft.letter.sections for it in sec.items for s in it.sentences]


def test_compose_draft_passes_every_check(drafter: Drafter) -> None:
    draft = drafter.draft(load_proposal(PROPOSAL), DraftOptions(reply_date="2025-06-20", contact_person="张某某",
                                                                 contact_phone="0000-1234567", category="B"))
    assert draft.checks.passed, draft.checks
    assert draft.letter.title == "示例市科学技术局关于市政协十届五次会议第88号提案答复的函"
    assert draft.letter.salutation == "刘某某委员："
    assert [s.heading for s in draft.letter.sections] == ["一、工作开展情况", "二、下一步工作打算"]
    work = draft.letter.sections[0]
    assert len(work.items) == 4 and all(1 <= len(i.sentences) <= MAX_PER_ITEM for i in work.items)
    by_id = {s.id: s for s in draft.sources}
    for section, sent in _all_sentences(draft):
        assert sent.citations, sent.text
        cited = [by_id[c] for c in sent.citations]
        for fig in figures(sent.text):
            # In the quote, or the title or headings shown with it, or the source's own date (今年 pinned).
            assert traced(fig, [s.quote for s in cited] + [s.title for s in cited] + [s.section for s in cited],
                          [s.date for s in cited]), (fig, sent.text)
        if section.role == "work":
            assert all(by_id[c].own and "示例市" in by_id[c].region for c in sent.citations)
    for source in draft.sources:
        doc = drafter.kb.get(source.doc_id)
        assert doc is not None and doc.text[source.start : source.end] == source.quote
        assert source.date <= "2025-06-20"
    assert "[1]" in draft.text and draft.text.count("【请填写】") == 0


def test_other_cities_only_appear_as_references(drafter: Drafter) -> None:
    draft = drafter.draft(load_proposal(PROPOSAL), DraftOptions(reply_date="2025-06-20"))
    assert draft.references and all("样例市" in r.region for r in draft.references)
    cited = {c for _, s in _all_sentences(draft) for c in s.citations}
    assert not any(s.id in cited and not s.own for s in draft.sources)
    assert "样例市" not in draft.text.split("感谢")[0].split("现答复如下")[1]


def test_reply_date_and_exclusions_limit_the_evidence(drafter: Drafter) -> None:
    early = drafter.draft(load_proposal(PROPOSAL), DraftOptions(reply_date="2022-12-31"))
    assert early.sources and all(s.date <= "2022-12-31" for s in early.sources)
    full = drafter.draft(load_proposal(PROPOSAL), DraftOptions(reply_date="2025-06-20"))
    top_doc = full.sources[0].doc_id
    without = drafter.draft(load_proposal(PROPOSAL), DraftOptions(reply_date="2025-06-20", exclude_doc_ids=[top_doc]))
    assert all(s.doc_id != top_doc for s in without.sources)


def test_thematic_work_items_name_the_ask_they_report_on(drafter: Drafter) -> None:
    proposal = load_proposal(PROPOSAL)
    draft = drafter.draft(proposal, DraftOptions(reply_date="2025-06-20"))
    work, plan = draft.letter.sections
    # Under 工作开展情况 the ask's words alone would read as a claim that it was done; under 下一步 they are the plan.
    assert all(i.heading.startswith(f"（{n}）关于") for n, i in zip("一二三四五六", work.items, strict=False))
    assert all("关于" not in i.heading[:5] for i in plan.items)


def test_per_suggestion_layout(drafter: Drafter) -> None:
    draft = drafter.draft(load_proposal(PROPOSAL), DraftOptions(reply_date="2025-06-20", layout="per_suggestion"))
    headings = [s.heading for s in draft.letter.sections]
    assert headings[0].startswith("一、对“加大中试平台布局建设力度") and headings[0].endswith("”建议的回复")
    assert headings[-1] == "五、下一步工作计划"
    assert draft.checks.passed, draft.checks


def test_no_own_evidence_leaves_gaps_and_warns(drafter: Drafter) -> None:
    proposal = load_proposal(PROPOSAL)
    draft = drafter.draft(proposal, DraftOptions(reply_date="2025-06-20", bureau_name="无名市科学技术局", region="某省无名市"))
    work = draft.letter.sections[0]
    assert all(TO_FILL in i.sentences[0].text for i in work.items)
    assert not any(figures(s.text) for _, s in _all_sentences(draft))
    assert any("未找到可写入答复的本局" in w for w in draft.warnings)
    assert draft.checks.coverage == [False] * 4 and not draft.checks.passed


def test_empty_kb_and_no_suggestions(tmp_path: Path) -> None:
    kb = KnowledgeBase(make_kb_config(tmp_path / "kb", embedding_model="hashing"), embedder=HashingEmbedder())
    draft = Drafter(Settings(_env_file=None), kb).draft(Proposal(title="关于加强科普工作的提案"), DraftOptions())  # type: ignore[call-arg]
    assert any("知识库为空" in w for w in draft.warnings)
    assert any("未识别出分条建议" in w for w in draft.warnings)
    assert any("待填写" in w for w in draft.warnings)
    assert "【请填写】" in draft.letter.title and TO_FILL in draft.text
    assert draft.sources == []


def test_an_ask_the_letter_passes_over_is_named_in_the_warnings(drafter: Drafter) -> None:
    proposal = load_proposal(PROPOSAL)
    first = proposal.suggestions[0]
    asked = first.rstrip("。") + "。探索建设月球背面科研观测基地。"
    draft = drafter.draft(proposal.model_copy(update={"suggestions": [asked, *proposal.suggestions[1:]]}),
                          DraftOptions(reply_date="2025-06-20"))
    assert any("第1条建议中“探索建设月球背面科研观测基地”未见对应" in w for w in draft.warnings), draft.warnings
    plain = drafter.draft(proposal, DraftOptions(reply_date="2025-06-20"))
    assert not any("月球" in w for w in plain.warnings)
