"""Passage-level retrieval on queries written the way bureau staff type them.

    python -m bench.staff_queries [--kb-dir DIR] [--json OUT] [--model M] [--variants]

``bench/staff_queries.jsonl`` holds short, colloquial queries (abbreviations, synonyms, never a copied
run of six characters from the passage they look for), each with the passages that answer it as
character spans of the stored document text: the document's path relative to the shared data folder,
``start``/``end`` and the first 12 hex digits of the SHA-1 of the span (the passage text itself is never
kept in the project). A span whose offsets no longer hold its hash (the cleaning changed) is looked for
at other offsets of the same document; one that cannot be found is reported and not scored.

Each query carries ``split``: ``tune`` (settings may be chosen on it) or ``held`` (only reported). A hit
counts as relevant when it overlaps a relevant span by at least half of the shorter of the two, so the
measure stays fair across chunk sizes. Reported per channel (keyword, vector, fused search) and for the
baselines of ``bench.baselines`` (plain jieba BM25 on the same chunks; Chatchat-style 250-character windows
with plain BM25): Recall@5 (a relevant passage in the top 5), MRR@10 and nDCG@10 (each relevant span counted
once), and R@5 / MRR@10 again under a stricter containment rule (``RULES``).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bench.baselines import PlainBM25, chatchat_index
from bench.corpus import ARTIFACTS, SHARED, Source, build_kb
from bench.metrics import mrr_at, ndcg_at, recall_at
from bench.table import format_table, write_json
from vectorstore.kb import KnowledgeBase

QUERIES = Path(__file__).with_name("staff_queries.jsonl")
K = 10
# Folders of the shared data searched, relative to it (each has a MANIFEST.tsv).
FOLDERS = ("corpus", "seeds", "archives/guangzhou")
Ranked = list[tuple[str, int, int]]  # (doc_id, start, end), best first
Ranker = Callable[[str], Ranked]
Rule = Callable[[tuple[str, int, int], "Resolved"], bool]


@dataclass(frozen=True)
class Span:
    doc: str  # path relative to the shared folder
    start: int
    end: int
    sha1: str


@dataclass(frozen=True)
class StaffQuery:
    qid: str
    query: str
    split: str
    relevant: tuple[Span, ...]


@dataclass(frozen=True)
class Resolved:
    """A span located in the knowledge base: its document id and offsets into the stored text."""

    doc_id: str
    start: int
    end: int


def load_queries(path: Path = QUERIES) -> list[StaffQuery]:
    out = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.strip():
            row = json.loads(line)
            spans = tuple(Span(r["doc"], int(r["start"]), int(r["end"]), r["sha1"]) for r in row["relevant"])
            out.append(StaffQuery(row["id"], row["query"], row["split"], spans))
    return out


def staff_sources(shared: Path = SHARED) -> list[Source]:
    return [Source(folder, shared / folder, shared / folder / "MANIFEST.tsv") for folder in FOLDERS
            if (shared / folder / "MANIFEST.tsv").is_file()]


def digest(text: str) -> str:
    return hashlib.sha1(text.encode("utf-8")).hexdigest()[:12]


def locate(text: str, span: Span) -> tuple[int, int] | None:
    """The span's offsets in ``text``: as stored when the hash still matches, else the nearest window
    of the same length that has the hash (cleaning moved it), else None."""
    if digest(text[span.start : span.end]) == span.sha1:
        return span.start, span.end
    length = span.end - span.start
    starts = sorted(range(0, max(0, len(text) - length) + 1), key=lambda s: abs(s - span.start))
    return next(((s, s + length) for s in starts if digest(text[s : s + length]) == span.sha1), None)


def resolve(kb: KnowledgeBase, queries: list[StaffQuery], doc_of_path: dict[str, str]
            ) -> tuple[dict[str, list[Resolved]], list[str]]:
    """Each query's relevant spans in the knowledge base, and the spans that could not be found."""
    found: dict[str, list[Resolved]] = {}
    missing: list[str] = []
    texts: dict[str, str] = {}
    for q in queries:
        for span in q.relevant:
            doc_id = doc_of_path.get(span.doc)
            if doc_id is not None and doc_id not in texts:
                doc = kb.get(doc_id)
                texts[doc_id] = doc.text if doc else ""
            where = locate(texts[doc_id], span) if doc_id is not None else None
            if doc_id is None or where is None:
                missing.append(f"{q.qid}: {span.doc} [{span.start}:{span.end}]")
                continue
            found.setdefault(q.qid, []).append(Resolved(doc_id, *where))
    return found, missing


