"""Fusion settings measured without changing the knowledge base's configuration.

``fused_ids`` repeats ``KnowledgeBase.search`` step by step with the core's own
pieces (same candidates from each channel, ``vectorstore.hybrid.fuse``, the same
diversity and row fetch) and only swaps the settings given, so a difference in
the figures is theirs alone. With no overrides it returns exactly what
``kb.search`` returns (the smoke test checks this).
"""

from __future__ import annotations

from vectorstore.hybrid import Fused, FusionMethod, fuse, score_fusion
from vectorstore.kb import KnowledgeBase
from vectorstore.tokenize import query_index_terms

Method = FusionMethod
__all__ = ["Fused", "Method", "fused_ids", "score_fusion"]


def fused_ids(kb: KnowledgeBase, query: str, k: int = 10, method: Method | None = None, *,
              keyword_weight: float | None = None, vector_weight: float | None = None, rrf_k: int | None = None,
              candidates: int | None = None, max_per_doc: int | None = None) -> list[str]:
    """``kb.search``'s chunk ids with any fusion setting overridden for this call only."""
    cfg = kb.config
    n = candidates or cfg.candidates
    weights = kb.fusion_weights()
    weights = {"keyword": weights["keyword"] if keyword_weight is None else keyword_weight,
               "vector": weights["vector"] if vector_weight is None else vector_weight}
    keyword = kb.keyword.search(list(query_index_terms(query)), n, None)
    vector = kb.vectors.query(kb.embedder.embed_query(query), n, None) if query.strip() else []
    fused = fuse({"keyword": keyword, "vector": vector}, weights, method or cfg.fusion,
                 kb.rrf_k() if rrf_k is None else rrf_k)
    top, _ = kb._choose(fused, k, max_per_doc)
    return [c for c, _, _ in top]
