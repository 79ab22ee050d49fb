"""Ingest, idempotency, replacement, offsets, filters and failures of the knowledge base."""

from __future__ import annotations

from pathlib import Path

import pytest

from conftest import SAMPLE_KB
from vectorstore.chunker import chunk_document
from vectorstore.hybrid import diversify
from vectorstore.kb import KnowledgeBase
from vectorstore.types import SearchFilters

REPLY = """示例市科学技术局关于市政协十届二次会议第45号提案答复的函
王某某委员：
您提出的《关于加快中试平台建设的提案》（第45号）收悉。现答复如下：
一、工作开展情况
（一）完善政策体系
2022年，我局出台《示例市中试平台建设管理办法》，对新建中试平台最高补助300万元。
（二）建设中试平台
截至2022年底，全市累计建成市级中试平台8家，服务企业150余家。
二、下一步工作打算
下一步，我局将力争到2025年建成市级中试平台20家。
感谢您对我市科技工作的关心和支持。
示例市科学技术局
2022年6月28日
"""


def _write(tmp: Path, name: str, text: str) -> Path:
    path = tmp / name
    path.write_text(text, encoding="utf-8")
    return path


def test_every_chunk_is_an_exact_slice_of_its_document(sample_kb_session: KnowledgeBase) -> None:
    rows = sample_kb_session.store.meta_rows()
    assert len(rows) == 22
    for row in rows:
        doc = sample_kb_session.get(row["doc_id"])
        assert doc is not None
        chunks = sample_kb_session.chunks(row["doc_id"])
        assert chunks, row["doc_id"]
        for c in chunks:
            assert doc.text[c.start : c.end] == c.text
            for s in c.sentences:
                assert doc.text[s.start : s.end] == s.text
                assert c.start <= s.start < s.end <= c.end


def test_reply_chunks_carry_section_path_and_skip_letter_furniture() -> None:
    chunks = chunk_document("d", REPLY, "reply")
    assert [c.section for c in chunks] == [
        "一、工作开展情况 > （一）完善政策体系", "一、工作开展情况 > （二）建设中试平台", "二、下一步工作打算",
    ]
    assert [c.part for c in chunks] == ["work", "work", "plan"]
    assert not any("感谢" in c.text or "委员" in c.text for c in chunks)


def test_long_paragraphs_split_at_items_then_sentences() -> None:
    para = "".join(f"{n}是开展第{i}项工作，完成了大量具体任务并取得明显成效，相关情况已经向社会公开。" for i, n in enumerate("一二三四五六七八", 1))
    text = f"标题\n{para}\n{'全市建成平台一批，服务企业多家。' * 60}"
    chunks = chunk_document("d", text, "news", max_chars=120)
    assert all(len(c.text) <= 120 for c in chunks)
    assert sum(1 for c in chunks if c.text[1] == "是") == 8
    assert all(text[c.start : c.end] == c.text for c in chunks)


def test_reingest_is_idempotent_and_changes_replace_chunks(kb: KnowledgeBase, tmp_path: Path) -> None:
    docs = tmp_path / "docs"
    docs.mkdir()
    path = _write(docs, "reply.txt", REPLY)
    first = kb.ingest([docs])
    assert [f.status for f in first.files] == ["added"]
    doc_id = first.files[0].doc_id
    ids_before = {c.chunk_id for c in kb.chunks(doc_id)}
    vectors_before = kb.vectors.count()

    again = kb.ingest([docs])
    assert [f.status for f in again.files] == ["unchanged"]
    assert again.embedded == 0
    assert {c.chunk_id for c in kb.chunks(doc_id)} == ids_before
    assert kb.vectors.count() == vectors_before

    path.write_text(REPLY.replace("8家", "9家"), encoding="utf-8")
    changed = kb.ingest([docs])
    assert [f.status for f in changed.files] == ["updated"]
    assert changed.files[0].doc_id == doc_id
    ids_after = {c.chunk_id for c in kb.chunks(doc_id)}
    assert ids_after != ids_before and len(ids_after) == len(ids_before)
    assert kb.vectors.ids() == ids_after
    assert kb.check() == {"chunks": 3, "vectors_missing": 0, "vectors_orphaned": 0, "keyword_missing": 0, "keyword_orphaned": 0}
    texts = [h.text for h in kb.search("累计建成市级中试平台", k=5)]
    assert any("9家" in t for t in texts) and not any("8家" in t for t in texts)


