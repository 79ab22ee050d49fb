"""Search without a count() round trip, rows fetched only for chosen hits, fusion as a setting,
document ids that never overwrite another file, and the faster static-model preparation."""

from __future__ import annotations

import random
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from conftest import SAMPLE_KB
from vectorstore.config import KBConfig
from vectorstore.embed import HashingEmbedder
from vectorstore.hybrid import diversify, fuse, rrf
from vectorstore.kb import KnowledgeBase, doc_id_for
from vectorstore.static_model import (
    StaticConfig,
    TrainingText,
    build_vocab,
    mine_pairs,
    ppmi_svd_init,
    words_from_terms,
)
from vectorstore.tokenize import index_terms, query_index_terms, terms, words
from vectorstore.types import Hit, SearchFilters
from vectorstore.vector_index import ChromaIndex, make_client

QUERIES = ("中试平台建设补助", "科技特派员服务乡村振兴", "知识产权质押融资贴息", "高新技术企业认定", "人才")


# --- 1. Chroma query without count() ----------------------------------------------------------
class _NoCount(ChromaIndex):
    def count(self) -> int:
        raise AssertionError("query must not call count()")


def test_query_never_counts_and_handles_empty_and_short_collections(tmp_path: Path) -> None:
    index = _NoCount(make_client(tmp_path / "chroma"), "kb_probe")
    vec = np.ones(8, dtype=np.float32)
    assert index.query(vec, 5, None) == []  # empty collection
    rng = np.random.default_rng(0)
    index.add(["a:1", "b:1"], rng.random((2, 8)).astype(np.float32))
    assert {c for c, _ in index.query(vec, 50, None)} == {"a:1", "b:1"}  # k beyond the count
    assert index.query(vec, 5, ["zzz:1"]) == []  # a filter that matches nothing
    assert [c for c, _ in index.query(vec, 50, ["b:1"])] == ["b:1"]
    assert index.query(vec, 0, None) == []
    index.delete(["a:1", "b:1"])
    assert index.query(vec, 5, None) == []  # emptied again


class _OldChroma:
    """Chroma 0.4 behaviour: n_results beyond the collection size raises."""

    def __init__(self, n: int) -> None:
        self.n = n
        self.asked: list[int] = []

    def query(self, n_results: int, **_: Any) -> dict[str, Any]:
        self.asked.append(n_results)
        if n_results > self.n:
            raise RuntimeError(f"Number of requested results {n_results} is greater than number of elements")
        return {"ids": [[f"d:{i}" for i in range(n_results)]], "distances": [[0.1] * n_results]}

    def count(self) -> int:
        return self.n


def test_query_falls_back_to_count_when_an_old_chroma_refuses_k() -> None:
    index = ChromaIndex.__new__(ChromaIndex)
    index.retries, index.describe, index._col = 1, "fake", _OldChroma(3)
    assert [c for c, _ in index.query(np.ones(4), 10, None)] == ["d:0", "d:1", "d:2"]
    assert index._col.asked == [10, 3]
    index._col = _OldChroma(0)
    assert index.query(np.ones(4), 10, None) == []


# --- 2. search reads rows only for the hits it returns ----------------------------------------
def _reference_search(kb: KnowledgeBase, query: str, k: int, filters: SearchFilters | None = None) -> list[Hit]:
    """The search as it was before: rows for every fused candidate, documents taken from the rows."""
    from vectorstore.kb import _hit

    allowed = kb.store.matching_doc_ids(filters or SearchFilters())
    n = kb.config.candidates
    keyword = kb.keyword.search(list(query_index_terms(query)), n, allowed)
    allowed_ids = None if allowed is None else kb.store.chunk_ids_of(allowed)
    vector = kb.vectors.query(kb.embedder.embed_query(query), n, allowed_ids) if query.strip() else []
    fused = rrf({"keyword": [c for c, _ in keyword], "vector": [c for c, _ in vector]},
                kb.fusion_weights(), kb.rrf_k())
    chunks = kb.store.chunks_by_id([c for c, _, _ in fused[: n * 2]])
    fused = [f for f in fused if f[0] in chunks]
    top = diversify(fused, {c: ch.doc_id for c, ch in chunks.items()}, k, kb.config.max_per_doc,
                    kb.config.diversity_after)
    hits = []
    for cid, score, ranks in top:
        meta = kb.store.doc_meta(chunks[cid].doc_id)
        if meta is not None:
            hits.append(_hit(chunks[cid], meta, score, ranks))
    return hits


@pytest.fixture
def rrf_kb(sample_kb_session: KnowledgeBase) -> Iterator[KnowledgeBase]:
    kb = sample_kb_session
    saved = kb.config
    kb.config = saved.model_copy(update={"fusion": "rrf"})
    yield kb
    kb.config = saved