def is_relevant(hit: tuple[str, int, int], span: Resolved) -> bool:
    doc, start, end = hit
    if doc != span.doc_id:
        return False
    overlap = min(end, span.end) - max(start, span.start)
    return overlap > 0 and overlap >= 0.5 * min(end - start, span.end - span.start)


def contains(hit: tuple[str, int, int], span: Resolved) -> bool:
    """Stricter: the hit holds 90% of the span, or (a span longer than the hit) lies wholly inside it.

    The overlap rule lets a short window that holds half of a passage count as finding it; large chunks
    rarely need that leniency, small windows often do. Under this rule a hit must show the reader (nearly)
    all of the passage, or be all passage.
    """
    doc, start, end = hit
    if doc != span.doc_id:
        return False
    overlap = min(end, span.end) - max(start, span.start)
    return overlap >= 0.9 * (span.end - span.start) or (start >= span.start and end <= span.end)


RULES: dict[str, Rule] = {"overlap": is_relevant, "contain": contains}


@dataclass
class QueryScore:
    rank: int | None  # first relevant hit, 1-based
    gains: list[float]


def score(ranked: Ranked, spans: list[Resolved], rule: Rule = is_relevant) -> QueryScore:
    covered: set[int] = set()
    gains, rank = [], None
    for i, hit in enumerate(ranked[:K], start=1):
        new = {n for n, span in enumerate(spans) if n not in covered and rule(hit, span)}
        if any(rule(hit, span) for span in spans) and rank is None:
            rank = i
        covered |= new
        gains.append(1.0 if new else 0.0)
    return QueryScore(rank, gains)


def summarize(scores: list[QueryScore], n_relevant: list[int]) -> dict[str, float]:
    ranks = [s.rank for s in scores]
    ndcg = [ndcg_at(s.gains, n, K) for s, n in zip(scores, n_relevant, strict=True)]
    return {"queries": len(scores), "recall@5": recall_at(ranks, 5), "mrr@10": mrr_at(ranks, 10),
            "ndcg@10": sum(ndcg) / len(ndcg) if ndcg else 0.0}


def offsets(kb: KnowledgeBase, chunk_ids: list[str]) -> Ranked:
    chunks = kb.chunks_by_id(chunk_ids)
    return [(chunks[c].doc_id, chunks[c].start, chunks[c].end) for c in chunk_ids if c in chunks]


DEFAULT = "fused (default search)"
PLAIN = "baseline: plain BM25 (jieba words), same chunks"
CHATCHAT = "baseline: Chatchat-style 250-char windows + plain BM25"
SHORT = {"default": DEFAULT, "keyword": "keyword", "vector": "vector", "plain": PLAIN, "chatchat": CHATCHAT}


def rankers(kb: KnowledgeBase) -> dict[str, Ranker]:
    """Every ranking scored: the knowledge base's channels and default search, and the baselines built on its
    stored chunks and document texts. Search reads its settings per call (``evaluate_config`` relies on it)."""
    texts = [(d.doc_id, doc.text) for d in kb.documents() if (doc := kb.get(d.doc_id)) is not None]
    chunks = [(c.chunk_id, c.text) for doc_id, _ in texts for c in kb.chunks(doc_id)]
    plain, chatchat = PlainBM25(chunks), chatchat_index(texts)
    return {
        "keyword": lambda q: offsets(kb, kb.keyword_search(q, k=K)),
        "vector": lambda q: offsets(kb, kb.vector_search(q, k=K)),
        DEFAULT: lambda q: offsets(kb, [h.chunk_id for h in kb.search(q, k=K)]),
        PLAIN: lambda q: offsets(kb, plain.search(q, K)),
        CHATCHAT: lambda q: chatchat.search(q, K),
    }


