"""Scoring search channels on mined pairs, in-sample and with the evaluated documents' labels held out."""

from __future__ import annotations

import hashlib
import math
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bench.corpus import Source, build_kb
from bench.fusion import fused_ids
from bench.metrics import first_relevant_rank, mrr_at, recall_at
from bench.mining import KINDS, DocView, Pair
from vectorstore.embed import StaticModelEmbedder
from vectorstore.kb import KnowledgeBase
from vectorstore.static_model import StaticConfig, TrainingText, train_static_model

K = 10
Ranks = list[int | None]
Channel = Callable[[KnowledgeBase, str], list[str]]

CHANNELS: dict[str, Channel] = {
    "keyword": lambda kb, q: kb.keyword_search(q, k=K),
    "vector": lambda kb, q: kb.vector_search(q, k=K),
    "hybrid": lambda kb, q: [h.chunk_id for h in kb.search(q, k=K)],
}


@dataclass
class Setting:
    """Which knowledge base scores which pairs: one KB for all, or one per held-out fold."""

    name: str
    parts: list[tuple[KnowledgeBase, list[int]]]


@dataclass
class Scored:
    ranks: Ranks  # rank of the first relevant chunk
    doc_ranks: Ranks  # rank of the first chunk from a relevant document


def doc_of_chunk(chunk_id: str) -> str:
    return chunk_id.rsplit(":", 1)[0]


def evaluate(setting: Setting, pairs: list[Pair], channel: Channel) -> Scored:
    ranks: Ranks = [None] * len(pairs)
    doc_ranks: Ranks = [None] * len(pairs)
    for kb, idx in setting.parts:
        for i in idx:
            got = channel(kb, pairs[i].query)
            ranks[i] = first_relevant_rank(got, pairs[i].relevant)
            doc_ranks[i] = first_relevant_rank([doc_of_chunk(c) for c in got], pairs[i].doc_ids)
    return Scored(ranks, doc_ranks)


def summary(s: Scored) -> dict[str, float]:
    n = len(s.ranks)
    r5 = recall_at(s.ranks, 5)
    return {"pairs": n, "recall@5": r5, "ci95": 1.96 * math.sqrt(r5 * (1 - r5) / n) if n else 0.0,
            "mrr@10": mrr_at(s.ranks, 10), "doc_recall@5": recall_at(s.doc_ranks, 5)}


def by_kind(pairs: list[Pair], s: Scored) -> dict[str, dict[str, float]]:
    out = {}
    for kind in KINDS:
        idx = [i for i, p in enumerate(pairs) if p.kind == kind]
        if idx:
            out[kind] = summary(Scored([s.ranks[i] for i in idx], [s.doc_ranks[i] for i in idx]))
    return out


def fold_of(doc_id: str) -> int:
    return hashlib.sha1(doc_id.encode()).digest()[0] % 2


def split_of(pair: Pair) -> str:
    """``tune`` or ``test``: the pairs have no split of their own, so settings are chosen on the half whose
    first document hashes to ``tune`` and reported on the other (hashed apart from ``fold_of``, so both
    halves mix the embedder's held-out folds)."""
    return "tune" if hashlib.sha1(f"split:{pair.doc_ids[0]}".encode()).digest()[0] % 2 == 0 else "test"


def split_summary(pairs: list[Pair], s: Scored) -> dict[str, dict[str, float]]:
    """``summary`` of each half of the pairs (see ``split_of``), and of the pairs that are not proposal titles
    (``no_titles``): the keyword index holds each document's title, and a reply's title names the proposal
    it answers, so those pairs measure title lookup rather than finding a passage."""
    groups = {half: [i for i, p in enumerate(pairs) if split_of(p) == half] for half in ("tune", "test")}
    groups["no_titles"] = [i for i, p in enumerate(pairs) if p.kind != "proposal_title"]
    return {name: summary(Scored([s.ranks[i] for i in idx], [s.doc_ranks[i] for i in idx]))
            for name, idx in groups.items()}


