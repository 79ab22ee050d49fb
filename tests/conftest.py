"""Shared fixtures: a knowledge base on a temp dir with the hashing embedder (fast, deterministic)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from assistant.settings import make_kb_config
from vectorstore.config import KBConfig
from vectorstore.embed import HashingEmbedder
from vectorstore.kb import KnowledgeBase

# The suite tests the defaults and sets what a test needs itself: a developer's ASSISTANT_* settings (another
# knowledge base, another bureau) must not change what it sees.
for _name in [n for n in os.environ if n.startswith("ASSISTANT_")]:
    del os.environ[_name]

ROOT = Path(__file__).resolve().parents[1]
SAMPLE_KB = ROOT / "sample_kb"
SHARED = ROOT.parent / "shared"


def shared_path(*parts: str) -> Path:
    """A path under ../shared, or skip the test when that data is absent."""
    path = SHARED.joinpath(*parts)
    if not path.exists():
        pytest.skip(f"{path} not present (real data lives beside the project)")
    return path


PAST_REPLY_TITLE = "甲市科学技术局关于市政协十一届三次会议第86号提案答复的函"


def past_reply_kb(folder: Path, body: str) -> KnowledgeBase:
    """A knowledge base (hashing embedder) holding one past reply of 甲市科学技术局, dated 2022-07-01, whose text
    is its title line and ``body``."""
    docs = folder / "docs"
    docs.mkdir()
    (docs / "reply.txt").write_text(f"{PAST_REPLY_TITLE}\n{body}", encoding="utf-8")
    (docs / "MANIFEST.tsv").write_text(
        "file\tkind\tissuer\tregion\tdate\tproposal_number\ttitle\n"
        f"reply.txt\treply\t甲市科学技术局\t乙省甲市\t2022-07-01\t市政协十一届三次会议第86号\t{PAST_REPLY_TITLE}\n",
        encoding="utf-8")
    kb = KnowledgeBase(make_kb_config(folder / "kb", embedding_model="hashing"), embedder=HashingEmbedder())
    assert not kb.ingest([docs], manifest=docs / "MANIFEST.tsv").failed
    return kb


@pytest.fixture
def kb_config(tmp_path: Path) -> KBConfig:
    return make_kb_config(tmp_path / "kb", embedding_model="hashing", static_min_chunks=10**9)


@pytest.fixture
def kb(kb_config: KBConfig) -> KnowledgeBase:
    return KnowledgeBase(kb_config, embedder=HashingEmbedder())


@pytest.fixture(scope="session")
def sample_kb_session(tmp_path_factory: pytest.TempPathFactory) -> KnowledgeBase:
    """The bundled sample knowledge base, ingested once per test session."""
    cfg = make_kb_config(tmp_path_factory.mktemp("sample") / "kb", embedding_model="hashing")
    kb = KnowledgeBase(cfg, embedder=HashingEmbedder())
    report = kb.ingest([SAMPLE_KB], manifest=SAMPLE_KB / "MANIFEST.tsv")
    assert not report.failed, report.failed
    return kb