def evaluate(queries: list[StaffQuery], spans: dict[str, list[Resolved]], ranker: Ranker,
             split: str | None = None, rule: Rule = is_relevant) -> dict[str, float]:
    chosen = [q for q in queries if q.qid in spans and (split is None or q.split == split)]
    scores = [score(ranker(q.query), spans[q.qid], rule) for q in chosen]
    return summarize(scores, [len(spans[q.qid]) for q in chosen])


def evaluate_config(kb: KnowledgeBase, update: dict[str, Any], queries: list[StaffQuery],
                    spans: dict[str, list[Resolved]], ranker: Ranker, split: str | None = None) -> dict[str, float]:
    """``evaluate`` with KBConfig fields changed for the call (search reads them per call)."""
    saved = kb.config
    kb.config = saved.model_copy(update=update)
    try:
        return evaluate(queries, spans, ranker, split)
    finally:
        kb.config = saved


def failures(queries: list[StaffQuery], spans: dict[str, list[Resolved]], ranks: dict[str, Ranker],
             split: str = "tune") -> list[dict[str, Any]]:
    """Queries of ``split`` where a baseline ranks a relevant passage higher than the default search does:
    what to look at when the default loses (only the tuning half is listed, so nothing is chosen on the other)."""
    out = []
    for q in queries:
        if q.qid not in spans or q.split != split:
            continue
        got = {short: score(ranks[name](q.query), spans[q.qid]).rank for short, name in SHORT.items()}
        best = min((r for n, r in got.items() if n in ("plain", "chatchat") and r is not None), default=None)
        if best is not None and (got["default"] is None or got["default"] > best):
            out.append({"id": q.qid, "query": q.query, "ranks": got})
    return out


def build(work: Path, shared: Path, **config: Any) -> tuple[KnowledgeBase, dict[str, str], float]:
    built = build_kb(work, staff_sources(shared), **config)
    # source_of holds "folder:path relative to the folder"; the queries name paths relative to shared/.
    doc_of_path = {label.replace(":", "/", 1): doc_id for doc_id, label in built.source_of.items()}
    return built.kb, doc_of_path, built.seconds


def run(work: Path, shared: Path, models: list[str], variants: list[tuple[str, dict[str, Any]]],
        queries_file: Path = QUERIES) -> dict[str, Any]:
    t0 = time.perf_counter()
    queries = load_queries(queries_file)
    settings: list[tuple[str, dict[str, Any]]] = [("self-trained static model (default)", {})]
    settings += [(model, {"embedding_model": model}) for model in models]
    res: dict[str, Any] = {"queries": len(queries), "splits": {s: sum(q.split == s for q in queries)
                                                               for s in ("tune", "held")}, "embedders": {}}
    for n, (label, config) in enumerate(settings):
        kb, doc_of_path, seconds = build(work / f"kb{n}", shared, **config)
        spans, missing = resolve(kb, queries, doc_of_path)
        ranks = rankers(kb)
        table = {name: {split: evaluate(queries, spans, ranker, split) for split in ("held", "tune")}
                 for name, ranker in ranks.items()}
        strict = {name: {split: evaluate(queries, spans, ranker, split, contains) for split in ("held", "tune")}
                  for name, ranker in ranks.items()}
        entry: dict[str, Any] = {"ingest_seconds": round(seconds, 1), "missing_spans": missing,
                                 "embedder": kb.embedder.identity, "channels": table, "containment_rule": strict,
                                 "tune_failures": failures(queries, spans, ranks), **kb.stats()}
        if variants:
            entry["variants"] = {name: {split: evaluate_config(kb, update, queries, spans, ranks[DEFAULT], split)
                                        for split in ("tune", "held")} for name, update in variants}
        res["embedders"][label] = entry
    res["seconds"] = round(time.perf_counter() - t0, 1)
    return res


