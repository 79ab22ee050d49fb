"""Smoke test of the benchmarks' moving parts on the sample knowledge base (no ../shared needed)."""

from __future__ import annotations

from itertools import pairwise
from pathlib import Path

import pytest

from bench.baselines import PlainBM25, chatchat_windows, plain_tokens
from bench.corpus import BuiltKB, build_kb, sources
from bench.evaluation import CHANNELS, Setting, evaluate, summary
from bench.fusion import fused_ids, score_fusion
from bench.metrics import first_relevant_rank, hit_at, mrr_at, percentile, recall_at, reciprocal_rank
from bench.mining import KINDS, docs_of, is_trivial, mine, strip_marker
from bench.synthetic import generate, load_pools, queries
from vectorstore.chunker import chunk_document
from vectorstore.metadata import load_manifest


@pytest.fixture(scope="module")
def sample(tmp_path_factory: pytest.TempPathFactory) -> BuiltKB:
    srcs = sources(include_shared=False)
    assert [s.label for s in srcs] == ["sample"]
    return build_kb(tmp_path_factory.mktemp("bench") / "kb", srcs, embedding_model="hashing")


def test_metrics_on_a_hand_made_ranking() -> None:
    ranking = ["a", "b", "c", "d", "e", "f"]
    assert first_relevant_rank(ranking, {"c", "x"}) == 3
    assert first_relevant_rank(ranking, {"x"}) is None
    assert hit_at(3, 5) == 1.0 and hit_at(6, 5) == 0.0 and hit_at(None, 5) == 0.0
    assert reciprocal_rank(3, 10) == pytest.approx(1 / 3) and reciprocal_rank(11, 10) == 0.0
    ranks = [3, None, 1, 7]
    assert recall_at(ranks, 5) == 0.5
    assert recall_at(ranks, 10) == 0.75
    assert mrr_at(ranks, 10) == pytest.approx((1 / 3 + 0 + 1 + 1 / 7) / 4)
    assert mrr_at(ranks, 5) == pytest.approx((1 / 3 + 1) / 4)
    assert recall_at([], 5) == 0.0
    values = [float(v) for v in range(1, 101)]
    assert (percentile(values, 50), percentile(values, 95), percentile(values, 99)) == (50.0, 95.0, 99.0)
    assert percentile([7.0], 99) == 7.0


def test_strip_marker_keeps_the_heading_words() -> None:
    assert strip_marker("（一）强化规划引领") == "强化规划引领"
    assert strip_marker("二、下一步工作打算") == "下一步工作打算"
    assert strip_marker("第三章 支持措施") == "支持措施"
    assert strip_marker("1.加大财政投入。") == "加大财政投入"
    assert strip_marker("2.5亿元专项资金") == "2.5亿元专项资金"


def test_mined_pairs_are_non_trivial(sample: BuiltKB) -> None:
    docs = docs_of(sample.kb)
    chunks = {c.chunk_id: c for view in docs for c in view.chunks}
    mined = mine(docs)
    kinds = mined.by_kind()
    assert kinds.get("suggestion", 0) >= 5 and kinds.get("item_heading", 0) >= 10, kinds
    assert set(kinds) <= set(KINDS)
    assert sum(v for k, v in mined.dropped.items() if k.startswith("trivial")) > 0, "inline headings must be dropped"
    for pair in mined.pairs:
        assert pair.relevant and pair.relevant <= chunks.keys()
        for cid in pair.relevant:
            assert not is_trivial(pair.query, chunks[cid].text), (pair.query, cid)
            assert chunks[cid].doc_id in pair.doc_ids
        if pair.kind == "suggestion":
            assert all(f"“{pair.query}”" in chunks[c].section_path[0] for c in pair.relevant)


def test_fusion_with_rrf_reproduces_kb_search(sample: BuiltKB) -> None:
    for q in ("中试平台建设补助", "科技特派员服务乡村振兴", "知识产权质押融资贴息"):
        assert fused_ids(sample.kb, q, k=10) == [h.chunk_id for h in sample.kb.search(q, k=10)]


def test_score_fusion_scales_each_channel() -> None:
    fused = score_fusion({"keyword": [("a", 10.0), ("b", 5.0)], "vector": [("b", 0.8), ("c", 0.4)]},
                         {"keyword": 1.0, "vector": 1.0}, "max")
    assert [f[0] for f in fused] == ["b", "a", "c"]
    assert fused[0][1] == pytest.approx(1.5)
    fused = score_fusion({"keyword": [("a", 10.0), ("b", 5.0)], "vector": []}, {}, "minmax")
    assert [(f[0], f[1]) for f in fused] == [("a", 1.0), ("b", 0.0)]


def test_every_channel_scores_the_pairs(sample: BuiltKB) -> None:
    pairs = mine(docs_of(sample.kb)).pairs[:12]
    setting = Setting("sample", [(sample.kb, list(range(len(pairs))))])
    for channel in CHANNELS.values():
        s = summary(evaluate(setting, pairs, channel))
        assert s["pairs"] == len(pairs)
        assert 0.0 <= s["recall@5"] <= 1.0 and 0.0 <= s["mrr@10"] <= 1.0


def test_synthetic_corpus_chunks_as_planned(tmp_path: Path) -> None:
    pools = load_pools(sources(include_shared=False))
    assert pools.sentences and pools.headings and pools.clauses
    gen = generate(pools, tmp_path, 300, seed=3)
    entries = load_manifest(gen.manifest)
    assert len(entries) == gen.docs
    chunks = 0
    for rel, (meta, _) in entries.items():
        text = (tmp_path / rel).read_text(encoding="utf-8")
        assert meta.issuer and meta.region and meta.date
        chunks += len(chunk_document(rel, text, meta.kind))
    assert 0.9 * gen.paragraphs <= chunks <= 1.2 * gen.paragraphs
    qs = queries(pools, 40)
    assert len(qs) == len(set(qs)) == 40


def test_chatchat_windows_cover_the_text_with_overlap_and_end_at_sentences() -> None:
    text = "第一句讲科技成果转化。" * 40 + "尾巴没有句号" * 30
    windows = chatchat_windows(text)
    assert windows[0][0] == 0 and windows[-1][1] == len(text)
    for (s1, e1), (s2, e2) in pairwise(windows):
        assert e1 - s1 <= 250 and s2 == e1 - 50 and e2 > e1
    inside = [e for _, e in windows[:-1] if e <= 440]
    assert inside and all(text[e - 1] == "。" for e in inside)
    assert chatchat_windows("") == [] and chatchat_windows("短文本。") == [(0, 4)]


def test_plain_bm25_uses_jieba_words_only() -> None:
    index = PlainBM25([("a", "科技成果转化 中试平台建设"), ("b", "企业研发费用加计扣除"), ("c", "今天天气很好")])
    assert index.search("中试平台在哪里", 5) == ["a"]
    assert index.search("研发费用", 5) == ["b"]
    assert index.search("完全无关xyz", 5) == []
    # jieba's own dictionary, no bigrams, no stopwords removed, spaces dropped.
    assert plain_tokens("科技成果转化 的") == ["科技成果", "转化", "的"]
