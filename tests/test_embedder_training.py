"""Training the self-trained embedder: search serves before and during it, and a small add does not retrain.

Training itself is replaced by a quick stand-in that writes a real static model folder (random vectors), so
these tests check the orchestration (what serves when, what is kept, what is retrained), not model quality.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest

import vectorstore.embedding_service as service
from assistant.settings import make_kb_config
from vectorstore.config import KBConfig
from vectorstore.embed import Embedder, HashingEmbedder
from vectorstore.kb import KnowledgeBase
from vectorstore.static_model import (
    StaticConfig,
    TrainingText,
    build_vocab,
    make_tokenizer,
    save_static_model,
)
from vectorstore.vector_collections import OWNER_KEY
from vectorstore.vector_index import make_client

TOPICS = ["中试平台建设", "科技特派员服务乡村振兴", "知识产权质押融资", "孵化器高质量发展", "技术合同登记",
          "新型研发机构评估", "科技金融风险补偿", "高新技术企业培育", "概念验证中心资助", "校企联合实验室"]


class FakeTrainer:
    """Stands in for train_static_model; can hold a training open until released."""

    def __init__(self) -> None:
        self.calls = 0
        self.gate = threading.Event()
        self.gate.set()
        self.started = threading.Event()
        self.on_start: Callable[[], None] | None = None

    def __call__(self, items: list[TrainingText], out_dir: Path, cfg: StaticConfig | None = None,
                 progress: Callable[[str], None] | None = None) -> dict[str, float]:
        self.calls += 1
        if self.on_start:
            self.on_start()
        self.started.set()
        assert self.gate.wait(30), "the test never released the training"
        vocab = build_vocab([it.text for it in items], StaticConfig(min_word_count=1))
        weights = np.random.default_rng(self.calls).normal(size=(len(vocab), 16)).astype(np.float32)
        save_static_model(make_tokenizer(vocab), weights, out_dir)
        return {"vocab": float(len(vocab)), "steps": 0.0}


@pytest.fixture
def trainer(monkeypatch: pytest.MonkeyPatch) -> FakeTrainer:
    fake = FakeTrainer()
    monkeypatch.setattr(service, "train_static_model", fake)
    return fake


def _config(tmp_path: Path) -> KBConfig:
    return make_kb_config(tmp_path / "kb", static_min_chunks=3, retrain_fraction=0.2)


def _docs(folder: Path, topics: list[str], tag: str = "") -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for n, topic in enumerate(topics):
        text = (f"关于{topic}的工作情况{tag}\n近年来，我局围绕{topic}开展了大量工作，累计投入资金{n + 3}亿元。\n"
                f"下一步，我局将继续推进{topic}，完善配套政策，加强部门协同。")
        (folder / f"{tag}doc{n}.txt").write_text(text, encoding="utf-8")
    return folder


def test_searchable_while_the_first_model_trains(tmp_path: Path, trainer: FakeTrainer) -> None:
    kb = KnowledgeBase(_config(tmp_path))
    trainer.gate.clear()
    report = kb.ingest([_docs(tmp_path / "a", TOPICS[:4])], train="background")
    assert report.training == "background" and trainer.started.wait(30)
    # Keywords serve at once; there is no model yet, so no vectors either.
    hits = kb.search("中试平台 建设情况", k=3)
    assert hits and "中试平台" in hits[0].text and hits[0].channels == {"keyword": 1}
    # The user is told why only keywords were used, and not sent to repair an index that is on its way.
    assert len(hits.warnings) == 1 and "正在训练" in hits.warnings[0] and "--repair" not in hits.warnings[0]
    trainer.gate.set()
    kb.wait_for_training(30)
    assert kb.embedder.identity.startswith("static:")
    assert kb.vectors.ids() == kb.store.chunk_ids()
    after = kb.search("中试平台 建设情况", k=3)
    assert "vector" in after[0].channels and after.warnings == []


def test_previous_model_serves_until_the_new_one_has_every_vector(tmp_path: Path, trainer: FakeTrainer) -> None:
    kb = KnowledgeBase(_config(tmp_path))
    kb.ingest([_docs(tmp_path / "a", TOPICS[:4])])
    first = kb.embedder.identity
    old_folder = kb.config.models_dir / first.split(":", 1)[1]
    assert first.startswith("static:") and trainer.calls == 1
    other = KnowledgeBase(_config(tmp_path))  # another process on the same knowledge base
    seen_during: list[str] = []
    trainer.on_start = lambda: seen_during.append(other.embedder.identity)
    trainer.gate.clear()
    # Six more documents: far more than retrain_fraction, so a new model is trained.
    kb.ingest([_docs(tmp_path / "b", TOPICS[4:], tag="b")], train="background")
    assert trainer.started.wait(30)
    # While the new model trains: the previous one serves everywhere, with vectors for the new chunks too.
    assert kb.embedder.identity == first and other.embedder.identity == first
    assert kb.vectors.ids() == kb.store.chunk_ids() and old_folder.is_dir()
    assert "vector" in kb.search("校企联合实验室", k=3)[0].channels
    trainer.gate.set()
    kb.wait_for_training(30)
    assert seen_during == [first] and trainer.calls == 2
    second = kb.embedder.identity
    assert second != first and second.startswith("static:")
    assert other.embedder.identity == second
    assert kb.vectors.ids() == kb.store.chunk_ids() and not old_folder.exists()


def test_a_retrain_fills_and_drops_only_collections_of_its_own(tmp_path: Path, trainer: FakeTrainer) -> None:
    kb = KnowledgeBase(_config(tmp_path))
    kb.ingest([_docs(tmp_path / "a", TOPICS[:4])])
    first = kb.collection_name()
    # Collections beside ours on the same Chroma: another knowledge base's (tagged with its id) and an untagged one.
    client = make_client(kb.config.chroma_path, kb.config.chroma_url)
    client.create_collection("kb_other_deployment", metadata={OWNER_KEY: "someone-else"})
    client.create_collection("kb_untagged")
    kb.ingest([_docs(tmp_path / "b", TOPICS[4:], tag="b")])  # far more than retrain_fraction: a new model
    assert trainer.calls == 2 and kb.collection_name() != first
    found = {c.name: dict(c.metadata or {}) for c in client.list_collections()}
    # The new model's collection is named and tagged for this knowledge base; the first model's collection
    # (made the same way by the first training) was dropped as ours; the others were left alone.
    assert set(found) == {kb.collection_name(), "kb_other_deployment", "kb_untagged"}
    assert kb.kb_id in kb.collection_name() and found[kb.collection_name()][OWNER_KEY] == kb.kb_id
    assert kb.vectors.ids() == kb.store.chunk_ids()


def test_a_retrain_that_dies_while_embedding_leaves_a_collection_the_next_sync_drops(
        tmp_path: Path, trainer: FakeTrainer, monkeypatch: pytest.MonkeyPatch) -> None:
    kb = KnowledgeBase(_config(tmp_path))
    kb.ingest([_docs(tmp_path / "a", TOPICS[:4])])
    first = kb.collection_name()
    candidate = kb.embeddings.candidate

    def dies_while_embedding(name: str) -> Embedder:
        embedder = candidate(name)

        def boom(texts: list[str]) -> np.ndarray:
            raise RuntimeError("killed while embedding")
        embedder.embed_documents = boom  # type: ignore[method-assign]
        return embedder

    monkeypatch.setattr(kb.embeddings, "candidate", dies_while_embedding)
    with pytest.raises(RuntimeError, match="killed"):
        kb.ingest([_docs(tmp_path / "b", TOPICS[4:], tag="b")])
    client = make_client(kb.config.chroma_path, kb.config.chroma_url)
    left = {c.name: dict(c.metadata or {}) for c in client.list_collections()}
    # The new model's half-made collection is named and tagged as this knowledge base's own, so it is not
    # left behind for good: the next sync drops it, and searches kept the first model throughout.
    assert len(left) == 2 and all(meta[OWNER_KEY] == kb.kb_id and kb.kb_id in name for name, meta in left.items())
    assert kb.collection_name() == first
    kb.sync_vectors()
    assert [c.name for c in client.list_collections()] == [first]


def test_a_small_add_embeds_with_the_current_model_without_training(tmp_path: Path, trainer: FakeTrainer) -> None:
    kb = KnowledgeBase(_config(tmp_path))
    kb.ingest([_docs(tmp_path / "a", TOPICS)])
    model, calls = kb.embedder.identity, trainer.calls
    report = kb.ingest([_docs(tmp_path / "b", ["量子信息产业"], tag="new")])
    assert trainer.calls == calls and report.trained is None and not report.training
    assert kb.embedder.identity == model and report.embedded > 0
    assert kb.vectors.ids() == kb.store.chunk_ids()
    top = kb.search("量子信息产业", k=1)[0]
    assert "量子信息" in top.text and "vector" in top.channels


def test_fine_tuning_budget_grows_with_the_knowledge_base(tmp_path: Path) -> None:
    kb = KnowledgeBase(_config(tmp_path).model_copy(update={"static_time_budget_s": 60.0}))
    budgets = [kb.embeddings.fine_tune_budget(n) for n in (100, 2000, 10_000, 100_000)]
    assert budgets == sorted(budgets) and budgets[0] <= 10 and budgets[-1] == 60.0


def test_training_sample_reads_the_same_rows_as_sampling_every_row(tmp_path: Path,
                                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    """Training reads only the sampled rows; they are the rows (and the order) sampling them all would give."""
    import random

    kb = KnowledgeBase(_config(tmp_path), embedder=HashingEmbedder())
    kb.ingest([_docs(tmp_path / "a", TOPICS)])
    every = list(kb.store.iter_chunks())
    assert len(every) >= 10
    assert [r["chunk_id"] for r in kb.embeddings._sample_rows()] == [r["chunk_id"] for r in every]
    monkeypatch.setattr(service, "_TRAIN_SAMPLE", 7)
    expected = random.Random(7).sample(every, 7)
    got = kb.embeddings._sample_rows()
    assert [dict(r) for r in got] == [dict(r) for r in expected]


def test_a_large_ingest_builds_keywords_in_a_child_while_it_trains(tmp_path: Path, trainer: FakeTrainer,
                                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    import vectorstore.kb as kbmod

    monkeypatch.setattr(kbmod, "PARALLEL_MIN_FILES", 3)
    built_here: list[int] = []
    original = kbmod.BM25Index._build_files
    monkeypatch.setattr(kbmod.BM25Index, "_build_files",
                        lambda self, gen: built_here.append(gen) or original(self, gen))
    kb = KnowledgeBase(_config(tmp_path))
    report = kb.ingest([_docs(tmp_path / "a", TOPICS[:6])])
    assert report.trained is not None and trainer.calls == 1
    # Built and published by the child (this process only loaded it), current with the store.
    assert built_here == []
    assert kb.keyword.chunk_count() == len(kb.store.chunk_ids())
    hit = kb.search("知识产权质押融资", k=1)[0]
    assert "知识产权质押融资" in hit.text and {"keyword", "vector"} <= set(hit.channels)


def test_a_failed_keyword_child_falls_back_to_building_here(tmp_path: Path, trainer: FakeTrainer,
                                                            monkeypatch: pytest.MonkeyPatch) -> None:
    import vectorstore.kb as kbmod

    monkeypatch.setattr(kbmod, "PARALLEL_MIN_FILES", 3)
    monkeypatch.setattr(kbmod, "build_keyword_index", lambda *_: None)  # cannot reach a child: pickling fails
    kb = KnowledgeBase(_config(tmp_path))
    kb.ingest([_docs(tmp_path / "a", TOPICS[:6])])
    assert kb.keyword.chunk_count() == len(kb.store.chunk_ids())
    assert "孵化器高质量发展" in kb.search("孵化器高质量发展", k=1)[0].text


def test_ingest_workers_1_builds_keywords_in_the_ingest_itself(tmp_path: Path, trainer: FakeTrainer,
                                                               monkeypatch: pytest.MonkeyPatch) -> None:
    import vectorstore.kb as kbmod

    monkeypatch.setattr(kbmod, "PARALLEL_MIN_FILES", 3)
    started: list[bool] = []
    monkeypatch.setattr(kbmod.KnowledgeBase, "_build_keywords_beside", lambda self: started.append(True))
    kb = KnowledgeBase(make_kb_config(tmp_path / "kb", static_min_chunks=3, ingest_workers=1))
    kb.ingest([_docs(tmp_path / "a", TOPICS[:6])])
    assert started == [] and kb.keyword.chunk_count() == len(kb.store.chunk_ids())
