"""Retrieval quality of each search channel on pairs mined from the documents' own structure.

    python -m bench.retrieval [--kb-dir DIR] [--json OUT]

Builds one knowledge base per embedder setting (self-trained static model,
hashing fake) from the real corpus, the seeds and the sample knowledge base,
mines query → relevant-chunk pairs (bench.mining), and scores keyword-only,
vector-only and hybrid search by Recall@5 and MRR@10, in-sample and with the
evaluated documents' structure labels held out of the static model's training,
against the plain jieba BM25 baseline of ``bench.baselines`` on the same chunks.
Each figure is also given for two halves of the pairs (``split_of``): settings
are chosen on ``tune`` only.
"""

from __future__ import annotations

import argparse
import tempfile
import time
from collections import Counter
from pathlib import Path
from typing import Any

from bench.baselines import PlainBM25
from bench.corpus import ARTIFACTS, SHARED, build_kb, sources
from bench.evaluation import (
    CHANNELS,
    Scored,
    Setting,
    by_kind,
    evaluate,
    failures,
    held_out_setting,
    split_summary,
    summary,
    with_config,
)
from bench.mining import KINDS, Pair, docs_of, mine
from bench.table import format_table, write_json
from vectorstore.static_model import StaticConfig

HYBRID_IN, VECTOR_IN = "hybrid: keyword + static, in-sample", "vector: static, in-sample"
HYBRID_OUT, VECTOR_OUT = "hybrid: keyword + static, held-out", "vector: static, held-out"
KEYWORD = "keyword (BM25)"
PLAIN = "baseline: plain BM25 (jieba words), same chunks"
# Hybrid-search settings, each a KBConfig update applied to kb.search (fusion is a KBConfig field).
VARIANTS: list[tuple[str, dict[str, Any]]] = [
    ("default (KBConfig as shipped)", {}),
    ("rrf: k 60, weights 1/1 (the pretrained-model fusion)", {"fusion": "rrf", "rrf_k": 60, "vector_weight": 1.0}),
    ("rrf: max_per_doc 1", {"fusion": "rrf", "max_per_doc": 1}),
    ("rrf: max_per_doc 3", {"fusion": "rrf", "max_per_doc": 3}),
    ("rrf: max_per_doc 10 (no diversity)", {"fusion": "rrf", "max_per_doc": 10}),
    ("rrf: candidates 20", {"fusion": "rrf", "candidates": 20}),
    ("rrf: candidates 100", {"fusion": "rrf", "candidates": 100}),
    ("rrf: k 10", {"fusion": "rrf", "rrf_k": 10}),
    ("rrf: k 30", {"fusion": "rrf", "rrf_k": 30}),
    ("rrf: k 120", {"fusion": "rrf", "rrf_k": 120}),
    ("rrf: keyword_weight 1.5", {"fusion": "rrf", "keyword_weight": 1.5}),
    ("rrf: vector_weight 1.5", {"fusion": "rrf", "vector_weight": 1.5}),
    ("rrf: vector_weight 2", {"fusion": "rrf", "vector_weight": 2.0}),
    ("rrf: k 10 + vector_weight 2", {"fusion": "rrf", "rrf_k": 10, "vector_weight": 2.0}),
    ("rrf: k 10 + keyword_weight 1.5", {"fusion": "rrf", "rrf_k": 10, "keyword_weight": 1.5}),
    ("max: each channel / its top score", {"fusion": "max"}),
    ("minmax: weights 1/1", {"fusion": "minmax"}),
    ("minmax: keyword_weight 0.5", {"fusion": "minmax", "keyword_weight": 0.5}),
    ("minmax: keyword_weight 1.5", {"fusion": "minmax", "keyword_weight": 1.5}),
    ("minmax: vector_weight 1.5", {"fusion": "minmax", "vector_weight": 1.5}),
    ("minmax: max_per_doc 3", {"fusion": "minmax", "max_per_doc": 3}),
    ("minmax: candidates 20", {"fusion": "minmax", "candidates": 20}),
]


# StaticConfig knobs (not reachable through KBConfig), scored held-out: --train-variants.
TRAIN_VARIANTS: list[tuple[str, dict[str, Any]]] = [
    ("shipped: dim 256, 4 epochs, lr 0.02", {}),
    ("no fine-tuning (PPMI-SVD init only)", {"epochs": 0}),
    ("12 epochs", {"epochs": 12}),
    ("lr 0.005", {"lr": 0.005}),
    ("dim 128", {"dim": 128}),
]


def run_variant(setting: Setting, pairs: list[Pair], update: dict[str, Any]) -> Scored:
    return with_config(setting, update, CHANNELS["hybrid"], pairs)


