"""A sentence is cut into the measures it joins with ；, each an exact slice, when each part reports an act."""

from __future__ import annotations

import pytest

from assistant.evidence import clauses
from vectorstore.types import Chunk, Span


def _chunk(text: str, offset: int = 100) -> Chunk:
    return Chunk(chunk_id="c", doc_id="d", seq=0, start=offset, end=offset + len(text), text=text,
                 sentences=[Span(start=offset, end=offset + len(text), text=text)])


@pytest.mark.parametrize(("sentence", "parts"), [
    # An outcome reported beside the work is a measure of its own: a newer figure for the first part must not
    # take the second with it.
    ("支持合作项目18项、经费1650万元；2家单位获批省级国际科技合作基地。",
     ["支持合作项目18项、经费1650万元；", "2家单位获批省级国际科技合作基地。"]),
    ("选派科技特派员356名，组建科技特派团24支；新认定市级星创天地9家、农业科技园区4家。",
     ["选派科技特派员356名，组建科技特派团24支；", "新认定市级星创天地9家、农业科技园区4家。"]),
    # A list of amounts stays one sentence: its parts say nothing done on their own.
    ("其中成果转化类资金8600万元；中试平台和概念验证类资金6200万元。",
     ["其中成果转化类资金8600万元；中试平台和概念验证类资金6200万元。"]),
])
def test_a_sentence_is_cut_into_the_measures_it_joins(sentence: str, parts: list[str]) -> None:
    chunk = _chunk(sentence)
    got = clauses(chunk)
    assert [c.text for c in got] == parts
    assert all(chunk.text[c.start - chunk.start : c.end - chunk.start] == c.text for c in got)  # exact slices


@pytest.mark.parametrize(("sentence", "act"), [
    ("鹭川日报讯（记者 杭某）9月25日，人工智能应用场景发布暨供需对接会在湾东新区举行，首批30个人工智能应用场景集中发布，"
     "涵盖智能制造等领域，场景总投资约4.2亿元。",
     "首批30个人工智能应用场景集中发布，涵盖智能制造等领域，场景总投资约4.2亿元。"),
    ("9月25日，科技工作会议在市政府召开，会议总结了全年工作。", None),  # what the meeting did is no act of the bureau
])
def test_what_was_put_out_at_a_reported_event_is_a_clause_of_its_own(sentence: str, act: str | None) -> None:
    from assistant.evidence import _sentence_context
    from assistant.rules.tense import classify_tense

    chunk = _chunk(sentence)
    got = [c.text for c in clauses(chunk)]
    assert got[0] == sentence
    assert got[1:] == ([act] if act else [])
    if act:
        span = clauses(chunk)[1]
        # The lead is the report's; its act inherits nothing from it, and reads as done.
        assert not any(a <= span.start and span.end <= b for a, b in _sentence_context(chunk))
        assert classify_tense(act, "body", "news") == "done"
