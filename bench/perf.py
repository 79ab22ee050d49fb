"""Ingest throughput, search latency, memory and disk at scale, on a synthetic corpus.

    python -m bench.perf [--sizes 10000,100000] [--json OUT] [--profile]

For each size: generate a corpus (bench.synthetic) in a temporary folder,
ingest it with the default embedder (static model trained at ingest) in one
process, then search it warm in a fresh process, so each peak RSS belongs to
one job: ingest (which loads torch to train) or serving searches (which does
not). Targets: ingest >= 1,000 chunks/s; hybrid search p95 <= 10 ms at 100k chunks.
"""

from __future__ import annotations

import argparse
import cProfile
import io
import json
import os
import pstats
import resource
import subprocess
import sys
import tempfile
import time
from collections import Counter, defaultdict
from collections.abc import Callable
from pathlib import Path
from typing import Any

from bench.corpus import ARTIFACTS, ROOT, dir_size, sources
from bench.metrics import percentile
from bench.synthetic import generate, load_pools, queries
from bench.table import format_table, write_json

WARMUP = 20
INGEST_TARGET = 1000.0
P95_TARGET_MS = 10.0


class Timers:
    """Wall and process CPU time per bucket, recorded by wrapping functions in place (the core stays unedited).

    CPU is this process's (all its threads): on a shared machine wall time grows with the load, CPU much less.
    Reading it costs ~60 µs with Chroma's and torch's threads alive, so searches (a few ms each) are timed
    without it (``cpu`` False) and report their CPU as a whole.
    """

    def __init__(self, cpu: bool = True) -> None:
        self.with_cpu = cpu
        self.total: dict[str, float] = defaultdict(float)
        self.cpu: dict[str, float] = defaultdict(float)
        self.calls: Counter[str] = Counter()
        self.first: dict[str, float] = {}
        self.last: dict[str, float] = {}

    def wrap(self, owner: Any, name: str, bucket: str) -> None:
        fn: Callable[..., Any] = getattr(owner, name)

        clock = time.process_time if self.with_cpu else (lambda: 0.0)

        def timed(*args: Any, **kwargs: Any) -> Any:
            t, c = time.perf_counter(), clock()
            self.first.setdefault(bucket, t)
            try:
                return fn(*args, **kwargs)
            finally:
                end = time.perf_counter()
                self.total[bucket] += end - t
                self.cpu[bucket] += clock() - c
                self.calls[bucket] += 1
                self.last[bucket] = end

        setattr(owner, name, timed)


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # Linux reports KiB


def cpu_s() -> float:
    """CPU seconds of this process: far below wall time on a single-threaded step means the machine was busy."""
    r = resource.getrusage(resource.RUSAGE_SELF)
    return r.ru_utime + r.ru_stime


def children_cpu_s() -> float:
    """CPU seconds of ended child processes (ingest workers, once their pool has closed)."""
    r = resource.getrusage(resource.RUSAGE_CHILDREN)
    return r.ru_utime + r.ru_stime


def _profiled(enabled: bool, fn: Callable[[], Any]) -> tuple[Any, str]:
    if not enabled:
        return fn(), ""
    prof = cProfile.Profile()
    result = prof.runcall(fn)
    out = io.StringIO()
    stats = pstats.Stats(prof, stream=out)
    stats.sort_stats("cumulative").print_stats(30)
    stats.sort_stats("tottime").print_stats(20)
    return result, out.getvalue()


