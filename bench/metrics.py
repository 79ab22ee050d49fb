"""Ranking metrics over (ranked ids, relevant ids); pure functions so the smoke test can pin their values."""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence


def first_relevant_rank(ranked: Sequence[str], relevant: Iterable[str]) -> int | None:
    """1-based rank of the first relevant id, or None when none is ranked."""
    rel = set(relevant)
    for i, item in enumerate(ranked, start=1):
        if item in rel:
            return i
    return None


def hit_at(rank: int | None, k: int) -> float:
    return 1.0 if rank is not None and rank <= k else 0.0


def reciprocal_rank(rank: int | None, k: int) -> float:
    return 1.0 / rank if rank is not None and rank <= k else 0.0


def recall_at(ranks: Sequence[int | None], k: int) -> float:
    """Share of queries with at least one relevant item in the top ``k``."""
    return sum(hit_at(r, k) for r in ranks) / len(ranks) if ranks else 0.0


def mrr_at(ranks: Sequence[int | None], k: int) -> float:
    return sum(reciprocal_rank(r, k) for r in ranks) / len(ranks) if ranks else 0.0


def percentile(values: Sequence[float], q: float) -> float:
    """Nearest-rank percentile (q in 0..100); exact for the small samples the benchmarks take."""
    if not values:
        return float("nan")
    ordered = sorted(values)
    idx = min(len(ordered) - 1, max(0, math.ceil(q / 100 * len(ordered)) - 1))
    return ordered[idx]


def ndcg_at(gains: Sequence[float], n_relevant: int, k: int) -> float:
    """nDCG@k of one ranking: ``gains[i]`` is the gain of rank i+1 (1 for a newly covered relevant
    passage, 0 otherwise); the ideal ranking puts ``n_relevant`` ones first."""
    dcg = sum(g / math.log2(i + 2) for i, g in enumerate(gains[:k]))
    ideal = sum(1.0 / math.log2(i + 2) for i in range(min(n_relevant, k)))
    return dcg / ideal if ideal > 0 else 0.0