def run(work: Path, shared: Path, budget: float, held_out: bool, variants: bool, models: list[str],
        train_variants: bool = False) -> dict[str, Any]:
    t0 = time.perf_counter()
    srcs = sources(shared)
    static = build_kb(work / "static", srcs, static_time_budget_s=budget)
    hashing = build_kb(work / "hashing", srcs, embedding_model="hashing")
    docs = docs_of(static.kb)
    mined = mine(docs)
    pairs = mined.pairs
    missing = {c for p in pairs for c in p.relevant} - hashing.kb.chunk_ids()
    assert not missing, "both knowledge bases must chunk identically"
    everything = list(range(len(pairs)))
    settings = {"in-sample": Setting("in-sample", [(static.kb, everything)])}
    hashed = Setting("hashing", [(hashing.kb, everything)])
    plain = PlainBM25((c.chunk_id, c.text) for view in docs for c in view.chunks)
    scored: dict[str, Scored] = {
        PLAIN: evaluate(settings["in-sample"], pairs, lambda _kb, q: plain.search(q, 10)),
        KEYWORD: evaluate(settings["in-sample"], pairs, CHANNELS["keyword"]),
        "vector: hashing": evaluate(hashed, pairs, CHANNELS["vector"]),
        "hybrid: keyword + hashing": evaluate(hashed, pairs, CHANNELS["hybrid"]),
        VECTOR_IN: evaluate(settings["in-sample"], pairs, CHANNELS["vector"]),
        HYBRID_IN: evaluate(settings["in-sample"], pairs, CHANNELS["hybrid"]),
    }
    held_figures: list[dict[str, float]] = []
    if held_out:
        settings["held-out"], held_figures = held_out_setting(
            work / "held_out", docs, pairs, srcs, StaticConfig(time_budget_s=budget))
        scored[VECTOR_OUT] = evaluate(settings["held-out"], pairs, CHANNELS["vector"])
        scored[HYBRID_OUT] = evaluate(settings["held-out"], pairs, CHANNELS["hybrid"])
    for n, model in enumerate(models):
        other = Setting(model, [(build_kb(work / f"model{n}", srcs, embedding_model=model).kb, everything)])
        scored[f"vector: {model}"] = evaluate(other, pairs, CHANNELS["vector"])
        scored[f"hybrid: keyword + {model}"] = evaluate(other, pairs, CHANNELS["hybrid"])
    res: dict[str, Any] = {
        "kb": {**static.kb.stats(), "ingest_seconds": round(static.seconds, 1), "trained": static.trained,
               "held_out_training": held_figures},
        "pairs": len(pairs), "pairs_by_kind": mined.by_kind(), "dropped": dict(mined.dropped),
        "pairs_by_source": dict(Counter(static.source_of.get(d, d) for p in pairs for d in p.doc_ids).most_common()),
        "channels": {name: {**summary(s), "halves": split_summary(pairs, s), "by_kind": by_kind(pairs, s)}
                     for name, s in scored.items()},
        "targets": {},
        "failures": {name: failures(st, static.source_of, pairs, scored[HYBRID_IN if name == "in-sample" else HYBRID_OUT])
                     for name, st in settings.items()},
    }
    for name, hyb, vec in (("in-sample", HYBRID_IN, VECTOR_IN), ("held-out", HYBRID_OUT, VECTOR_OUT)):
        if hyb in res["channels"]:
            res["targets"][name] = _target(res["channels"], hyb, vec)
    if variants:
        res["variants"] = []
        for name, update in VARIANTS:
            row: dict[str, Any] = {"variant": name}
            for s, st in settings.items():
                halves = split_summary(pairs, run_variant(st, pairs, update))
                row |= {f"{s} {h}: {m}": halves[h][m] for h in ("tune", "test") for m in ("recall@5", "mrr@10")}
            res["variants"].append(row)
    if train_variants:
        res["train_variants"] = []
        for n, (name, knobs) in enumerate(TRAIN_VARIANTS):
            st, figs = held_out_setting(work / f"train_variant{n}", docs, pairs, srcs,
                                        StaticConfig(time_budget_s=budget, **knobs))
            row = {"variant": name, "steps": [f["steps"] for f in figs]}
            for ch in ("vector", "hybrid"):
                m = summary(evaluate(st, pairs, CHANNELS[ch]))
                row |= {f"held-out {ch}: recall@5": m["recall@5"], f"held-out {ch}: mrr@10": m["mrr@10"]}
            res["train_variants"].append(row)
    res["seconds"] = round(time.perf_counter() - t0, 1)
    return res


def _target(channels: dict[str, Any], hyb: str, vec: str) -> dict[str, Any]:
    h, k, v = channels[hyb], channels[KEYWORD], channels[vec]
    better = all(h[m] > max(k[m], v[m]) for m in ("recall@5", "mrr@10"))
    return {"hybrid_recall@5": h["recall@5"], "recall_ok": h["recall@5"] >= 0.9, "better_than_each_channel": better,
            "met": h["recall@5"] >= 0.9 and better}


