"""Processes for the load benchmark and the fault tests: a Chroma server, the app under `assistant serve`,
and a cached knowledge base of a given size.

Everything listens on 127.0.0.1 and is started as a subprocess, so the app runs exactly as a bureau
deploys it (uvicorn workers sharing one Chroma server) and can be killed with a real signal.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx

from bench.corpus import ROOT, SAMPLE_KB, sources
from bench.synthetic import generate, load_pools

CHROMA = Path(sys.executable).with_name("chroma")
ASSISTANT = [sys.executable, "-m", "assistant.cli"]
# Built knowledge bases are kept outside the project: they are large and recombine corpus sentences.
# Under the temporary directory the process is given ($TMPDIR), so a run with a fresh one builds them afresh.
CACHE = Path(os.environ.get("BENCH_LOAD_CACHE") or Path(tempfile.gettempdir()) / "dafuhan-load-cache")
SECRET = "load-bench-secret-key"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def base_env(kb_dir: Path, var_dir: Path, chroma_url: str, embedding: str) -> dict[str, str]:
    """Environment of every app and CLI subprocess; set in full so a developer's .env cannot leak in."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("ASSISTANT_")}
    env.update({
        "ASSISTANT_KB_DIR": str(kb_dir), "ASSISTANT_VAR_DIR": str(var_dir), "ASSISTANT_CHROMA_URL": chroma_url,
        "ASSISTANT_EMBEDDING_MODEL": "hashing" if embedding == "hashing" else "",
        "ASSISTANT_DATABASE_URL": "", "ASSISTANT_SECRET_KEY": SECRET, "ASSISTANT_LLM_BASE_URL": "",
        "PYTHONPATH": str(ROOT), "PYTHONUNBUFFERED": "1",
    })
    return env


def run_cli(args: list[str], env: dict[str, str], timeout: float = 3600) -> subprocess.CompletedProcess[str]:
    done = subprocess.run(ASSISTANT + args, env=env, cwd=ROOT, capture_output=True, text=True, timeout=timeout)
    if done.returncode != 0:
        raise RuntimeError(f"assistant {' '.join(args)} failed ({done.returncode}): {done.stderr[-2000:]}")
    return done


