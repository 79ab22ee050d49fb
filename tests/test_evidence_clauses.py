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
