"""How search ranks: index terms with character bigrams, their migration, and fusion weights per embedder."""

from __future__ import annotations

import json
import threading
from pathlib import Path

import numpy as np
import pytest

from assistant.settings import make_kb_config
from vectorstore.config import KBConfig
from vectorstore.embed import HashingEmbedder, StaticModelEmbedder
from vectorstore.kb import _TERMS_KEY, KnowledgeBase
from vectorstore.tokenize import (
    BIGRAM,
    INDEX_TERMS_VERSION,
    index_terms,
    terms,
    title_terms,
    with_title,
    words,
)

DOC = "高校院所科技成果本地转化率不够高，企业承接能力不足，要加快建设中试平台。"
# jieba cuts the query into 成果转化 and the passage into 科技成果 / 本地 / 转化率: only character bigrams meet.
QUERY = "成果转化"


def _write(tmp_path: Path, name: str, text: str) -> Path:
    folder = tmp_path / "docs"
    folder.mkdir(exist_ok=True)
    (folder / name).write_text(text, encoding="utf-8")
    return folder


def test_index_terms_are_words_and_every_cjk_bigram() -> None:
    got = index_terms("科技成果转化，加快中试。")
    assert [t for t in got if not t.startswith(BIGRAM)] == [w for w in words("科技成果转化，加快中试。")
                                                        if w not in ("，", "。")]
    assert [t[1:] for t in got if t.startswith(BIGRAM)] == ["科技", "技成", "成果", "果转", "转化", "加快", "快中", "中试"]


def test_a_reworded_query_finds_the_passage_through_bigrams(kb: KnowledgeBase, tmp_path: Path) -> None:
    folder = _write(tmp_path, "a.txt", DOC)
    _write(tmp_path, "b.txt", "关于农村生活污水治理的答复。我局将加强项目储备，争取上级资金支持。")
    kb.ingest([folder])
    query_words = {t for t in index_terms(QUERY) if not t.startswith(BIGRAM)}
    doc_words = {t for t in index_terms(DOC) if not t.startswith(BIGRAM)}
    assert not query_words & doc_words, "the query must share no word with the passage for this test to mean anything"
    hits = kb.keyword_search(QUERY, k=2)
    assert len(hits) == 1 and kb.store.chunks_by_id(hits)[hits[0]].text == DOC


def test_terms_of_an_older_index_are_updated_on_ingest(kb: KnowledgeBase, tmp_path: Path) -> None:
    # A title of other words: the keyword index adds the title's terms (bigrams too) to every chunk.
    folder = _write(tmp_path, "a.txt", "关于企业承接能力的答复\n" + DOC)
    kb.ingest([folder])
    # Make the store look as an earlier version left it: word terms only, no version recorded.
    kb.store.set_terms({row["chunk_id"]: terms(row["text"]) for row in kb.store.iter_chunks()})
    kb.store.set_state(_TERMS_KEY, "1")
    kb.keyword.refresh()
    assert kb.keyword_search(QUERY, k=1) == []
    kb.ingest([folder])  # nothing changed in the files; the terms are brought up to date all the same
    assert kb.store.get_state(_TERMS_KEY) == INDEX_TERMS_VERSION
    assert all(row["terms"].split() == index_terms(row["text"]) for row in kb.store.iter_chunks())
    assert len(kb.keyword_search(QUERY, k=1)) == 1


def test_check_repair_updates_older_terms(kb: KnowledgeBase, tmp_path: Path) -> None:
    kb.ingest([_write(tmp_path, "a.txt", DOC)])
    kb.store.set_terms({row["chunk_id"]: terms(row["text"]) for row in kb.store.iter_chunks()})
    kb.store.set_state(_TERMS_KEY, "1")
    kb.check(repair=True)
    assert kb.store.get_state(_TERMS_KEY) == INDEX_TERMS_VERSION
    assert len(kb.keyword_search(QUERY, k=1)) == 1


def test_fusion_weights_follow_the_embedder(tmp_path: Path) -> None:
    def weights(embedder, **cfg):  # type: ignore[no-untyped-def]
        config = make_kb_config(tmp_path / f"kb{len(list(tmp_path.iterdir()))}", **cfg)
        return KnowledgeBase(config, embedder=embedder).fusion_weights()

    # The self-trained static model is trusted less than keywords; other embedders keep full weight.
    assert weights(StaticModelEmbedder(tmp_path / "model")) == {"keyword": 1.0, "vector": 0.2}
    assert weights(HashingEmbedder()) == {"keyword": 1.0, "vector": 1.0}
    # RRF constant likewise: 30 with the self-trained model, the previous 60 otherwise.
    config = make_kb_config(tmp_path / "kc")
    assert KnowledgeBase(config, embedder=StaticModelEmbedder(tmp_path / "model")).rrf_k() == 30
    assert KnowledgeBase(config, embedder=HashingEmbedder()).rrf_k() == 60
    assert KnowledgeBase(config.model_copy(update={"rrf_k": 10}), embedder=HashingEmbedder()).rrf_k() == 10
    # A configured weight wins over the default.
    assert weights(StaticModelEmbedder(tmp_path / "model"), vector_weight=0.7)["vector"] == 0.7