def peak_rss_mb(pid: int) -> float:
    """Peak resident memory (VmHWM) of one process, 0 when it is gone."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return 0.0


def children(pid: int) -> list[int]:
    try:
        return [int(p) for p in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]
    except OSError:
        return []


class ChromaServer:
    """`chroma run` on a fixed port and data path, so that it can be killed and started again on the same data."""

    def __init__(self, path: Path, port: int | None = None) -> None:
        self.path = path
        self.port = port or free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.proc: subprocess.Popen[bytes] | None = None
        self.log = path.parent / f"{path.name}.chroma.log"

    def start(self, timeout: float = 60.0) -> None:
        self.path.mkdir(parents=True, exist_ok=True)
        with self.log.open("ab") as log:
            self.proc = subprocess.Popen(
                [str(CHROMA), "run", "--host", "127.0.0.1", "--port", str(self.port), "--path", str(self.path)],
                stdout=log, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"chroma exited with {self.proc.returncode}: {self.log.read_text()[-2000:]}")
            try:
                if httpx.get(f"{self.url}/api/v2/heartbeat", timeout=1).status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            time.sleep(0.2)
        self.stop()
        raise RuntimeError(f"chroma on port {self.port} gave no heartbeat within {timeout} s")

    def kill(self) -> None:
        """SIGKILL: the server vanishes mid-request, as in a crash or an OOM kill."""
        if self.proc is not None:
            self.proc.kill()
            self.proc.wait(timeout=10)
            self.proc = None

    def stop(self) -> None:
        if self.proc is None:
            return
        self.proc.terminate()
        try:
            self.proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait(timeout=5)
        self.proc = None

    def peak_rss_mb(self) -> float:
        return peak_rss_mb(self.proc.pid) if self.proc else 0.0


class AppServer:
    """`assistant serve --workers N` on a free loopback port."""

    def __init__(self, env: dict[str, str], workers: int = 1, port: int | None = None, log: Path | None = None) -> None:
        self.env = env
        self.workers = workers
        self.port = port or free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log = log or Path(env["ASSISTANT_VAR_DIR"]) / "serve.log"
        self.proc: subprocess.Popen[bytes] | None = None

    def start(self, timeout: float = 120.0) -> None:
        self.log.parent.mkdir(parents=True, exist_ok=True)
        with self.log.open("ab") as log:
            # A process group of its own, so that SIGKILL reaches the uvicorn workers as well.
            self.proc = subprocess.Popen(
                [*ASSISTANT, "serve", "--host", "127.0.0.1", "--port", str(self.port), "--workers", str(self.workers)],
                env=self.env, cwd=ROOT, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"assistant serve exited with {self.proc.returncode}: {self.tail()}")
            try:
                if httpx.get(f"{self.url}/login", timeout=2).status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            time.sleep(0.3)
        self.stop()
        raise RuntimeError(f"assistant serve gave no answer within {timeout} s: {self.tail()}")

    def tail(self, n: int = 3000) -> str:
        return self.log.read_text(errors="replace")[-n:] if self.log.exists() else ""

    def worker_rss_mb(self) -> list[float]:
        """Peak RSS of each uvicorn worker (the children of the serving process, or itself with one worker)."""
        if self.proc is None:
            return []
        # uvicorn spawns its workers with multiprocessing; the resource tracker is a child too and is left out.
        kids = [c for c in children(self.proc.pid) if "spawn_main" in _cmdline(c)]
        pids = kids if self.workers > 1 and kids else [self.proc.pid]
        return [round(peak_rss_mb(p), 1) for p in pids]

    def kill(self) -> None:
        if self.proc is not None:
            os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait(timeout=10)
            self.proc = None

    def stop(self) -> None:
        if self.proc is None:
            return
        os.killpg(self.proc.pid, signal.SIGTERM)
        try:
            self.proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait(timeout=5)
        self.proc = None


def _cmdline(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
    except OSError:
        return ""


def ensure_kb(chunks: int, embedding: str, cache: Path = CACHE) -> Path:
    """A knowledge base of about ``chunks`` synthetic chunks plus the sample KB, with its Chroma data.

    Built once per (size, embedding) with `assistant ingest` against a real Chroma server, then reused;
    callers copy it (``clone_kb``) because the benchmark's own ingest changes it.
    """
    from vectorstore.chunker import CHUNKER_VERSION

    # The chunker version names the Chroma collection: a KB cut by an older chunker is not reused.
    key = f"kb-{chunks}-{embedding}-c{CHUNKER_VERSION}"
    target = cache / key
    if (target / "READY.json").is_file():
        return target
    cache.mkdir(parents=True, exist_ok=True)
    # Several test runs on one machine share the cache: one builds, the others wait for it.
    with (cache / f"{key}.lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if (target / "READY.json").is_file():
            return target
        return _build_kb(chunks, embedding, target)


def _build_kb(chunks: int, embedding: str, target: Path) -> Path:
    building = target.with_name(f"{target.name}.building")
    shutil.rmtree(building, ignore_errors=True)
    building.mkdir(parents=True)
    started = time.perf_counter()
    corpus = building / "corpus"
    gen = generate(load_pools(sources()), corpus, chunks)
    chroma = ChromaServer(building / "chroma")
    chroma.start()
    try:
        env = base_env(building / "kb", building / "var", chroma.url, embedding)
        run_cli(["ingest", str(corpus), "--manifest", str(gen.manifest), "--json"], env)
        run_cli(["ingest", str(SAMPLE_KB), "--manifest", str(SAMPLE_KB / "MANIFEST.tsv"), "--json"], env)
    finally:
        chroma.stop()
    shutil.rmtree(corpus)
    shutil.rmtree(building / "var", ignore_errors=True)
    info = {"chunks_target": chunks, "embedding": embedding, "docs": gen.docs, "paragraphs": gen.paragraphs,
            "build_s": round(time.perf_counter() - started, 1)}
    (building / "READY.json").write_text(json.dumps(info))
    shutil.rmtree(target, ignore_errors=True)
    building.rename(target)
    return target


def clone_kb(cached: Path, work: Path) -> tuple[Path, Path]:
    """Copy the cached KB and Chroma data into ``work``; returns (kb_dir, chroma_dir)."""
    for part in ("kb", "chroma"):
        shutil.copytree(cached / part, work / part)
    return work / "kb", work / "chroma"


@dataclass
class Stack:
    """A running Chroma server and app over a copy of a cached knowledge base; ``app`` may be replaced."""

    chroma: ChromaServer
    env: dict[str, str]
    app: AppServer


@contextlib.contextmanager
def app_on_cached_kb(work: Path, workers: int, admin_password: str, chunks: int = 2000,
                     embedding: str = "hashing") -> Iterator[Stack]:
    """Chroma and the app on a copy of the cached KB, with an admin ``loadadmin``; both stopped on exit."""
    kb_dir, chroma_dir = clone_kb(ensure_kb(chunks, embedding), work)
    chroma = ChromaServer(chroma_dir)
    chroma.start()
    env = base_env(kb_dir, work / "var", chroma.url, embedding)
    stack = Stack(chroma, env, AppServer(env, workers=workers))
    try:
        run_cli(["user", "create", "loadadmin", "--role", "admin", "--password", admin_password], env)
        stack.app.start()
        yield stack
    finally:
        stack.app.stop()
        chroma.stop()


def fresh_batch(out: Path, chunks: int, seed: int) -> Path:
    """New documents (names and ids distinct from the cached corpus) for the concurrent ingest."""
    gen = generate(load_pools(sources()), out, chunks, seed=seed)
    (out / "docs").rename(out / "new")
    gen.manifest.write_text(gen.manifest.read_text(encoding="utf-8").replace("docs/", "new/"), encoding="utf-8")
    return out