def test_search_equals_the_row_based_search(rrf_kb: KnowledgeBase) -> None:
    for q in QUERIES:
        for k in (3, 10):
            assert rrf_kb.search(q, k=k) == _reference_search(rrf_kb, q, k), (q, k)
    f = SearchFilters(kinds=["reply"])
    assert rrf_kb.search("中试平台", k=5, filters=f) == _reference_search(rrf_kb, "中试平台", 5, f)


def test_search_reads_only_the_chosen_chunks(rrf_kb: KnowledgeBase, monkeypatch: pytest.MonkeyPatch) -> None:
    asked: list[int] = []
    original = rrf_kb.store.chunks_by_id

    def counted(ids: list[str]) -> dict[str, Any]:
        asked.append(len(ids))
        return original(ids)

    monkeypatch.setattr(rrf_kb.store, "chunks_by_id", counted)
    assert len(rrf_kb.search(QUERIES[0], k=5)) == 5
    assert asked == [5]


def test_chunk_ids_carry_their_document(sample_kb_session: KnowledgeBase) -> None:
    # search derives the document from the id prefix; a chunker change of the id format must fail here.
    for row in sample_kb_session.store.meta_rows():
        for chunk in sample_kb_session.chunks(row["doc_id"]):
            assert chunk.chunk_id.rsplit(":", 1)[0] == chunk.doc_id


def test_a_stale_vector_is_skipped_and_replaced(kb_config: KBConfig) -> None:
    kb = KnowledgeBase(kb_config, embedder=HashingEmbedder())
    assert not kb.ingest([SAMPLE_KB], manifest=SAMPLE_KB / "MANIFEST.tsv").failed
    q = "中试平台建设补助"
    before = [h.chunk_id for h in kb.search(q, k=5)]
    # A vector whose chunk the store no longer has, placed exactly on the query.
    ghost = f"{before[0].rsplit(':', 1)[0]}:ffffffffffffffff"
    kb.vectors.add([ghost], kb.embedder.embed_query(q)[None, :])
    assert ghost in {c for c, _ in kb.vectors.query(kb.embedder.embed_query(q), 5, None)}
    got = kb.search(q, k=5)
    assert ghost not in {h.chunk_id for h in got} and len(got) == 5
    assert got == _reference_search(kb, q, 5)


# --- 3. fusion is a setting ---------------------------------------------------------------------
def test_score_fusion_keeps_score_gaps_that_rrf_drops() -> None:
    channels = {"keyword": [("a", 10.0), ("b", 9.9), ("c", 0.1)], "vector": [("c", 0.9), ("b", 0.2), ("a", 0.1)]}
    weights = {"keyword": 1.0, "vector": 1.0}
    # RRF sees positions only: b, second in both lists, loses to the two firsts.
    assert [c for c, _, _ in fuse(channels, weights, "rrf")] == ["a", "c", "b"]
    # Min-max sees that b's keyword score is nearly the best one.
    assert fuse(channels, weights, "minmax")[0][0] == "b"
    channels["keyword"][1] = ("b", 1.0)
    assert [c for c, _, _ in fuse(channels, weights, "minmax")] == ["a", "c", "b"]


def test_search_honours_the_fusion_setting(sample_kb_session: KnowledgeBase) -> None:
    kb = sample_kb_session
    saved = kb.config
    results = {}
    try:
        for method in ("rrf", "minmax"):
            kb.config = saved.model_copy(update={"fusion": method})
            results[method] = [[h.chunk_id for h in kb.search(q, k=10)] for q in QUERIES]
            scores = [h.score for h in kb.search(QUERIES[0], k=10)]
            # RRF: at most every channel's weight at rank 1; score fusion: at most the sum of the weights.
            bound = sum(kb.fusion_weights().values()) / ((kb.rrf_k() + 1) if method == "rrf" else 1)
            assert max(scores) <= bound + 1e-6 and max(scores) > (0 if method == "rrf" else 0.5)
    finally:
        kb.config = saved
    assert results["rrf"] != results["minmax"]


# --- 5. document ids ------------------------------------------------------------------------------
def test_doc_ids_differ_by_folder_and_a_clash_in_one_call_is_refused(kb: KnowledgeBase, tmp_path: Path) -> None:
    assert doc_id_for("a/答复.txt") != doc_id_for("b/答复.txt")
    assert doc_id_for("a/答复.txt").startswith("doc-") and doc_id_for("a/Reply 1.txt").startswith("reply_1-")
    one, two = tmp_path / "src" / "2023", tmp_path / "src" / "2024"
    for d, topic in ((one, "中试平台建设"), (two, "科技特派员服务乡村振兴")):
        d.mkdir(parents=True)
        (d / "答复.txt").write_text(f"关于{topic}的答复。" * 5, encoding="utf-8")
    report = kb.ingest([one, two])
    assert [f.status for f in report.files] == ["added", "failed"]
    assert "common parent" in report.files[1].reason
    # From the common parent the keys are 2023/答复.txt and 2024/答复.txt: both kept.
    fresh = KnowledgeBase(kb.config.model_copy(update={"kb_dir": tmp_path / "kb2"}), embedder=HashingEmbedder())
    assert fresh.ingest([one.parent]).count("added") == 2


