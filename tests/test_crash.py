"""Kill an ingest with SIGKILL at random points, then run it again: nothing duplicated, nothing missing."""

from __future__ import annotations

import json
import os
import random
import signal
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


def test_sigkill_during_ingest_then_rerun(tmp_path: Path) -> None:
    docs = tmp_path / "docs"
    _corpus(docs, 400)
    env = {**os.environ, "ASSISTANT_KB_DIR": str(tmp_path / "kb"), "ASSISTANT_EMBEDDING_MODEL": "hashing"}
    rng = random.Random(11)
    killed = 0
    for _ in range(3):
        proc = subprocess.Popen([*ASSISTANT, "ingest", str(docs)], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        time.sleep(rng.uniform(1.5, 5.0))
        if proc.poll() is None:
            proc.send_signal(signal.SIGKILL)
            killed += 1
        proc.wait()
    assert killed >= 1, "ingest finished before it could be killed; use a larger corpus"
    final = _run(["ingest", str(docs), "--json"], env)
    assert final.returncode == 0, final.stderr
    stats = json.loads(_run(["stats", "--json"], env).stdout)
    assert stats["documents"] == 400
    assert stats["vectors"] == stats["chunks"] == stats["keyword_chunks"]
    check = _run(["check"], env)
    assert check.returncode == 0, check.stdout
    assert json.loads(check.stdout)["vectors_orphaned"] == 0
