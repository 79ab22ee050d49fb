"""Run an upload's ingest in a child process when the vectors live on a Chroma server.

Ingest is CPU-bound Python (jieba, chunking, BM25): in a thread of a web worker it holds the GIL and slows
every request that worker serves. A child process leaves the worker free. This is only safe with a Chroma
server — an embedded Chroma must not be opened by two processes — so embedded deployments keep the thread.
"""

from __future__ import annotations

import multiprocessing
import queue
from collections.abc import Callable
from dataclasses import asdict
from pathlib import Path
from typing import Any

from assistant.settings import Settings

Progress = Callable[[str, int, int], None]
# How long the child may stay silent (no progress message) before it is considered hung.
SILENCE_LIMIT_S = 1800.0


class IngestProcessError(RuntimeError):
    """The child process failed or died; the message is for the job's error field."""


def _child(settings_json: str, folder: str, manifest: str, out: Any) -> None:
    from assistant.services import open_kb

    try:
        settings = Settings.model_validate_json(settings_json)
        kb = open_kb(settings)
        report = kb.ingest([Path(folder)], manifest=Path(manifest),
                           progress=lambda stage, done, total: out.put(("progress", stage, done, total)))
        out.put(("done", [asdict(f) for f in report.files]))
    except Exception as err:  # reported to the parent, which records it on the job
        out.put(("error", f"{type(err).__name__}: {err}"))


def ingest_in_child(settings: Settings, folder: Path, manifest: Path, progress: Progress) -> list[dict[str, Any]]:
    """Ingest ``folder`` in a spawned process; returns the per-file results as dicts."""
    ctx = multiprocessing.get_context("spawn")
    out = ctx.Queue()
    proc = ctx.Process(target=_child, args=(settings.model_dump_json(), str(folder), str(manifest), out),
                       name="assistant-ingest", daemon=True)
    proc.start()
    try:
        silent = 0.0
        while True:
            try:
                message = out.get(timeout=1.0)
            except queue.Empty:
                silent += 1.0
                if not proc.is_alive():
                    raise IngestProcessError(f"入库进程意外退出（退出码 {proc.exitcode}）。") from None
                if silent > SILENCE_LIMIT_S:
                    raise IngestProcessError("入库进程长时间无响应，已停止。") from None
                continue
            silent = 0.0
            if message[0] == "progress":
                progress(message[1], message[2], message[3])
            elif message[0] == "done":
                files: list[dict[str, Any]] = message[1]
                return files
            else:
                raise IngestProcessError(str(message[1]))
    finally:
        proc.join(timeout=10)
        if proc.is_alive():
            proc.kill()
            proc.join()
