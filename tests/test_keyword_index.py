"""The BM25 index shared by several processes: atomic publication, no waiting on rebuilds, no races."""

from __future__ import annotations

import multiprocessing
from pathlib import Path

import pytest

import vectorstore.keyword_index as keyword_index
from assistant.settings import make_kb_config
from vectorstore.config import KBConfig
from vectorstore.embed import HashingEmbedder
from vectorstore.hybrid import doc_of_chunk
from vectorstore.kb import KnowledgeBase


def _doc(folder: Path, name: str, text: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path


def _open(config: KBConfig) -> KnowledgeBase:
    return KnowledgeBase(config, embedder=HashingEmbedder())


def _found(kb: KnowledgeBase, word: str) -> bool:
    return bool(kb.keyword_search(word, k=5))


def test_reader_serves_its_index_while_the_store_moves_on(kb_config: KBConfig, tmp_path: Path,
                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    writer, reader = _open(kb_config), _open(kb_config)
    writer.ingest([_doc(tmp_path / "d", "a.txt", "示例市中试平台建设情况，全市建成中试平台12家。")])
    assert _found(reader, "中试平台")
    # A document lands in the store without a publication (as during an ingest, document by document).
    monkeypatch.setattr(keyword_index, "QUIET_S", 3600.0)
    writer.store.put(*_raw_document(writer, "b", "科技特派员服务乡村振兴，全市选派科技特派员300名。"))
    builds_before = _published_folders(kb_config)
    assert not _found(reader, "科技特派员")  # stale, served at once
    assert _published_folders(kb_config) == builds_before, "a search must not rebuild synchronously"
    writer.keyword.refresh()  # a writer publishes before it returns
    assert _found(reader, "科技特派员")


def test_background_rebuild_once_the_store_is_quiet(kb_config: KBConfig, tmp_path: Path,
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    writer, reader = _open(kb_config), _open(kb_config)
    writer.ingest([_doc(tmp_path / "d", "a.txt", "示例市中试平台建设情况，全市建成中试平台12家。")])
    assert _found(reader, "中试平台")
    monkeypatch.setattr(keyword_index, "QUIET_S", 0.0)
    writer.store.put(*_raw_document(writer, "b", "揭榜挂帅项目实施情况，发布榜单20项。"))
    assert not _found(reader, "揭榜挂帅")
    thread = reader.keyword._background
    assert thread is not None
    thread.join(30)
    assert reader.keyword._gen == writer.store.generation(), "the background build was installed"
    assert _found(reader, "揭榜挂帅")


def _raw_document(kb: KnowledgeBase, name: str, text: str):  # type: ignore[no-untyped-def]
    from vectorstore.chunker import chunk_document
    from vectorstore.normalize import content_hash
    from vectorstore.tokenize import index_terms
    from vectorstore.types import DocMeta, Document

    doc = Document(doc_id=name, text=text, meta=DocMeta(title=name, kind="news"), content_hash=content_hash(text),
                   source_path=f"{name}.txt")
    chunks = chunk_document(name, text, "news")
    return doc, chunks, [index_terms(c.text) for c in chunks]


def _published_folders(config: KBConfig) -> set[str]:
    return {p.name for p in config.keyword_dir.iterdir() if p.is_dir()}


def _rebuild_many(kb_dir: str, rounds: int) -> None:
    kb = _open(make_kb_config(Path(kb_dir), embedding_model="hashing", static_min_chunks=10**9))
    for _ in range(rounds):
        kb.keyword.rebuild()
        kb.keyword_search("中试平台", k=3)


def test_processes_rebuilding_at_once_do_not_collide(kb_config: KBConfig, tmp_path: Path) -> None:
    kb = _open(kb_config)
    docs = [_doc(tmp_path / "d", f"n{i}.txt", f"第{i}期工作动态：推进中试平台建设，新增平台{i}家。") for i in range(30)]
    kb.ingest(docs)
    ctx = multiprocessing.get_context("spawn")
    procs = [ctx.Process(target=_rebuild_many, args=(str(kb_config.kb_dir), 4)) for _ in range(4)]
    for p in procs:
        p.start()
    for p in procs:
        p.join(120)
    assert [p.exitcode for p in procs] == [0, 0, 0, 0]
    fresh = _open(kb_config)
    assert fresh.keyword.chunk_count() == len(kb.store.chunk_ids())
    assert not [p for p in kb_config.keyword_dir.iterdir() if p.name.startswith(".build-")]


# --- the vector side of filtered search ---------------------------------------------------------------

class _CountingVectors:
    """Wraps a vector index and records whether each query was filtered."""

    def __init__(self, inner) -> None:  # type: ignore[no-untyped-def]
        self.inner = inner
        self.calls: list[tuple[int, bool]] = []

    def query(self, vector, k, allowed_ids):  # type: ignore[no-untyped-def]
        self.calls.append((k, allowed_ids is not None))
        return self.inner.query(vector, k, allowed_ids)


@pytest.mark.parametrize("filters", [
    {"kinds": ["reply"]}, {"kinds": ["policy"]}, {"region": "样例市"}, {"before": "2023-12-31"},
])
def test_filtered_vector_search_equals_the_exact_filtered_query(sample_kb_session: KnowledgeBase,
                                                                filters: dict) -> None:  # type: ignore[type-arg]
    import numpy as np

    from vectorstore.types import SearchFilters

    kb = sample_kb_session
    allowed = kb.store.matching_doc_ids(SearchFilters(**filters))
    assert allowed
    # The reference is computed here by brute force (Chroma's own filtered query is approximate too).
    chunks = [c for d in sorted(allowed) for c in kb.chunks(d)]
    matrix = np.asarray(kb.embedder.embed_documents([c.text for c in chunks]), dtype=np.float64)
    matrix /= np.linalg.norm(matrix, axis=1, keepdims=True)
    for query in ("中试平台建设", "科技特派员", "研发费用加计扣除"):
        vector = np.asarray(kb.embedder.embed_query(query), dtype=np.float64)
        exact = np.sort(1.0 - matrix @ (vector / np.linalg.norm(vector)))[:8]
        got = kb._vector_query(kb.embedder.embed_query(query), 8, allowed)
        assert all(doc_of_chunk(c) in allowed for c, _ in got)
        # Same distances in the same order: the same passages, whatever order ties come in.
        distances = {c.chunk_id: d for c, d in zip(chunks, 1.0 - matrix @ (vector / np.linalg.norm(vector)), strict=True)}
        assert np.allclose([distances[c] for c, _ in got], exact, atol=1e-5)


def test_overfetch_falls_back_to_the_filtered_query(sample_kb_session: KnowledgeBase,
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    kb = sample_kb_session
    counting = _CountingVectors(kb.vectors)
    monkeypatch.setattr(type(kb), "vectors", property(lambda self: counting))
    everything = {doc for doc, in kb.store._conn().execute("SELECT doc_id FROM documents")}
    vector = kb.embedder.embed_query("中试平台")
    kb._vector_query(vector, 5, everything)
    assert counting.calls == [(10, False)], "a wide filter is served by one unfiltered over-fetch"
    counting.calls.clear()
    one = {sorted(everything)[0]}
    monkeypatch.setattr("vectorstore.kb.MAX_OVERFETCH", 5)
    kb._vector_query(vector, 5, one)
    assert counting.calls == [(5, True)], "a narrow filter goes straight to the exact filtered query"


def test_search_does_not_wait_for_a_build_in_another_thread(kb_config: KBConfig, tmp_path: Path) -> None:
    import threading

    kb = _open(kb_config)
    kb.ingest([_doc(tmp_path / "d", "a.txt", "示例市中试平台建设情况，全市建成中试平台12家。")])
    kb.store.put(*_raw_document(kb, "b", "揭榜挂帅项目实施情况，发布榜单20项。"))
    held, release = threading.Event(), threading.Event()

    def hold() -> None:
        with kb.keyword._lock:
            held.set()
            release.wait(60)

    holder = threading.Thread(target=hold)
    holder.start()
    assert held.wait(30)
    found: list[object] = []
    searcher = threading.Thread(target=lambda: found.append(kb.keyword_search("中试平台", k=3)))
    searcher.start()
    # No timing: the search must come back while the build still holds the lock (a generous bound, so a
    # loaded machine cannot fail it; a search that waits for the lock never comes back before release).
    searcher.join(timeout=30)
    try:
        assert not searcher.is_alive() and found and found[0], "the search waited for the build"
    finally:
        release.set()
        holder.join()
        searcher.join()


def test_filter_cache_follows_the_store(kb: KnowledgeBase, tmp_path: Path) -> None:
    from vectorstore.types import SearchFilters

    only_news = SearchFilters(kinds=["news"], before="2030-01-01")
    kb.ingest([_doc(tmp_path / "d", "a.txt", "示例市中试平台建设情况，全市建成中试平台12家。")])
    assert not any("揭榜挂帅" in h.text for h in kb.search("揭榜挂帅", k=5, filters=only_news))
    kb.ingest([_doc(tmp_path / "d", "b.txt", "揭榜挂帅项目实施情况，发布榜单20项。")])
    assert any("揭榜挂帅" in h.text for h in kb.search("揭榜挂帅", k=5, filters=only_news))
    doc_id = next(h.doc_id for h in kb.search("揭榜挂帅", k=5, filters=only_news) if "揭榜挂帅" in h.text)
    kb.delete(doc_id)
    assert not any(h.doc_id == doc_id for h in kb.search("揭榜挂帅", k=5, filters=only_news))


@pytest.mark.parametrize("method", ["lucene", "bm25+"])
def test_sparse_scoring_equals_bm25s(method: str) -> None:
    """The index scores a query as a sparse product; it must give bm25s's own scores, repeated terms,
    unknown terms and a scope mask included, also for a variant that scores absent terms (BM25+)."""
    import bm25s
    import numpy as np

    corpus = [["中试", "平台", "建设"], ["科技", "特派员", "乡村"], ["中试", "中试", "基地", "科技"], ["孵化器"]]
    bm25 = bm25s.BM25(method=method)
    bm25.index(bm25s.tokenization.Tokenized(
        ids=[[{"中试": 0, "平台": 1, "建设": 2, "科技": 3, "特派员": 4, "乡村": 5, "基地": 6, "孵化器": 7}[t]
              for t in doc] for doc in corpus],
        vocab={"中试": 0, "平台": 1, "建设": 2, "科技": 3, "特派员": 4, "乡村": 5, "基地": 6, "孵化器": 7}),
        show_progress=False)
    matrix = keyword_index._score_matrix(bm25)
    mask = np.array([1, 0, 1, 1], dtype=np.float32)
    for terms in (["中试"], ["中试", "中试", "科技"], ["未知", "孵化器"], ["未知"]):
        for m in (None, mask):
            want = bm25.get_scores(terms, weight_mask=None if m is None else m.copy()) if any(
                t in bm25.vocab_dict for t in terms) else np.zeros(len(corpus), dtype=np.float32)
            got = keyword_index._scores(bm25, matrix, terms, m)
            assert np.allclose(got, want, atol=1e-6), (method, terms)
            assert got.shape == (len(corpus),)