def stage_ingest(corpus: Path, kb_dir: Path, budget: float, profile: bool) -> dict[str, Any]:
    import vectorstore.kb as kbmod
    from assistant.settings import make_kb_config
    from vectorstore.docstore import DocStore
    from vectorstore.embed import StaticModelEmbedder
    from vectorstore.vector_index import ChromaIndex

    kb = kbmod.KnowledgeBase(make_kb_config(kb_dir, static_time_budget_s=budget))
    t = Timers()
    for name, bucket in (("read_file", "read"), ("normalize_text", "normalize"), ("infer_meta", "metadata"),
                         ("chunk_document", "chunk"), ("index_terms", "tokenize (jieba terms)")):
        t.wrap(kbmod, name, bucket)
    t.wrap(DocStore, "put", "sqlite put")
    t.wrap(StaticModelEmbedder, "embed_documents", "embed")
    t.wrap(ChromaIndex, "add", "chroma add")
    t.wrap(kb.embeddings, "train", "phase: train")
    t.wrap(kb, "_sync", "phase: embed+add")
    t.wrap(kb.keyword, "refresh", "phase: bm25")
    load = os.getloadavg()[0]
    start, cpu0, child0 = time.perf_counter(), cpu_s(), children_cpu_s()
    report, prof = _profiled(profile, lambda: kb.ingest([corpus], manifest=corpus / "MANIFEST.tsv"))
    total = time.perf_counter() - start
    load_after = os.getloadavg()[0]
    chunks = kb.counts().chunks
    after_read = t.first.get("phase: train", t.first.get("phase: embed+add", start + total))
    phases = {"read+chunk+store": after_read - start, "train": t.total["phase: train"],
              "embed+chroma add": t.total["phase: embed+add"], "bm25 build": t.total["phase: bm25"]}
    phases_cpu = {"train": t.cpu["phase: train"], "embed+chroma add": t.cpu["phase: embed+add"],
                  "bm25 build": t.cpu["phase: bm25"]}
    return {
        "documents": report.count("added"), "failed": len(report.failed), "chunks": chunks, "seconds": total,
        "chunks_per_s": chunks / total, "phases_s": phases,
        "phases_chunks_per_s": {k: chunks / v for k, v in phases.items() if v > 0},
        "breakdown_s": {k: v for k, v in t.total.items() if not k.startswith("phase")},
        "phases_cpu_s": phases_cpu, "breakdown_cpu_s": {k: v for k, v in t.cpu.items() if not k.startswith("phase")},
        "trained": report.trained, "embedder": kb.embedder.identity, "peak_rss_mb": peak_rss_mb(), "profile": prof,
        "cpu_s": cpu_s() - cpu0, "workers_cpu_s": children_cpu_s() - child0, "loadavg_before": load,
        "loadavg_after": load_after,
    }


def stage_search(kb_dir: Path, qs: list[str], profile: bool) -> dict[str, Any]:
    import vectorstore.kb as kbmod
    from assistant.settings import make_kb_config

    kb = kbmod.KnowledgeBase(make_kb_config(kb_dir))
    t0 = time.perf_counter()
    # As a long-running process starts: the vector store and model open in the background, and searches
    # meanwhile are answered by keywords alone.
    warming = kb.warm_up()
    first_hits = kb.search(qs[0], k=10)
    first_ms = (time.perf_counter() - t0) * 1000
    first_keyword_only = all("vector" not in h.channels for h in first_hits)
    warming.join()
    warm_up_s = time.perf_counter() - t0
    for q in qs[1:WARMUP]:
        kb.search(q, k=10)
    t = Timers(cpu=False)
    t.wrap(kb.keyword, "search", "keyword (BM25)")
    t.wrap(kb.vectors, "query", "vector (Chroma query)")
    t.wrap(kb.embedder, "embed_query", "embed query")
    t.wrap(kb.store, "chunks_by_id", "sqlite chunks_by_id")
    t.wrap(kb.store, "matching_doc_ids", "sqlite filters")
    t.wrap(kb.store, "doc_metas", "sqlite doc_metas")
    t.wrap(kbmod, "query_index_terms", "tokenize query")
    timed = qs[WARMUP:]
    lat: list[float] = []
    load, cpu0 = os.getloadavg()[0], cpu_s()

    def loop() -> None:
        for q in timed:
            s = time.perf_counter()
            kb.search(q, k=10)
            lat.append((time.perf_counter() - s) * 1000)

    _, prof = _profiled(profile, loop)
    n = len(timed)
    return {
        "queries": n, "first_search_ms": first_ms, "first_search_keyword_only": first_keyword_only,
        "warm_up_s": warm_up_s,
        "p50_ms": percentile(lat, 50), "p95_ms": percentile(lat, 95), "p99_ms": percentile(lat, 99),
        "mean_ms": sum(lat) / n, "max_ms": max(lat),
        "mean_ms_by_step": {k: v * 1000 / n for k, v in t.total.items()},
        "mean_cpu_ms": (cpu_s() - cpu0) * 1000 / n,
        "peak_rss_mb": peak_rss_mb(), "profile": prof, "cpu_s": cpu_s() - cpu0, "loadavg_before": load,
    }


def stage_first(kb_dir: Path, query: str) -> dict[str, Any]:
    """The first search of a fresh process that did not warm up: it waits for Chroma and the model to open."""
    from assistant.settings import make_kb_config
    from vectorstore.kb import KnowledgeBase

    t0 = time.perf_counter()
    kb = KnowledgeBase(make_kb_config(kb_dir))
    kb.search(query, k=10)
    return {"cold_first_search_ms": (time.perf_counter() - t0) * 1000, "peak_rss_mb": peak_rss_mb()}


