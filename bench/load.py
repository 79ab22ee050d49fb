"""Load benchmark: concurrent drafters against the running app, with an ingest in the middle of the run.

    python -m bench.load [--chunks 100000] [--clients 20] [--duration 120] [--workers 2]
                         [--ingest web|cli] [--ingest-chunks 3000] [--think 0] [--embedding hashing|default]

Production shape, loopback only: the knowledge base sits on a real `chroma run` server, the app runs
under `assistant serve --workers N`, both started here as subprocesses and stopped at the end. The
knowledge base (``--chunks`` synthetic chunks plus the sample KB) is built once per size with
`assistant ingest` and cached under $BENCH_LOAD_CACHE (default $TMPDIR/dafuhan-load-cache); each run works
on a copy, because its own ingest changes it.

Each client logs in (cookie session + CSRF header) and loops: parse a sample proposal, generate a
draft, open it, save an edited version, search. A probe searches at a steady 2/s throughout. After a
warm-up and a baseline phase, a fresh batch of documents is ingested — by default through the web
upload, which is how bureau staff add documents during office hours (`--ingest cli` runs a separate
`assistant ingest` process against the same KB and Chroma server instead, as an administrator's bulk
load would). Reported per operation: count, throughput, p50/p95/p99 and errors; search latency before
vs during the ingest. Targets: zero errors, draft p95 ≤ 3 s, search p95 during ingest ≤ 2× before.
Exits 1 when any request failed.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

from bench.corpus import ARTIFACTS, SAMPLE_KB, sources
from bench.loadclients import OPS, Drafter, Recorder, Sample, searcher
from bench.loadkit import (
    ASSISTANT,
    ROOT,
    AppServer,
    ChromaServer,
    base_env,
    clone_kb,
    ensure_kb,
    fresh_batch,
    run_cli,
)
from bench.metrics import percentile
from bench.synthetic import load_pools, queries

PASSWORD = "load-bench-pw-1"
DRAFT_P95_TARGET_S = 3.0
# Longest the warm-up waits for every client's first round before measuring anyway.
WARM_LIMIT_S = 300.0
INGEST_RATIO_TARGET = 2.0


@dataclass
class Config:
    chunks: int = 100_000
    clients: int = 20
    duration: float = 120.0
    workers: int = 2
    ingest: str = "web"  # web | cli | none
    ingest_chunks: int = 3000
    warmup: float = 10.0
    baseline: float = 40.0  # seconds of the measured window before the ingest starts
    think: float = 0.0
    embedding: str = "hashing"
    ingest_timeout: float = 900.0


@dataclass
class IngestRun:
    start: float = 0.0
    end: float = 0.0
    ok: bool = False
    detail: str = ""
    extra: dict[str, Any] = field(default_factory=dict)


def run(cfg: Config, work: Path) -> dict[str, Any]:
    """Start everything, drive the load, stop everything; returns the report."""
    cached = ensure_kb(cfg.chunks, cfg.embedding)
    kb_dir, chroma_dir = clone_kb(cached, work)
    chroma = ChromaServer(chroma_dir)
    chroma.start()
    env = base_env(kb_dir, work / "var", chroma.url, cfg.embedding)
    app = AppServer(env, workers=cfg.workers)
    try:
        # Accounts: an admin through the CLI (as an operator would), the drafters through the API.
        run_cli(["user", "create", "loadadmin", "--role", "admin", "--password", PASSWORD], env)
        app.start()
        users = make_users(app.url, cfg.clients + 1)
        pools = load_pools(sources())
        qs = queries(pools, 200)
        proposals = [p.read_text(encoding="utf-8") for p in sorted((SAMPLE_KB / "proposals").glob("*.txt"))]
        batch = fresh_batch(work / "fresh", cfg.ingest_chunks, seed=int(time.time()) % 100_000) \
            if cfg.ingest != "none" else None
        report = drive(cfg, app, env, users, proposals, qs, batch)
        report["app_worker_peak_rss_mb"] = app.worker_rss_mb()
        report["chroma_peak_rss_mb"] = round(chroma.peak_rss_mb(), 1)
        return report
    finally:
        app.stop()
        chroma.stop()


def make_users(url: str, n: int) -> list[str]:
    with httpx.Client(base_url=url, timeout=60) as admin:
        r = admin.post("/api/auth/login", json={"username": "loadadmin", "password": PASSWORD})
        r.raise_for_status()
        admin.headers["X-CSRF-Token"] = r.json()["csrf_token"]
        names = [f"drafter{i:02d}" for i in range(n)]
        for name in names:
            r = admin.post("/api/users", json={"username": name, "role": "drafter", "password": PASSWORD})
            if r.status_code != 201:
                raise RuntimeError(f"cannot create {name}: {r.status_code} {r.text[:200]}")
    return names


def drive(cfg: Config, app: AppServer, env: dict[str, str], users: list[str], proposals: list[str],
          qs: list[str], batch: Path | None) -> dict[str, Any]:
    rec = Recorder()
    stop = threading.Event()
    clients = [Drafter(app.url, users[i], PASSWORD, proposals, qs, rec, stop, think_s=cfg.think, seed=i)
               for i in range(cfg.clients)]
    threads = [threading.Thread(target=c.run, name=c.username, daemon=True) for c in clients]
    threads.append(threading.Thread(target=searcher, args=(app.url, users[-1], PASSWORD, qs, rec, stop),
                                    name="probe", daemon=True))
    begin = time.monotonic()
    for t in threads:
        t.start()
    # The measured window opens after the warm-up and only once every client has finished a round: on a
    # cold machine the first drafts are slow (imports, dictionaries, page cache), and a window that opens
    # earlier would measure the start-up rather than the load, or see no searches before the ingest.
    _sleep_until(begin + cfg.warmup)
    warm_by = time.monotonic() + WARM_LIMIT_S
    while any(c.rounds == 0 for c in clients) and time.monotonic() < warm_by and not stop.is_set():
        time.sleep(0.2)
    t0 = time.monotonic()
    t_end = t0 + cfg.duration
    ingest = IngestRun()
    ingest_thread = None
    if batch is not None:
        _sleep_until(t0 + cfg.baseline)
        ingest_thread = threading.Thread(target=run_ingest, args=(cfg, app.url, env, batch, ingest), daemon=True)
        ingest_thread.start()
    _sleep_until(t_end)
    stop.set()
    for t in threads:
        t.join(timeout=180)
    if ingest_thread is not None:
        ingest_thread.join(timeout=cfg.ingest_timeout)
        if ingest_thread.is_alive():
            ingest.detail = f"ingest still running after {cfg.ingest_timeout:.0f} s"
    stats = _stats(app.url, users[0])
    report = summarize(cfg, rec, t0, t_end, ingest, stats, sum(c.rounds for c in clients))
    report["warmup_s"] = round(t0 - begin, 1)
    return report


def _sleep_until(t: float) -> None:
    while (left := t - time.monotonic()) > 0:
        time.sleep(min(left, 1.0))


def run_ingest(cfg: Config, url: str, env: dict[str, str], batch: Path, out: IngestRun) -> None:
    out.start = time.monotonic()
    try:
        if cfg.ingest == "cli":
            done = subprocess.run([*ASSISTANT, "ingest", str(batch), "--manifest", str(batch / "MANIFEST.tsv"), "--json"],
                                  env=env, cwd=ROOT, capture_output=True, text=True, timeout=cfg.ingest_timeout)
            out.ok = done.returncode == 0
            out.detail = "" if out.ok else done.stderr[-500:]
        else:
            _web_ingest(url, batch, out, cfg.ingest_timeout)
    except Exception as err:  # reported as an ingest failure, never lost
        out.detail = f"{type(err).__name__}: {err}"[:500]
    finally:
        out.end = time.monotonic()


def _web_ingest(url: str, batch: Path, out: IngestRun, timeout: float) -> None:
    files = sorted((batch / "new").glob("*.txt"))
    with httpx.Client(base_url=url, timeout=120) as http:
        r = http.post("/api/auth/login", json={"username": "loadadmin", "password": PASSWORD})
        r.raise_for_status()
        http.headers["X-CSRF-Token"] = r.json()["csrf_token"]
        upload = [("files", (f.name, f.read_bytes(), "text/plain")) for f in files]
        r = http.post("/api/kb/uploads", files=upload, data={"region": "示例省示例市"})
        if r.status_code != 202:
            out.detail = f"upload: HTTP {r.status_code} {r.text[:300]}"
            return
        job = r.json()
        deadline = time.monotonic() + timeout
        while job["status"] in ("queued", "running") and time.monotonic() < deadline:
            time.sleep(0.5)
            job = http.get(f"/api/kb/jobs/{job['id']}").json()
        statuses: dict[str, int] = {}
        for f in job.get("files", []):
            statuses[f["status"]] = statuses.get(f["status"], 0) + 1
        out.extra = {"files": len(files), "statuses": statuses}
        out.ok = job["status"] == "done" and statuses.get("failed", 0) == 0
        out.detail = "" if out.ok else f"job {job['status']}: {job.get('error', '')} {statuses}"


def _stats(url: str, user: str) -> dict[str, Any]:
    with httpx.Client(base_url=url, timeout=120) as http:
        http.post("/api/auth/login", json={"username": user, "password": PASSWORD})
        r = http.get("/api/kb/stats")
        return r.json() if r.status_code == 200 else {"error": f"HTTP {r.status_code}"}


def _lat(samples: list[Sample]) -> dict[str, float]:
    s = [x.seconds for x in samples if x.ok]
    return {f"p{q}_s": round(percentile(s, q), 3) if s else float("nan") for q in (50, 95, 99)}


def summarize(cfg: Config, rec: Recorder, t0: float, t_end: float, ingest: IngestRun, stats: dict[str, Any],
              rounds: int) -> dict[str, Any]:
    ops: dict[str, Any] = {}
    for op in (*OPS, "probe", "client"):
        every = [s for s in rec.samples if s.op == op]
        # Logins happen in the warm-up, so they are counted over the whole run.
        window = every if op == "login" else [s for s in every if t0 <= s.start < t_end]
        if not every:
            continue
        ops[op] = {"count": len(window), "per_s": round(len(window) / cfg.duration, 2), **_lat(window),
                   "errors": sum(1 for s in every if not s.ok), "first_errors": rec.messages.get(op, [])}
    phases: dict[str, Any] = {}
    if ingest.start:
        for op in ("search", "probe"):
            window = [s for s in rec.samples if s.op == op and s.ok and t0 <= s.start < t_end]
            before = [s for s in window if s.start + s.seconds <= ingest.start]
            # Started while the ingest ran: a search stalled by it may end after it.
            during = [s for s in window if ingest.start <= s.start < ingest.end]
            b, d = _lat(before), _lat(during)
            phases[op] = {"before": {"n": len(before), **b}, "during": {"n": len(during), **d},
                          "ratio_p50": round(d["p50_s"] / b["p50_s"], 2) if before and during else None,
                          "ratio_p95": round(d["p95_s"] / b["p95_s"], 2) if before and during else None}
    errors = sum(v["errors"] for v in ops.values()) + (0 if ingest.ok or not ingest.start else 1)
    draft_p95 = ops.get("draft", {}).get("p95_s", float("nan"))
    ratio = phases.get("probe", {}).get("ratio_p95")
    return {
        "config": cfg.__dict__, "rounds": rounds, "ops": ops, "search_vs_ingest": phases,
        "ingest": {"mode": cfg.ingest, "chunks": cfg.ingest_chunks, "ok": ingest.ok, "detail": ingest.detail,
                   "seconds": round(ingest.end - ingest.start, 1) if ingest.start else None,
                   "started_at_s": round(ingest.start - t0, 1) if ingest.start else None, **ingest.extra},
        "kb_after": {k: stats.get(k) for k in ("documents", "chunks", "vectors", "keyword_chunks", "error") if k in stats},
        "errors": errors,
        "targets": {"zero_errors": errors == 0, "draft_p95_le_3s": draft_p95 <= DRAFT_P95_TARGET_S,
                    "search_during_ingest_le_2x": ratio is not None and ratio <= INGEST_RATIO_TARGET},
    }


def print_report(rep: dict[str, Any]) -> None:
    from bench.table import format_table

    rows = [[op, v["count"], v["per_s"], v["p50_s"], v["p95_s"], v["p99_s"], v["errors"]] for op, v in rep["ops"].items()]
    print(format_table(["operation", "count", "per s", "p50 s", "p95 s", "p99 s", "errors"], rows))
    if rep["search_vs_ingest"]:
        print()
        rows = [[op, v["before"]["n"], v["before"]["p50_s"], v["before"]["p95_s"], v["during"]["n"],
                 v["during"]["p50_s"], v["during"]["p95_s"], v["ratio_p50"], v["ratio_p95"]]
                for op, v in rep["search_vs_ingest"].items()]
        print(format_table(["search", "n before", "p50", "p95", "n during", "p50", "p95", "×p50", "×p95"], rows))
    ing = rep["ingest"]
    print(f"\ningest ({ing['mode']}, ~{ing['chunks']} chunks): started at +{ing['started_at_s']} s, "
          f"took {ing['seconds']} s, ok={ing['ok']} {ing['detail']}")
    print(f"KB after: {rep['kb_after']}; rounds completed: {rep['rounds']}")
    print(f"peak RSS MB: app workers {rep.get('app_worker_peak_rss_mb')}, chroma {rep.get('chroma_peak_rss_mb')}")
    for op, v in rep["ops"].items():
        for msg in v["first_errors"]:
            print(f"  error [{op}] {msg}")
    print("targets: " + ", ".join(f"{k}={'met' if v else 'NOT met'}" for k, v in rep["targets"].items()))


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=(__doc__ or "").split("\n")[0])
    d = Config()
    ap.add_argument("--chunks", type=int, default=d.chunks)
    ap.add_argument("--clients", type=int, default=d.clients)
    ap.add_argument("--duration", type=float, default=d.duration, help="measured seconds (after the warm-up)")
    ap.add_argument("--workers", type=int, default=d.workers)
    ap.add_argument("--ingest", choices=["web", "cli", "none"], default=d.ingest)
    ap.add_argument("--ingest-chunks", type=int, default=d.ingest_chunks)
    ap.add_argument("--warmup", type=float, default=d.warmup)
    ap.add_argument("--baseline", type=float, default=None, help="seconds before the ingest starts (default: a third)")
    ap.add_argument("--think", type=float, default=d.think, help="mean pause between a client's steps, seconds")
    ap.add_argument("--embedding", choices=["hashing", "default"], default=d.embedding)
    ap.add_argument("--json", type=Path, default=ARTIFACTS / "load.json")
    args = ap.parse_args(argv)
    cfg = Config(chunks=args.chunks, clients=args.clients, duration=args.duration, workers=args.workers,
                 ingest=args.ingest, ingest_chunks=args.ingest_chunks, warmup=args.warmup,
                 baseline=args.baseline if args.baseline is not None else args.duration / 3, think=args.think,
                 embedding=args.embedding)
    with tempfile.TemporaryDirectory(prefix="bench-load-") as tmp:
        rep = run(cfg, Path(tmp))
    print_report(rep)
    from bench.table import write_json

    write_json(args.json, rep)
    print(f"written to {args.json}")
    return 1 if rep["errors"] else 0


if __name__ == "__main__":
    sys.exit(main())
