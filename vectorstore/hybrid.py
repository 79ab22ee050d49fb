"""Fusion of ranked lists and per-document diversity: pure functions, easy to test."""

from __future__ import annotations

from collections import defaultdict


def rrf(channels: dict[str, list[str]], weights: dict[str, float], k0: int = 60) -> list[tuple[str, float, dict[str, int]]]:
    """Reciprocal-rank fusion: score = Σ weight / (k0 + rank). Returns (id, score, ranks) best first."""
    scores: dict[str, float] = defaultdict(float)
    ranks: dict[str, dict[str, int]] = defaultdict(dict)
    for name, ids in channels.items():
        w = weights.get(name, 1.0)
        for rank, item in enumerate(ids, start=1):
            if name in ranks[item]:
                continue
            scores[item] += w / (k0 + rank)
            ranks[item][name] = rank
    order = sorted(scores, key=lambda x: (-scores[x], x))
    return [(item, scores[item], ranks[item]) for item in order]


def diversify(ranked: list[tuple[str, float, dict[str, int]]], doc_of: dict[str, str], k: int, max_per_doc: int):  # type: ignore[no-untyped-def]
    """Take the best ``k``, at most ``max_per_doc`` from one document unless nothing else is left."""
    chosen, spill = [], []
    per_doc: dict[str, int] = defaultdict(int)
    for entry in ranked:
        doc = doc_of.get(entry[0], "")
        if per_doc[doc] < max_per_doc:
            per_doc[doc] += 1
            chosen.append(entry)
        else:
            spill.append(entry)
        if len(chosen) == k:
            return chosen
    return chosen + spill[: k - len(chosen)]
