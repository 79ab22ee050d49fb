"""The static model's fine-tuning loop, written in plain torch, trains as sentence-transformers would."""

from __future__ import annotations

import math
import random
import time

import numpy as np

from vectorstore.static_model import StaticConfig, _batches, fine_tune, make_tokenizer

WORDS = ["科技", "创新", "成果", "转化", "中试", "平台", "企业", "研发", "投入", "人才", "政策", "资金", "园区", "孵化"]


def _pairs(n: int, seed: int) -> list[tuple[str, str]]:
    rng = random.Random(seed)
    return [("".join(rng.sample(WORDS, 3)) + str(i), "".join(rng.sample(WORDS, 5))) for i in range(n)]


def _reference(tokenizer, weights: np.ndarray, pairs: list[tuple[str, str]], cfg: StaticConfig) -> np.ndarray:  # type: ignore[no-untyped-def]
    """The loop the knowledge base used before: SentenceTransformer(StaticEmbedding) with its own MNRL loss."""
    import torch
    from sentence_transformers import SentenceTransformer

    try:
        from sentence_transformers.sentence_transformer.losses import MultipleNegativesRankingLoss
        from sentence_transformers.sentence_transformer.modules import StaticEmbedding
    except ImportError:  # sentence-transformers < 6
        from sentence_transformers.losses import MultipleNegativesRankingLoss  # type: ignore[no-redef]
        from sentence_transformers.models import StaticEmbedding  # type: ignore[no-redef]
    model = SentenceTransformer(modules=[StaticEmbedding(tokenizer, embedding_weights=weights.copy())], device="cpu")
    loss_fn = MultipleNegativesRankingLoss(model)
    optim = torch.optim.Adam(model.parameters(), lr=cfg.lr)
    model.train()
    for _ in range(cfg.epochs):
        for batch in _batches(pairs, cfg.batch_size):
            loss = loss_fn([model.preprocess([a for a, _ in batch]), model.preprocess([p for _, p in batch])],
                           torch.tensor([]))
            optim.zero_grad()
            loss.backward()
            optim.step()
    return model[0].embedding.weight.detach().numpy().copy()


def test_fine_tune_matches_sentence_transformers() -> None:
    vocab = ["[UNK]", "[PAD]", *sorted({ch for w in WORDS for ch in w}), *WORDS, *map(str, range(10))]
    tokenizer = make_tokenizer(vocab)
    weights = np.random.default_rng(3).normal(0, 0.1, size=(len(vocab), 16)).astype(np.float32)
    cfg = StaticConfig(dim=16, batch_size=8, epochs=2, time_budget_s=1e9)
    pairs = _pairs(40, seed=5)
    ours, steps, loss = fine_tune(tokenizer, weights, pairs, cfg, time.perf_counter())
    assert steps == 2 * len(list(_batches(pairs, 8))) and math.isfinite(loss)
    assert not np.allclose(ours, weights)  # it trained
    np.testing.assert_allclose(ours, _reference(tokenizer, weights, pairs, cfg), atol=1e-5)


def test_fine_tune_stops_at_the_time_budget() -> None:
    vocab = ["[UNK]", "[PAD]", *WORDS]
    cfg = StaticConfig(dim=8, batch_size=8, epochs=50, time_budget_s=0.0)
    weights = np.ones((len(vocab), 8), dtype=np.float32)
    out, steps, _ = fine_tune(make_tokenizer(vocab), weights, _pairs(40, seed=1), cfg, time.perf_counter())
    assert steps == 0 and np.array_equal(out, weights)