def test_a_hash_clash_with_another_source_is_refused(kb: KnowledgeBase, tmp_path: Path,
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    import vectorstore.kb as kbmod

    monkeypatch.setattr(kbmod, "doc_id_for", lambda key: "doc-00000000")  # every key clashes
    for name, topic in (("a.txt", "中试平台建设"), ("b.txt", "科技特派员")):
        (tmp_path / name).write_text(f"关于{topic}的答复。" * 5, encoding="utf-8")
    assert kb.ingest([tmp_path / "a.txt"]).count("added") == 1
    report = kb.ingest([tmp_path / "b.txt"])
    assert report.files[0].status == "failed" and "already held by a.txt" in report.files[0].reason
    assert "中试平台" in (kb.get("doc-00000000") or pytest.fail("first document lost")).text


# --- 4. static model preparation ----------------------------------------------------------------
def _loop_cooccurrence(token_ids: list[list[int]], vocab_size: int) -> np.ndarray:
    co = np.zeros((vocab_size, vocab_size))
    for ids in token_ids:
        uniq = sorted(set(ids))[:60]
        for i in uniq:
            for j in uniq:
                if i != j:
                    co[i, j] += 1
    return co


def test_ppmi_init_matches_the_pairwise_loop(monkeypatch: pytest.MonkeyPatch) -> None:
    import vectorstore.static_model as static_model

    rng = random.Random(3)
    token_ids = [[rng.randrange(2, 40) for _ in range(rng.randrange(1, 90))] for _ in range(200)]
    seen: list[np.ndarray] = []
    real = static_model.randomized_svd

    def spy(m: Any, *args: Any, **kw: Any) -> Any:
        seen.append(m.toarray())
        return real(m, *args, **kw)

    monkeypatch.setattr(static_model, "randomized_svd", spy)
    emb = ppmi_svd_init(token_ids, 40, 8, seed=1)
    co = _loop_cooccurrence(token_ids, 40)
    total, rs, cs = co.sum(), co.sum(axis=1), co.sum(axis=0)
    with np.errstate(divide="ignore"):
        pmi = np.where(co > 0, np.log(co * total / (rs[:, None] * cs[None, :] + 1e-12) + 1e-12), 0)
    assert np.allclose(seen[0], np.maximum(pmi, 0))
    assert emb.shape == (40, 8) and not emb[1].any()


def test_randomized_svd_finds_the_leading_singular_vectors() -> None:
    from scipy.sparse import random as sparse_random

    from vectorstore.static_model import randomized_svd

    m = sparse_random(300, 300, density=0.05, random_state=4, format="csr")
    m = (m + m.T).tocsr()  # symmetric, like PPMI
    u, s = randomized_svd(m, 20, seed=1)
    exact = np.linalg.svd(m.toarray(), compute_uv=False)[:20]
    assert u.shape == (300, 20) and np.allclose(u.T @ u, np.eye(20), atol=1e-8)
    # A flat spectrum (random matrix) is the hard case; PPMI's decays. The leading value is exact, the others
    # within 2%, never above the true ones.
    assert abs(s[0] - exact[0]) < 1e-6 * exact[0] and np.all(np.abs(s - exact) / exact < 0.02)
    assert np.all(s <= exact + 1e-9)
    lead = m @ (m.T @ u[:, 0])  # the leading vector is a singular vector: m m^T u = s^2 u
    assert np.allclose(lead, u[:, 0] * s[0] ** 2, rtol=1e-4, atol=1e-4 * s[0] ** 2)


def test_vocabulary_from_stored_terms_equals_segmenting_again() -> None:
    texts = ["我们进一步加强科技成果转化工作，推动中试平台建设。", "关于知识产权质押融资贴息的答复，相关工作进行中。"]
    for t in texts:
        # Single characters are not vocabulary words (every character is in the vocabulary anyway).
        assert sorted(words_from_terms(terms(t), t)) == sorted(w for w in words(t) if len(w) >= 2)
    cfg = StaticConfig(min_word_count=1)
    # The same tokens (ids may differ: ties in frequency keep first-seen order).
    assert set(build_vocab(texts, cfg, [terms(t) for t in texts])) == set(build_vocab(texts, cfg))
    # The index terms the store keeps now (words plus marked bigrams) give the same words back.
    for t in texts:
        assert sorted(words_from_terms(index_terms(t), t)) == sorted(w for w in words(t) if len(w) >= 2)
    assert set(build_vocab(texts, cfg, [index_terms(t) for t in texts])) == set(build_vocab(texts, cfg))


def test_mined_pairs_have_no_twins() -> None:
    item = TrainingText(text="正文段落内容", section_path=["标题"], title="标题", sentences=[])
    pairs = mine_pairs([item, item], random.Random(0))
    assert pairs == [("标题", "正文段落内容")]