def stage_recall(kb_dir: Path, qs: list[str], k: int = 10) -> dict[str, Any]:
    """How much of the exact nearest-``k`` the vector index returns (HNSW is approximate): each query's
    Chroma top ``k`` against a brute-force top ``k`` over every stored vector. A returned chunk as similar
    as the exact k-th counts as found (the synthetic corpus has many near-identical passages)."""
    import numpy as np

    from assistant.settings import make_kb_config
    from vectorstore.kb import KnowledgeBase

    kb = KnowledgeBase(make_kb_config(kb_dir))
    col = kb.vectors._col  # type: ignore[attr-defined]
    ids: list[str] = []
    parts = []
    for offset in range(0, kb.vectors.count(), 5000):
        got = col.get(include=["embeddings"], limit=5000, offset=offset)
        ids += got["ids"]
        parts.append(np.asarray(got["embeddings"], dtype=np.float32))
    matrix = np.concatenate(parts)
    row = {c: i for i, c in enumerate(ids)}
    found = 0.0
    for q in qs:
        vector = kb.embedder.embed_query(q)
        sims = matrix @ vector
        kth = np.partition(sims, -k)[-k]
        approx = kb.vectors.query(vector, k, None)
        found += min(k, sum(sims[row[c]] >= kth - 1e-5 for c, _ in approx)) / k
    return {"recall_at_10": found / len(qs), "recall_queries": len(qs)}


def _child(args: list[str]) -> dict[str, Any]:
    with tempfile.NamedTemporaryFile(suffix=".json") as out:
        subprocess.run([sys.executable, "-m", "bench.perf", *args, "--out", out.name], cwd=ROOT, check=True)
        return dict(json.loads(Path(out.name).read_text()))


def run_size(size: int, work: Path, qs_file: Path, budget: float, profile: bool) -> dict[str, Any]:
    pools = load_pools(sources())
    t0 = time.perf_counter()
    gen = generate(pools, work / "corpus", size)
    gen_s = time.perf_counter() - t0
    print(f"[{size}] generated {gen.docs} documents ({gen.chars / 1e6:.1f}M chars) in {gen_s:.1f} s; ingesting ...", flush=True)
    flags = ["--profile"] if profile else []
    ingest = _child(["--stage", "ingest", "--corpus", str(work / "corpus"), "--kb", str(work / "kb"),
                     "--time-budget", str(budget), *flags])
    print(f"[{size}] ingested {ingest['chunks']} chunks in {ingest['seconds']:.0f} s; searching ...", flush=True)
    search = _child(["--stage", "search", "--kb", str(work / "kb"), "--queries-file", str(qs_file), *flags])
    search.update(_child(["--stage", "first", "--kb", str(work / "kb"), "--queries-file", str(qs_file)]) | {
        "peak_rss_mb": search["peak_rss_mb"]})
    search.update(_child(["--stage", "recall", "--kb", str(work / "kb"), "--queries-file", str(qs_file)]))
    kb = work / "kb"
    disk = {p.name: dir_size(p) / 2**20 for p in kb.iterdir() if p.is_dir()}
    disk["kb.sqlite3*"] = sum(f.stat().st_size for f in kb.glob("kb.sqlite3*")) / 2**20
    return {"target_chunks": size, "generated_docs": gen.docs, "generate_s": gen_s, "ingest": ingest,
            "search": search, "disk_mb": dir_size(kb) / 2**20, "disk_mb_by_part": disk}


