"""Where the benchmark documents live, and building a knowledge base from them."""

from __future__ import annotations

import os
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from assistant.settings import make_kb_config
from vectorstore.embed import Embedder
from vectorstore.kb import KnowledgeBase

ROOT = Path(__file__).resolve().parents[1]
SAMPLE_KB = ROOT / "sample_kb"
SHARED = Path(os.environ.get("BENCH_SHARED_DIR", str(ROOT.parent / "shared")))
ARTIFACTS = ROOT / "artifacts" / "bench"


@dataclass(frozen=True)
class Source:
    label: str
    root: Path
    manifest: Path


@dataclass
class BuiltKB:
    kb: KnowledgeBase
    source_of: dict[str, str]  # doc_id → "label:relative path"
    seconds: float
    trained: dict[str, float] | None = None
    statuses: dict[str, int] = field(default_factory=dict)


def sources(shared: Path = SHARED, include_shared: bool = True) -> list[Source]:
    """The real corpus and seeds (when present) and the project's sample knowledge base."""
    found = []
    if include_shared:
        for label, sub in (("corpus", "corpus"), ("seeds", "seeds")):
            root = shared / sub
            if (root / "MANIFEST.tsv").is_file():
                found.append(Source(label, root, root / "MANIFEST.tsv"))
    found.append(Source("sample", SAMPLE_KB, SAMPLE_KB / "MANIFEST.tsv"))
    return found


def build_kb(kb_dir: Path, srcs: list[Source], embedder: Embedder | None = None, **config: Any) -> BuiltKB:
    """Ingest every source (each with its manifest) into ``kb_dir``; re-runs on the same dir are incremental."""
    kb = KnowledgeBase(make_kb_config(kb_dir, **config), embedder=embedder)
    source_of: dict[str, str] = {}
    statuses: dict[str, int] = {}
    trained = None
    started = time.perf_counter()
    min_chunks = kb.config.static_min_chunks
    for n, src in enumerate(srcs, start=1):
        # Train the static model once, on everything, rather than after each source (each would
        # change more than retrain_fraction of the chunks and trigger a full retraining).
        kb.config.static_min_chunks = min_chunks if n == len(srcs) else 10**9
        report = kb.ingest([src.root], manifest=src.manifest)
        if report.failed:
            raise RuntimeError(f"ingest of {src.root} failed: {[(f.path, f.reason) for f in report.failed]}")
        trained = report.trained or trained
        for f in report.files:
            statuses[f.status] = statuses.get(f.status, 0) + 1
            if f.doc_id:
                source_of[f.doc_id] = f"{src.label}:{Path(f.path).relative_to(src.root).as_posix()}"
    return BuiltKB(kb, source_of, time.perf_counter() - started, trained, statuses)


def dir_size(path: Path) -> int:
    return sum(f.stat().st_size for f in path.rglob("*") if f.is_file())