def training_items(docs: list[DocView], labelled: set[str]) -> list[TrainingText]:
    """What EmbeddingService.train feeds the trainer, with headings, titles and suggestions kept
    only for documents in ``labelled`` (the others still give sentence pairs and co-occurrence)."""
    items = []
    for view in docs:
        own = view.doc.doc_id in labelled
        for c in view.chunks:
            path = c.section_path if own else []
            suggestion = ""
            if path and "“" in path[0] and "建议" in path[0]:
                suggestion = path[0].split("“", 1)[1].split("”", 1)[0]
            items.append(TrainingText(text=c.text, section_path=path, title=view.doc.meta.title if own else "",
                                      sentences=[s.text for s in c.sentences], suggestion=suggestion))
    return items


def held_out_setting(work: Path, docs: list[DocView], pairs: list[Pair], srcs: list[Source],
                     cfg: StaticConfig) -> tuple[Setting, list[dict[str, float]]]:
    """2-fold: each pair is scored by a model trained without its own documents' structure labels.

    The shipped model learns heading → paragraph, title → chunk and suggestion →
    reply item from every document, which are exactly the pairs scored here, so
    its in-sample figures measure memory. A new proposal is never in the
    knowledge base: the held-out figures are the ones that carry over.
    """
    all_docs = {v.doc.doc_id for v in docs}
    parts, figures = [], []
    for fold in (0, 1):
        idx = [i for i, p in enumerate(pairs) if fold_of(p.doc_ids[0]) == fold]
        held = {d for i in idx for d in pairs[i].doc_ids}
        out = work / f"model_fold{fold}"
        figures.append(train_static_model(training_items(docs, all_docs - held), out, cfg))
        built = build_kb(work / f"kb_fold{fold}", srcs, embedder=StaticModelEmbedder(out))
        parts.append((built.kb, idx))
    return Setting("held-out", parts), figures


def with_config(setting: Setting, update: dict[str, Any], channel: Channel, pairs: list[Pair]) -> Scored:
    """Score ``channel`` with KBConfig fields changed (search reads them per call)."""
    saved = [kb.config for kb, _ in setting.parts]
    try:
        for kb, _ in setting.parts:
            kb.config = kb.config.model_copy(update=update)
        return evaluate(setting, pairs, channel)
    finally:
        for (kb, _), cfg in zip(setting.parts, saved, strict=True):
            kb.config = cfg


def failures(setting: Setting, source_of: dict[str, str], pairs: list[Pair], s: Scored) -> list[dict[str, Any]]:
    """For each hybrid miss: where its relevant chunks sat in each channel, and what pushed them out."""
    out = []
    for kb, idx in setting.parts:
        n = kb.config.candidates
        for i in idx:
            p, r = pairs[i], s.ranks[i]
            if r is not None and r <= 5:
                continue
            kw = first_relevant_rank(kb.keyword_search(p.query, k=n), p.relevant)
            vec = first_relevant_rank(kb.vector_search(p.query, k=n), p.relevant)
            plain = first_relevant_rank(fused_ids(kb, p.query, k=K, max_per_doc=K), p.relevant)
            best = min((x for x in (kw, vec) if x is not None), default=None)
            if best is None:
                cause = f"in neither channel's {n} candidates"
            elif plain is not None and plain <= 5:
                cause = "diversity: in the fused top 5 until max_per_doc cut it"
            elif best <= 5:
                cause = "fusion: top 5 in one channel, buried by the other"
            else:
                cause = "both channels rank it below 5"
            hits = kb.search(p.query, k=5)
            out.append({
                "query": p.query, "kind": p.kind, "docs": [source_of.get(d, d) for d in p.doc_ids],
                "hybrid_rank": r, "keyword_rank": kw, "vector_rank": vec, "fused_rank_without_diversity": plain,
                "cause": cause, "top5_docs": [source_of.get(h.doc_id, h.doc_id) for h in hits],
                "top5_from_relevant_doc": sum(1 for h in hits if h.doc_id in p.doc_ids),
            })
    return out
