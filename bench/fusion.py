"""Fusion alternatives measured against the core's RRF without editing the core.

``fused_ids`` repeats ``KnowledgeBase.search`` step by step (same candidates
from each channel, same per-document diversity) and only swaps the scoring, so
a difference in the figures is the fusion's alone. With ``method="rrf"`` and
the KB's own settings it returns exactly what ``kb.search`` returns (the smoke
test checks this).
"""

from __future__ import annotations

from collections import defaultdict
from typing import Literal

from vectorstore.hybrid import diversify, rrf
from vectorstore.kb import KnowledgeBase
from vectorstore.tokenize import query_terms

Method = Literal["rrf", "max", "minmax"]
Fused = list[tuple[str, float, dict[str, int]]]


def score_fusion(channels: dict[str, list[tuple[str, float]]], weights: dict[str, float], norm: Method) -> Fused:
    """Weighted sum of per-channel scores scaled to [0, 1] within each candidate list.

    ``max`` divides by the channel's best score, so a channel whose best match
    is weak stays weak; ``minmax`` stretches every list to span 0..1.
    """
    scores: dict[str, float] = defaultdict(float)
    ranks: dict[str, dict[str, int]] = defaultdict(dict)
    for name, hits in channels.items():
        if not hits:
            continue
        values = [s for _, s in hits]
        hi, lo = max(values), min(values)
        for rank, (item, s) in enumerate(hits, start=1):
            if norm == "max":
                scaled = s / hi if hi > 0 else 0.0
            else:
                scaled = (s - lo) / (hi - lo) if hi > lo else 1.0
            scores[item] += weights.get(name, 1.0) * scaled
            ranks[item].setdefault(name, rank)
    order = sorted(scores, key=lambda x: (-scores[x], x))
    return [(item, scores[item], ranks[item]) for item in order]


def fused_ids(kb: KnowledgeBase, query: str, k: int = 10, method: Method = "rrf", *,
              keyword_weight: float | None = None, vector_weight: float | None = None, rrf_k: int | None = None,
              candidates: int | None = None, max_per_doc: int | None = None) -> list[str]:
    cfg = kb.config
    n = candidates or cfg.candidates
    weights = {"keyword": cfg.keyword_weight if keyword_weight is None else keyword_weight,
               "vector": cfg.vector_weight if vector_weight is None else vector_weight}
    keyword = kb.keyword.search(list(query_terms(query)), n, None)
    vector = kb.vectors.query(kb.embedder.embed_query(query), n, None) if query.strip() else []
    if method == "rrf":
        fused = rrf({"keyword": [c for c, _ in keyword], "vector": [c for c, _ in vector]}, weights,
                    cfg.rrf_k if rrf_k is None else rrf_k)
    else:
        fused = score_fusion({"keyword": keyword, "vector": vector}, weights, method)
    chunks = kb.store.chunks_by_id([c for c, _, _ in fused[: n * 2]])
    doc_of = {cid: ch.doc_id for cid, ch in chunks.items()}
    fused = [f for f in fused if f[0] in chunks]
    top = diversify(fused, doc_of, k, cfg.max_per_doc if max_per_doc is None else max_per_doc)
    return [c for c, _, _ in top]