def print_report(res: dict[str, Any]) -> None:
    kb = res["kb"]
    print(f"knowledge base: {kb['documents']} documents, {kb['chunks']} chunks; static model {kb['trained']}")
    print(f"mined {res['pairs']} pairs {res['pairs_by_kind']}; dropped {res['dropped']}\n")
    rows = [[name, m["pairs"], f"{m['recall@5']:.3f} ±{m['ci95']:.2f}", m["mrr@10"], m["doc_recall@5"],
             m["halves"]["tune"]["recall@5"], m["halves"]["tune"]["mrr@10"],
             m["halves"]["test"]["recall@5"], m["halves"]["test"]["mrr@10"],
             m["halves"]["no_titles"]["recall@5"], m["halves"]["no_titles"]["mrr@10"]]
            for name, m in res["channels"].items()]
    halves = next(iter(res["channels"].values()))["halves"]
    print(format_table(["channel", "pairs", "Recall@5 (95% CI)", "MRR@10", "doc Recall@5",
                        f"R@5 tune ({halves['tune']['pairs']})", "MRR tune",
                        f"R@5 test ({halves['test']['pairs']})", "MRR test",
                        f"R@5 no titles ({halves['no_titles']['pairs']})", "MRR no titles"], rows))
    print("\nRecall@5 by pair kind")
    kinds = [k for k in KINDS if k in res["pairs_by_kind"]]
    rows = [[name] + [m["by_kind"].get(k, {}).get("recall@5", "-") for k in kinds] for name, m in res["channels"].items()]
    print(format_table(["channel", *(f"{k} ({res['pairs_by_kind'][k]})" for k in kinds)], rows))
    _print_sources(res["pairs_by_source"])
    for name, t in res["targets"].items():
        print(f"target ({name}): hybrid Recall@5 {t['hybrid_recall@5']:.3f} >= 0.9: {t['recall_ok']}; "
              f"better than either channel alone: {t['better_than_each_channel']} -> {'MET' if t['met'] else 'NOT MET'}")
    for name, fails in res["failures"].items():
        print(f"\nhybrid misses, {name} (no relevant chunk in the top 5): {len(fails)}; "
              f"causes {dict(Counter(f['cause'] for f in fails))}")
        if name != "in-sample":
            continue
        for f in fails:
            print(f"  [{f['kind']}] {f['query'][:36]}  ({', '.join(d.split('/')[-1] for d in f['docs'])[:50]})")
            print(f"      ranks: hybrid {f['hybrid_rank']}, keyword {f['keyword_rank']}, vector {f['vector_rank']}, "
                  f"fused without diversity {f['fused_rank_without_diversity']}; {f['cause']}; "
                  f"top 5 holds {f['top5_from_relevant_doc']} chunk(s) of the relevant document")
    if "variants" in res:
        print("\nhybrid (keyword + static) under setting variants")
        cols = [c for c in res["variants"][0] if c != "variant"]
        print(format_table(["variant", *cols], [[v["variant"], *(v[c] for c in cols)] for v in res["variants"]]))
    if "train_variants" in res:
        print("\nstatic model training variants, held-out (2 folds)")
        cols = [c for c in res["train_variants"][0] if c != "variant"]
        print(format_table(["variant", *cols], [[v["variant"], *(v[c] for c in cols)] for v in res["train_variants"]]))


def _print_sources(by_doc: dict[str, int]) -> None:
    per_source: Counter[str] = Counter()
    for doc, n in by_doc.items():
        per_source[doc.split(":", 1)[0]] += n
    print(f"\npairs by source ({', '.join(f'{k}: {v}' for k, v in per_source.items())}; a merged query counts once per document)")
    print(format_table(["document", "pairs"], list(by_doc.items())))
    print()


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m bench.retrieval", description=(__doc__ or "").split("\n\n")[0])
    ap.add_argument("--kb-dir", type=Path, help="keep the knowledge bases here (re-runs ingest incrementally)")
    ap.add_argument("--json", type=Path, default=ARTIFACTS / "retrieval.json", help="where to write the figures")
    ap.add_argument("--shared", type=Path, default=SHARED, help="folder holding corpus/ and seeds/")
    ap.add_argument("--time-budget", type=float, default=60.0, help="static_time_budget_s for training")
    ap.add_argument("--model", action="append", default=[],
                    help="also score a sentence-transformers model (name or local folder); repeatable")
    ap.add_argument("--no-held-out", action="store_true", help="skip the 2-fold held-out-labels check (2 trainings)")
    ap.add_argument("--no-variants", action="store_true", help="skip the hybrid setting variants")
    ap.add_argument("--train-variants", action="store_true",
                    help="also score static-model training variants held-out (2 trainings each)")
    args = ap.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="bench-retrieval-") as tmp:
        work = args.kb_dir or Path(tmp)
        res = run(work, args.shared, args.time_budget, not args.no_held_out, not args.no_variants, args.model,
                  args.train_variants)
    print_report(res)
    write_json(args.json, res)
    print(f"\nfigures written to {args.json} ({res['seconds']} s)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
