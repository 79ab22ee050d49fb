"""The load benchmark, bounded: 4 drafters × 15 s on a ~2k-chunk KB, a web-upload ingest in the middle.

Same code as `python -m bench.load` (real `chroma run`, `assistant serve --workers 2` as subprocesses);
the first run builds the small KB into the benchmark cache ($BENCH_LOAD_CACHE), later runs reuse it. The
measured window opens only once every client is warm, so a first run on a cold machine measures the same.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from bench.load import Config, run
from bench.loadkit import CHROMA

pytestmark = [pytest.mark.server, pytest.mark.timeout(600)]


def test_load_smoke(tmp_path: Path) -> None:
    if not CHROMA.exists():
        pytest.skip(f"{CHROMA} not installed")
    cfg = Config(chunks=2000, clients=4, duration=15, workers=2, ingest="web", ingest_chunks=300, warmup=3,
                 baseline=5)
    rep = run(cfg, tmp_path)
    messages = {op: v["first_errors"] for op, v in rep["ops"].items() if v["errors"]}
    assert rep["errors"] == 0, (messages, rep["ingest"])
    for op in ("login", "parse", "draft", "open", "save", "search", "probe"):
        assert rep["ops"][op]["count"] > 0, op
    assert rep["ingest"]["ok"] and rep["ingest"]["statuses"].get("added", 0) > 0, rep["ingest"]
    # The new documents are in every index the app serves from.
    after = rep["kb_after"]
    assert after["chunks"] == after["vectors"] == after["keyword_chunks"] > 2000, after
    # The steady search probe is the before/during comparison; the drafters' own searches may all fall on
    # one side of the ingest on a slow machine, so they are not required on both sides.
    probe = rep["search_vs_ingest"]["probe"]
    assert probe["before"]["n"] > 0, probe