def print_report(res: dict[str, Any]) -> None:
    print(f"{res['queries']} staff queries ({res['splits']['tune']} tuning, {res['splits']['held']} held out)")
    for label, entry in res["embedders"].items():
        print(f"\n{label}: {entry['documents']} documents, {entry['chunks']} chunks, ingest {entry['ingest_seconds']} s")
        if entry["missing_spans"]:
            print(f"  spans not found (not scored): {entry['missing_spans']}")
        rows = [[name, m["held"]["recall@5"], m["held"]["mrr@10"], m["held"]["ndcg@10"],
                 m["tune"]["recall@5"], m["tune"]["mrr@10"]] for name, m in entry["channels"].items()]
        print(format_table(["channel", "R@5 held", "MRR@10 held", "nDCG@10 held", "R@5 tune", "MRR@10 tune"], rows))
        rows = [[name, m["held"]["recall@5"], m["held"]["mrr@10"], m["tune"]["recall@5"], m["tune"]["mrr@10"]]
                for name, m in entry["containment_rule"].items()]
        print("\ncontainment rule (a hit holds 90% of the passage, or lies inside it)")
        print(format_table(["channel", "R@5 held", "MRR@10 held", "R@5 tune", "MRR@10 tune"], rows))
        print(f"\ntuning queries where a baseline ranks better than the default search: {len(entry['tune_failures'])}")
        for f in entry["tune_failures"]:
            ranks = ", ".join(f"{name} {r}" for name, r in f["ranks"].items())
            print(f"  {f['id']} {f['query']}: {ranks}")
        if "variants" in entry:
            rows = [[name, m["tune"]["recall@5"], m["tune"]["mrr@10"], m["held"]["recall@5"], m["held"]["mrr@10"],
                     m["held"]["ndcg@10"]] for name, m in entry["variants"].items()]
            print("\nfused search under setting variants")
            print(format_table(["variant", "R@5 tune", "MRR@10 tune", "R@5 held", "MRR@10 held", "nDCG@10 held"], rows))


# Fused-search settings, each a KBConfig update (the default is the first row's empty update).
VARIANTS: list[tuple[str, dict[str, Any]]] = [
    ("default (KBConfig as shipped)", {}),
    ("previous default: rrf k 60, vector 1.0, cap from rank 1", {"rrf_k": 60, "vector_weight": 1.0, "diversity_after": 0}),
    ("rrf k 30, vector 0.2, cap from rank 1", {"diversity_after": 0}),
    ("rrf k 30, vector 0.2, no cap in the top 10", {"diversity_after": 10}),
    ("rrf k 60, vector 0.2", {"rrf_k": 60}),
    ("rrf k 10, vector 0.5", {"rrf_k": 10, "vector_weight": 0.5}),
    ("rrf k 30, vector 0.5", {"vector_weight": 0.5}),
    ("rrf k 30, vector 1.0", {"vector_weight": 1.0}),
    ("minmax, vector 0.5", {"fusion": "minmax", "vector_weight": 0.5}),
    ("max, vector 0.5", {"fusion": "max", "vector_weight": 0.5}),
]


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m bench.staff_queries", description=(__doc__ or "").split("\n\n")[0])
    ap.add_argument("--kb-dir", type=Path, help="keep the knowledge bases here (re-runs ingest incrementally)")
    ap.add_argument("--json", type=Path, default=ARTIFACTS / "staff_queries.json", help="where to write the figures")
    ap.add_argument("--shared", type=Path, default=SHARED, help="the shared data folder (corpus/, seeds/, archives/)")
    ap.add_argument("--model", action="append", default=[],
                    help="also score a sentence-transformers model (name or local folder); repeatable")
    ap.add_argument("--variants", action="store_true", help="also score fused search under setting variants")
    args = ap.parse_args(argv)
    if not staff_sources(args.shared):
        print(f"skipped: no shared data under {args.shared} (corpus/, seeds/, archives/guangzhou/)")
        return 0
    with tempfile.TemporaryDirectory(prefix="bench-staff-") as tmp:
        res = run(args.kb_dir or Path(tmp), args.shared, args.model, VARIANTS if args.variants else [])
    print_report(res)
    write_json(args.json, res)
    print(f"\nfigures written to {args.json} ({res['seconds']} s)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
