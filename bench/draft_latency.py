"""Draft latency of the Compose engine, warm, on the real corpus and on a large synthetic one.

    python -m bench.draft_latency [--sizes real,100000] [--drafts 40] [--json OUT]

For each size a knowledge base is built in a temporary folder (the sample
knowledge base is always included, so the fictional bureau has its own
documents), one draft warms the process, then ``--drafts`` proposals are
drafted one after another and the wall time of each ``Drafter.draft`` call is
recorded. Proposals are the sample proposals plus proposals assembled from
real headings (3–4 suggestions each).
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import tempfile
import time
from pathlib import Path
from typing import Any

from assistant.drafting import Drafter
from assistant.models import DraftOptions, Proposal
from assistant.proposal import load_proposal
from assistant.settings import Settings
from bench.corpus import ARTIFACTS, SAMPLE_KB, Source, build_kb, sources
from bench.perf import peak_rss_mb
from bench.synthetic import generate, load_pools


def proposals(n: int, seed: int = 3) -> list[Proposal]:
    found = [load_proposal(p) for p in sorted((SAMPLE_KB / "proposals").glob("*.txt"))]
    pools = load_pools(sources())
    rng = random.Random(seed)
    while len(found) < n:
        heads = rng.sample(pools.headings, rng.randint(3, 4))
        found.append(Proposal(title=f"关于{heads[0][:20]}的提案", number=str(100 + len(found)), session="市政协十届五次会议",
                              proposer="某某", proposer_type="member", suggestions=heads))
    return found[:n]


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def run(size: str, drafts: int, work: Path) -> dict[str, Any]:
    srcs = sources()
    if size != "real":
        corpus = work / "synthetic"
        gen = generate(load_pools(srcs), corpus, int(size))
        srcs = [Source("synthetic", corpus, gen.manifest), *[s for s in srcs if s.label == "sample"]]
    started = time.perf_counter()
    built = build_kb(work / "kb", srcs)
    build_s = time.perf_counter() - started
    settings = Settings(_env_file=None, kb_dir=work / "kb")  # type: ignore[call-arg]
    drafter = Drafter(settings, built.kb)
    options = DraftOptions(reply_date="2025-06-20")
    items = proposals(drafts + 1)
    drafter.draft(items[0], options)  # warm: model, indexes, caches
    times, passed = [], 0
    for proposal in items[1:]:
        t = time.perf_counter()
        draft = drafter.draft(proposal, options)
        times.append(time.perf_counter() - t)
        passed += int(draft.checks.citations_valid == 1.0 and draft.checks.numbers_traceable == 1.0 and draft.checks.jurisdiction)
    chunks = built.kb.counts().chunks
    return {
        "size": size, "chunks": chunks, "build_seconds": round(build_s, 1), "drafts": len(times),
        "p50_s": round(percentile(times, 0.5), 3), "p95_s": round(percentile(times, 0.95), 3),
        "max_s": round(max(times), 3), "mean_s": round(statistics.mean(times), 3),
        "verified_share": round(passed / len(times), 3), "peak_rss_mb": round(peak_rss_mb(), 1),
    }


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--sizes", default="real,100000")
    ap.add_argument("--drafts", type=int, default=40)
    ap.add_argument("--json", type=Path, default=ARTIFACTS / "draft_latency.json")
    args = ap.parse_args(argv)
    results = []
    for size in args.sizes.split(","):
        with tempfile.TemporaryDirectory(prefix="bench-draft-") as tmp:
            res = run(size.strip(), args.drafts, Path(tmp))
        results.append(res)
        print(f"{res['size']:>8}  chunks={res['chunks']:>7}  build={res['build_seconds']:>7}s  drafts={res['drafts']}  "
              f"p50={res['p50_s']}s  p95={res['p95_s']}s  max={res['max_s']}s  verified={res['verified_share']}  "
              f"rss={res['peak_rss_mb']}MB", flush=True)
    args.json.parent.mkdir(parents=True, exist_ok=True)
    args.json.write_text(json.dumps(results, ensure_ascii=False, indent=2))
    print(f"target: p95 ≤ 1.5 s warm → {'met' if all(r['p95_s'] <= 1.5 for r in results) else 'NOT met'}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