def print_report(results: list[dict[str, Any]]) -> None:
    rows = []
    for r in results:
        i, s = r["ingest"], r["search"]
        p = i["phases_chunks_per_s"]
        rows.append([i["chunks"], i["documents"], f"{i['seconds']:.0f}", f"{i['chunks_per_s']:.0f}",
                     f"{p.get('read+chunk+store', 0):.0f}",
                     f"{i['phases_s']['train']:.0f} / {int((i['trained'] or {}).get('steps', 0))}",
                     f"{p.get('embed+chroma add', 0):.0f}", f"{i['phases_s']['bm25 build']:.1f}",
                     f"{s['p50_ms']:.1f} / {s['p95_ms']:.1f} / {s['p99_ms']:.1f}",
                     f"{i['peak_rss_mb']:.0f} / {s['peak_rss_mb']:.0f}", f"{r['disk_mb']:.0f}"])
    print(format_table(["chunks", "docs", "ingest s", "chunks/s", "read+chunk+store c/s", "train s / steps",
                        "embed+add c/s", "bm25 s", "search p50/p95/p99 ms", "peak RSS MB ingest/search", "disk MB"], rows))
    for r in results:
        i, s = r["ingest"], r["search"]
        print(f"\n{i['chunks']} chunks: ingest seconds by step {_fmt(i['breakdown_s'])}; trained {i['trained']}")
        print(f"  ingest CPU seconds by step {_fmt(i.get('breakdown_cpu_s', {}))}, by phase {_fmt(i.get('phases_cpu_s', {}))}")
        print(f"  ingest wall {i['seconds']:.0f} s, CPU {i['cpu_s']:.0f} s + workers {i.get('workers_cpu_s', 0):.0f} s, "
              f"load average before/after {i['loadavg_before']:.2f}/{i.get('loadavg_after', 0):.2f}; "
              f"search CPU {s['cpu_s']:.1f} s for {s['queries']} queries ({s.get('mean_cpu_ms', 0):.2f} ms each), load average before {s['loadavg_before']:.2f}")
        print(f"  search mean ms by step {_fmt(s['mean_ms_by_step'], 2)}; first search {s['first_search_ms']:.0f} ms "
              f"with warm-up at start (keywords only: {s['first_search_keyword_only']}; vectors open after "
              f"{s['warm_up_s']:.1f} s), {s.get('cold_first_search_ms', 0):.0f} ms cold without; "
              f"max {s['max_ms']:.1f} ms; vector recall@10 against exact {s.get('recall_at_10', float('nan')):.3f}; disk MB {_fmt(r['disk_mb_by_part'])}")
        ok_i = i["chunks_per_s"] >= INGEST_TARGET
        print(f"  ingest {i['chunks_per_s']:.0f} chunks/s (target >= {INGEST_TARGET:.0f}): {'MET' if ok_i else 'NOT MET'}; "
              f"search p95 {s['p95_ms']:.1f} ms (target <= {P95_TARGET_MS:.0f} at 100k): {'MET' if s['p95_ms'] <= P95_TARGET_MS else 'NOT MET'}")


def _fmt(d: dict[str, float], digits: int = 1) -> str:
    return "{" + ", ".join(f"{k}: {v:.{digits}f}" for k, v in d.items()) + "}"


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m bench.perf", description=(__doc__ or "").split("\n\n")[0])
    ap.add_argument("--sizes", default="10000,100000", help="comma-separated chunk counts")
    ap.add_argument("--json", type=Path, default=ARTIFACTS / "perf.json")
    ap.add_argument("--queries", type=int, default=200, help="timed queries (after a warm-up of 20 others)")
    ap.add_argument("--time-budget", type=float, default=60.0, help="static_time_budget_s for training")
    ap.add_argument("--profile", action="store_true", help="cProfile ingest and search; top functions go to the JSON")
    ap.add_argument("--keep", type=Path, help="generate and ingest under this folder and keep it")
    ap.add_argument("--stage", choices=["ingest", "search", "first", "recall"], help=argparse.SUPPRESS)
    ap.add_argument("--corpus", type=Path, help=argparse.SUPPRESS)
    ap.add_argument("--kb", type=Path, help=argparse.SUPPRESS)
    ap.add_argument("--queries-file", type=Path, help=argparse.SUPPRESS)
    ap.add_argument("--out", type=Path, help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    if args.stage == "ingest":
        args.out.write_text(json.dumps(stage_ingest(args.corpus, args.kb, args.time_budget, args.profile)))
        return 0
    if args.stage == "first":
        args.out.write_text(json.dumps(stage_first(args.kb, json.loads(args.queries_file.read_text())[0])))
        return 0
    if args.stage == "recall":
        args.out.write_text(json.dumps(stage_recall(args.kb, json.loads(args.queries_file.read_text())[WARMUP:])))
        return 0
    if args.stage == "search":
        args.out.write_text(json.dumps(stage_search(args.kb, json.loads(args.queries_file.read_text()), args.profile)))
        return 0
    sizes = [int(s) for s in args.sizes.split(",") if s.strip()]
    results = []
    with tempfile.TemporaryDirectory(prefix="bench-perf-") as tmp:
        base = args.keep or Path(tmp)
        qs_file = base / "queries.json"
        base.mkdir(parents=True, exist_ok=True)
        qs_file.write_text(json.dumps(queries(load_pools(sources()), args.queries + WARMUP), ensure_ascii=False))
        for size in sizes:
            results.append(run_size(size, base / f"n{size}", qs_file, args.time_budget, args.profile))
    print()
    print_report(results)
    write_json(args.json, {"results": results, "queries": args.queries, "warmup": WARMUP})
    print(f"\nfigures written to {args.json}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