def test_searches_during_warm_up_are_answered_by_keywords(kb_config: KBConfig, tmp_path: Path) -> None:
    opened = threading.Event()

    class SlowToOpen(HashingEmbedder):
        """Stands in for a model and vector store that take seconds to open at start."""

        def embed_query(self, text: str) -> np.ndarray:
            if threading.current_thread().name == "kb-warm-up":
                assert opened.wait(30)
            return super().embed_query(text)

    KnowledgeBase(kb_config, embedder=HashingEmbedder()).ingest([_write(tmp_path, "a.txt", DOC)])
    started = KnowledgeBase(kb_config, embedder=SlowToOpen())  # a process that has just started
    warming = started.warm_up()
    hits = started.search(QUERY, k=3)
    assert hits and all(h.channels == {"keyword": 1} for h in hits[:1])
    opened.set()
    warming.join(30)
    assert "vector" in started.search(QUERY, k=3)[0].channels


def test_a_large_ingest_prepares_files_in_workers_with_the_same_result(tmp_path: Path,
                                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    import vectorstore.kb as kbmod

    folder = tmp_path / "many"
    folder.mkdir()
    for n in range(6):
        (folder / f"d{n}.txt").write_text(f"关于第{n}项工作的情况\n{DOC}\n我局已投入资金{n + 1}亿元，建成平台{n + 2}个。",
                                         encoding="utf-8")
    (folder / "empty.txt").write_text("  ", encoding="utf-8")
    results = {}
    for mode, threshold in (("inline", 10**9), ("workers", 2)):
        monkeypatch.setattr(kbmod, "PARALLEL_MIN_FILES", threshold)
        kb = KnowledgeBase(make_kb_config(tmp_path / mode, embedding_model="hashing", ingest_workers=2),
                           embedder=HashingEmbedder())
        report = kb.ingest([folder])
        results[mode] = ([(f.status, f.reason) for f in report.files],
                         sorted((r["chunk_id"], r["terms"]) for r in kb.store.iter_chunks()))
        # Ingesting again finds everything unchanged, in either mode.
        assert {f.status for f in kb.ingest([folder]).files} == {"unchanged", "failed"}
    assert results["workers"] == results["inline"]
    assert results["inline"][0].count(("added", "")) == 6 and len(results["inline"][1]) >= 6


def test_terms_without_jieba_are_the_bigrams_of_the_index_terms() -> None:
    from vectorstore.tokenize import quick_index_terms

    text = "2024年GDP增长，中试平台建设加快"
    quick = quick_index_terms(text)
    assert [t for t in quick if t.startswith(BIGRAM)] == [t for t in index_terms(text) if t.startswith(BIGRAM)]
    assert {"2024", "gdp"} <= set(quick) and len(quick) == 2 + sum(1 for t in quick if t.startswith(BIGRAM))


TITLED = ("示例市中试平台建设补助办法\n"
          "第一章 总则\n第一条 为推动中试平台建设，加快科技成果转化，制定本办法。中试平台是指为科技成果提供中间试验服务的平台。"
          "第二条 本办法适用于本市行政区域内依法登记的中试平台，由市科技局负责组织实施。\n"
          "第二章 补助标准\n第三条 按设备投入的百分之三十给予补助，单个项目最高五百万元，分两年拨付。"
          "第四条 申请补助须提交设备购置发票和验收报告，经专家评审后公示。\n")


def test_every_chunk_carries_its_document_title(tmp_path: Path) -> None:
    """A query naming the document and asking for a part of it finds the part, not the title's chunk."""
    assert title_terms("中试平台，中试平台") == ["中试平台", "#中试", "#试平", "#平台"]
    assert with_title(["平台", "#平台"], title_terms("中试平台")) == ["平台", "#平台", "中试平台", "#中试", "#试平"]
    kb = KnowledgeBase(make_kb_config(tmp_path / "kb", chunk_min_chars=20, chunk_max_chars=120),
                       embedder=HashingEmbedder())
    folder = _write(tmp_path, "a.txt", TITLED)
    _write(tmp_path, "b.txt", "示例市科技计划项目管理办法\n第一条 为规范项目管理，制定本办法。第二条 项目实行合同管理。\n")
    kb.ingest([folder])
    chunks = kb.chunks(next(d.doc_id for d in kb.documents() if d.title == "示例市中试平台建设补助办法"))
    assert len(chunks) == 3 and "中试平台" not in chunks[2].text  # the answer does not repeat the title
    assert kb.keyword_search("中试平台补助最高多少", k=1) == [chunks[2].chunk_id]


def test_an_index_of_an_older_format_is_rebuilt(kb_config: KBConfig, tmp_path: Path) -> None:
    folder = _write(tmp_path, "a.txt", TITLED)
    kb = KnowledgeBase(kb_config, embedder=HashingEmbedder())
    kb.ingest([folder])
    current = json.loads((kb_config.keyword_dir / "CURRENT").read_text())
    meta = kb_config.keyword_dir / current["dir"] / "meta.json"
    meta.write_text(json.dumps({**json.loads(meta.read_text()), "format": 1}))
    reopened = KnowledgeBase(kb_config, embedder=HashingEmbedder())
    assert reopened.keyword_search("中试平台补助最高多少", k=1)
    rebuilt = json.loads((kb_config.keyword_dir / "CURRENT").read_text())
    assert rebuilt["dir"] != current["dir"] and rebuilt["generation"] == current["generation"]