def test_same_text_under_another_name_is_a_duplicate(kb: KnowledgeBase, tmp_path: Path) -> None:
    a = _write(tmp_path, "a.txt", REPLY)
    b = _write(tmp_path, "b.txt", REPLY)
    report = kb.ingest([a, b])
    assert [f.status for f in report.files] == ["added", "duplicate"]
    assert kb.store.counts()[0] == 1


def test_bad_files_are_reported_and_nothing_stored_is_lost(kb: KnowledgeBase, tmp_path: Path) -> None:
    good = _write(tmp_path, "good.txt", REPLY)
    kb.ingest([good])
    before = kb.store.counts()
    bad_dir = tmp_path / "bad"
    bad_dir.mkdir()
    (bad_dir / "empty.txt").write_text("")
    (bad_dir / "binary.txt").write_bytes(bytes(range(256)) * 10)
    (bad_dir / "image.png").write_bytes(b"\x89PNG....")
    _write(bad_dir, "ok.txt", REPLY.replace("第45号", "第46号"))
    report = kb.ingest([bad_dir, tmp_path / "missing.txt"])
    failed = {Path(f.path).name: f.reason for f in report.failed}
    assert set(failed) == {"empty.txt", "binary.txt", "image.png", "missing.txt"}
    assert "empty" in failed["empty.txt"] and "binary" in failed["binary.txt"]
    assert report.count("added") == 1
    assert kb.store.counts()[0] == before[0] + 1


def test_manifest_metadata_and_filters(sample_kb_session: KnowledgeBase) -> None:
    kb = sample_kb_session
    hits = kb.search("中试平台 补助", k=10, filters=SearchFilters(region="样例市"))
    assert hits and all("样例市" in h.region for h in hits)
    hits = kb.search("中试平台 补助", k=10, filters=SearchFilters(kinds=["policy"], before="2022-12-31"))
    assert hits and all(h.kind == "policy" and h.date <= "2022-12-31" for h in hits)
    hits = kb.search("中试平台", k=10, filters=SearchFilters(after="2024-01-01", issuer="示例市"))
    assert hits and all(h.date >= "2024-01-01" and "示例市" in h.issuer for h in hits)
    top = kb.search("中试平台", k=5)[0].doc_id
    assert all(h.doc_id != top for h in kb.search("中试平台", k=5, filters=SearchFilters(exclude_doc_ids=[top])))


def test_a_manifest_saying_how_much_of_a_document_is_held_is_kept_and_updates_the_store(
        kb: KnowledgeBase, tmp_path: Path) -> None:
    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / "policy.txt").write_text("示例市中试平台管理办法\n第一条 对新认定的市级中试平台给予补助，最高500万元。\n",
                                     encoding="utf-8")
    header = "file\tkind\tissuer\tregion\tdate\ttitle\tcompleteness\n"
    row = "policy.txt\tpolicy\t示例市科学技术局\t示例省示例市\t2024-03-01\t示例市中试平台管理办法\t{}\n"
    (docs / "MANIFEST.tsv").write_text(header + row.format(""), encoding="utf-8")
    assert not kb.ingest([docs], manifest=docs / "MANIFEST.tsv").failed
    doc_id = kb.search("中试平台 补助", k=1)[0].doc_id
    assert kb.get(doc_id).meta.completeness == ""  # type: ignore[union-attr]
    # Said later in the manifest, it is taken at the next ingest (the text is unchanged).
    (docs / "MANIFEST.tsv").write_text(header + row.format("truncated at end (stops in 第一条)"), encoding="utf-8")
    report = kb.ingest([docs], manifest=docs / "MANIFEST.tsv")
    assert report.count("updated") == 1
    assert kb.get(doc_id).meta.completeness == "truncated at end (stops in 第一条)"  # type: ignore[union-attr]
    assert kb.search("中试平台 补助", k=1)[0].completeness == "truncated at end (stops in 第一条)"


