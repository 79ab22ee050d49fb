"""Upload ingest in a child process (used with a Chroma server): results, progress and failures come back."""

from __future__ import annotations

from pathlib import Path

import pytest

from assistant.settings import Settings, make_kb_config
from assistant.web.services.ingest_process import IngestProcessError, ingest_in_child
from vectorstore.embed import HashingEmbedder
from vectorstore.kb import KnowledgeBase


def _settings(tmp_path: Path) -> Settings:
    return Settings(_env_file=None, kb_dir=tmp_path / "kb", embedding_model="hashing")  # type: ignore[call-arg]


def test_child_ingests_and_reports(tmp_path: Path) -> None:
    folder = tmp_path / "up"
    folder.mkdir()
    (folder / "a.txt").write_text("示例市中试平台建设情况。全市建成中试平台12家。", encoding="utf-8")
    (folder / "b.txt").write_bytes(b"")
    (folder / "MANIFEST.tsv").write_text("file\tkind\na.txt\tnews\nb.txt\tnews\n", encoding="utf-8")
    seen: list[str] = []
    results = ingest_in_child(_settings(tmp_path), folder, folder / "MANIFEST.tsv", lambda s, d, t: seen.append(s))
    statuses = {Path(r["path"]).name: r["status"] for r in results}
    assert statuses == {"a.txt": "added", "b.txt": "failed"}
    assert "read" in seen
    kb = KnowledgeBase(make_kb_config(tmp_path / "kb", embedding_model="hashing"), embedder=HashingEmbedder())
    assert any("12家" in h.text for h in kb.search("中试平台", k=3))


def test_child_failure_is_reported(tmp_path: Path) -> None:
    folder = tmp_path / "up"
    folder.mkdir()
    with pytest.raises(IngestProcessError, match=r"MANIFEST|manifest|清单|No such file"):
        ingest_in_child(_settings(tmp_path), folder, folder / "MANIFEST.tsv", lambda s, d, t: None)
