"""Kill an ingest with SIGKILL at random points, then run it again: nothing duplicated, nothing missing."""

from __future__ import annotations

import json
import os
import random
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

ASSISTANT = [sys.executable, "-m", "assistant.cli"]


def _corpus(directory: Path, n: int) -> None:
    directory.mkdir()
    rng = random.Random(5)
    for i in range(n):
        lines = [f"示例市科学技术局工作动态第{i}期"] + [
            f"{rng.choice('一二三四五')}是推进第{i}-{j}项工作，全市新增平台{rng.randint(1, 99)}家，服务企业{rng.randint(10, 999)}家。"
            for j in range(rng.randint(3, 12))
        ]
        (directory / f"doc_{i:04d}.txt").write_text("\n".join(lines), encoding="utf-8")


def _run(args: list[str], env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(ASSISTANT + args, env=env, capture_output=True, text=True, timeout=300)


def _stored_documents(db: Path) -> int:
    if not db.exists():
        return 0
    try:
        with sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=1) as conn:
            return int(conn.execute("SELECT count(*) FROM documents").fetchone()[0])
    except sqlite3.Error:
        return 0


def _kill_when(proc: subprocess.Popen[bytes], db: Path, threshold: int, extra_delay: float) -> bool:
    """SIGKILL ``proc`` once ``threshold`` documents are stored (plus a delay); False when it ended first."""
    deadline = time.monotonic() + 240
    while proc.poll() is None and time.monotonic() < deadline:
        if _stored_documents(db) >= threshold:
            time.sleep(extra_delay)
            if proc.poll() is None:
                proc.send_signal(signal.SIGKILL)
                proc.wait()
                return True
            return False
        time.sleep(0.02)
    proc.wait()
    return False


def test_sigkill_during_ingest_then_rerun(tmp_path: Path) -> None:
    docs = tmp_path / "docs"
    n = 400
    _corpus(docs, n)
    kb_dir = tmp_path / "kb"
    env = {**os.environ, "ASSISTANT_KB_DIR": str(kb_dir), "ASSISTANT_EMBEDDING_MODEL": "hashing"}
    rng = random.Random(11)
    killed = 0
    # Kill points keyed to progress, not wall time, so a fast machine cannot outrun them: twice while documents
    # are being stored, once after they all are (while vectors and the keyword index are being written).
    for threshold, delay in ((rng.randint(20, 150), 0.0), (rng.randint(200, 380), 0.0), (n, rng.uniform(0, 0.3))):
        proc = subprocess.Popen([*ASSISTANT, "ingest", str(docs)], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        killed += _kill_when(proc, kb_dir / "kb.sqlite3", threshold, delay)
    assert killed >= 2, "ingest finished before it could be killed"
    final = _run(["ingest", str(docs), "--json"], env)
    assert final.returncode == 0, final.stderr
    stats = json.loads(_run(["stats", "--json"], env).stdout)
    assert stats["documents"] == 400
    assert stats["vectors"] == stats["chunks"] == stats["keyword_chunks"]
    check = _run(["check"], env)
    assert check.returncode == 0, check.stdout
    assert json.loads(check.stdout)["vectors_orphaned"] == 0
