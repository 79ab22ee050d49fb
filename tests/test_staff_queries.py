"""The staff-query benchmark's data and scoring (the figures themselves are printed by bench.staff_queries)."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from bench import staff_queries as sq
from bench.metrics import ndcg_at
from conftest import shared_path
from vectorstore.embed import HashingEmbedder


def test_queries_file_holds_offsets_not_text() -> None:
    queries = sq.load_queries()
    assert len(queries) >= 60
    assert {q.split for q in queries} == {"tune", "held"}
    assert abs(sum(q.split == "tune" for q in queries) - sum(q.split == "held" for q in queries)) <= 1
    assert len({q.qid for q in queries}) == len(queries)
    for line in sq.QUERIES.read_text(encoding="utf-8").splitlines():
        row = json.loads(line)
        assert set(row) == {"id", "query", "split", "relevant"}
        assert all(set(r) == {"doc", "start", "end", "sha1"} for r in row["relevant"]) and row["relevant"]
        assert len(row["query"]) <= 30


def test_a_moved_span_is_found_by_its_hash_and_a_changed_one_is_not() -> None:
    text = "甲乙丙丁戊己庚辛壬癸" * 3
    span = sq.Span("d.txt", 4, 9, sq.digest(text[4:9]))
    assert sq.locate(text, span) == (4, 9)
    assert sq.locate("前缀" + text, span) == (6, 11)  # cleaning added two characters in front
    assert sq.locate(text.replace("戊己", "XX"), span) is None


def test_relevance_needs_half_of_the_shorter_and_counts_each_span_once() -> None:
    span = sq.Resolved("d", 100, 200)
    assert sq.is_relevant(("d", 150, 400), span)  # covers half the span
    assert not sq.is_relevant(("d", 160, 400), span)
    assert sq.is_relevant(("d", 0, 1000), span) and sq.is_relevant(("d", 120, 140), span)
    assert not sq.is_relevant(("e", 100, 200), span)
    got = sq.score([("e", 0, 50), ("d", 100, 200), ("d", 120, 180), ("f", 0, 9)], [span])
    assert got.rank == 2 and got.gains[:4] == [0.0, 1.0, 0.0, 0.0]
    assert ndcg_at(got.gains, 1, 10) == pytest.approx(1 / 1.5849625, rel=1e-6)


def test_containment_needs_nearly_the_whole_span_or_a_hit_inside_it() -> None:
    span = sq.Resolved("d", 100, 200)
    assert sq.contains(("d", 50, 300), span) and sq.contains(("d", 105, 400), span)
    assert not sq.contains(("d", 150, 400), span)  # half the span: enough for the overlap rule only
    assert sq.is_relevant(("d", 150, 400), span)
    assert sq.contains(("d", 120, 140), span) and not sq.contains(("e", 50, 300), span)


def test_runner_skips_without_shared_data(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert sq.main(["--shared", str(tmp_path), "--json", str(tmp_path / "out.json")]) == 0
    assert "skipped" in capsys.readouterr().out and not (tmp_path / "out.json").exists()


@pytest.mark.shared
def test_every_span_resolves_and_no_query_copies_its_passage(tmp_path: Path) -> None:
    shared = shared_path()
    kb, doc_of_path, _ = sq.build(tmp_path / "kb", shared, embedder=HashingEmbedder(), embedding_model="hashing")
    queries = sq.load_queries()
    spans, missing = sq.resolve(kb, queries, doc_of_path)
    assert not missing and set(spans) == {q.qid for q in queries}
    for q in queries:
        query = re.sub(r"\s", "", q.query)
        for span in spans[q.qid]:
            doc = kb.get(span.doc_id)
            assert doc is not None
            passage = re.sub(r"\s", "", doc.text[span.start : span.end])
            assert not any(query[i : i + 6] in passage for i in range(len(query) - 5)), q.qid