def test_diversity_limits_hits_per_document(sample_kb_session: KnowledgeBase) -> None:
    kb = sample_kb_session
    saved = kb.config
    kb.config = saved.model_copy(update={"diversity_after": 0})
    try:
        hits = kb.search("科技信贷 风险补偿 贷款", k=8)
    finally:
        kb.config = saved
    per_doc: dict[str, int] = {}
    for h in hits:
        per_doc[h.doc_id] = per_doc.get(h.doc_id, 0) + 1
    assert max(per_doc.values()) <= kb.config.max_per_doc
    assert len(hits) == 8


def test_diversity_keeps_the_top_as_ranked() -> None:
    ranked = [(c, 1.0 / n, {}) for n, c in enumerate(["a:1", "a:2", "a:3", "b:1", "a:4", "c:1"], start=1)]
    doc_of = {c: c.split(":")[0] for c, _, _ in ranked}
    ids = lambda fused: [c for c, _, _ in fused]  # noqa: E731
    # Capped from the start: the third passage of a gives way to b and c.
    assert ids(diversify(ranked, doc_of, 4, 2)) == ["a:1", "a:2", "b:1", "c:1"]
    # The first three stay as ranked; the cap then keeps a (already 3) out of the rest.
    assert ids(diversify(ranked, doc_of, 5, 2, keep_top=3)) == ["a:1", "a:2", "a:3", "b:1", "c:1"]
    # Too few other documents: capped passages fill the list rather than leave it short.
    assert ids(diversify(ranked, doc_of, 6, 1)) == ["a:1", "b:1", "c:1", "a:2", "a:3", "a:4"]


def test_hits_are_exact_slices_with_metadata(sample_kb_session: KnowledgeBase) -> None:
    for hit in sample_kb_session.search("科技特派员 乡镇 全覆盖", k=5):
        doc = sample_kb_session.get(hit.doc_id)
        assert doc is not None and doc.text[hit.start : hit.end] == hit.text
        assert hit.title and hit.issuer and hit.region and hit.kind and hit.channels


def test_delete_removes_document_everywhere(kb: KnowledgeBase, tmp_path: Path) -> None:
    doc_id = kb.ingest([_write(tmp_path, "r.txt", REPLY)]).files[0].doc_id
    assert kb.delete(doc_id)
    assert kb.get(doc_id) is None and kb.vectors.count() == 0 and kb.search("中试平台") == []
    assert not kb.delete(doc_id)


def test_sample_manifest_covers_every_document() -> None:
    listed = {line.split("\t")[0] for line in (SAMPLE_KB / "MANIFEST.tsv").read_text(encoding="utf-8").splitlines()[1:]}
    on_disk = {p.relative_to(SAMPLE_KB).as_posix() for p in (SAMPLE_KB / "docs").iterdir()}
    assert listed == on_disk


def test_date_and_exclusion_filters_combine(sample_kb_session: KnowledgeBase) -> None:
    store = sample_kb_session.store
    everything = store.matching_doc_ids(SearchFilters(before="2099-12-31"))
    assert everything is not None
    victim = sorted(everything)[0]
    allowed = store.matching_doc_ids(SearchFilters(before="2099-12-31", exclude_doc_ids=[victim]))
    assert allowed == everything - {victim}
    undated_kept = store.matching_doc_ids(SearchFilters(before="2000-01-01"))
    assert undated_kept == set()


def test_reingest_after_a_chunking_change_rechunks_unchanged_files(kb: KnowledgeBase, tmp_path: Path,
                                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    import vectorstore.kb as kb_module

    docs = tmp_path / "docs"
    docs.mkdir()
    _write(docs, "reply.txt", REPLY)
    doc_id = kb.ingest([docs]).files[0].doc_id
    before = [c.chunk_id for c in kb.chunks(doc_id)]
    real = kb_module.chunk_document
    # A newer chunker that cuts the same text differently (here: ignoring the reply structure).
    monkeypatch.setattr(kb_module, "chunk_document", lambda d, t, kind, mx, mn: real(d, t, "policy", mx, mn))
    again = kb.ingest([docs])
    assert [f.status for f in again.files] == ["updated"]
    after = [c.chunk_id for c in kb.chunks(doc_id)]
    assert after != before
    assert kb.vectors.ids() == set(after)
    assert [f.status for f in kb.ingest([docs]).files] == ["unchanged"]
