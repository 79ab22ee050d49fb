"""The fictional bureau archives (sample_archives/*): each ingests whole, and its gold file points at real text.

The drafting evaluations lean on gold.jsonl: a quote that is not in the stored text, or a suggestion that is not
in the proposal, would make them score against nothing. These tests keep the data honest as files are edited.
"""

from __future__ import annotations

import csv
import json
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from assistant.settings import make_kb_config
from conftest import ROOT, shared_path
from vectorstore.embed import HashingEmbedder
from vectorstore.kb import KnowledgeBase
from vectorstore.normalize import normalize_text
from vectorstore.readers import read_file

ARCHIVES = sorted(p for p in (ROOT / "sample_archives").iterdir() if (p / "MANIFEST.tsv").is_file())
STATUSES = {"in_force", "repealed", "draft", ""}
NEVER_WHY = {"news_lead", "event", "leader_visit", "speech", "other_body_remarks", "quote", "caption", "preamble",
             "definition", "repealed", "draft", "stale", "superseded", "province", "other_region"}
MAX_BYTES = 1 << 20
CJK = re.compile(r"[\u4e00-\u9fff]")
FIGURE = re.compile(r"\d+(?:\.\d+)?(?:%|万元|亿元|家|名|支|项|个|倍)")
Archive = tuple[Path, KnowledgeBase, dict[str, str], list[Any]]


def _rows(folder: Path) -> dict[str, dict[str, str]]:
    with (folder / "MANIFEST.tsv").open(encoding="utf-8") as f:
        return {row["file"]: row for row in csv.DictReader(f, dialect="excel-tab")}


def _gold(folder: Path) -> list[dict[str, Any]]:
    lines = (folder / "proposals" / "gold.jsonl").read_text(encoding="utf-8").splitlines()
    return [json.loads(line) for line in lines if line.strip()]


CASES = [(folder, gold) for folder in ARCHIVES for gold in _gold(folder)]
CASE_IDS = [f"{folder.name}/{gold['file']}" for folder, gold in CASES]


def test_there_are_bundled_archives() -> None:
    assert {"chengjiang", "luchuan", "qinglan"} <= {a.name for a in ARCHIVES}


_INGESTED: dict[Path, Archive] = {}


def _ingest(folder: Path, factory: pytest.TempPathFactory) -> Archive:
    """The archive ingested once per session with the hashing embedder: (folder, kb, manifest file → doc id,
    ingest results)."""
    if folder not in _INGESTED:
        cfg = make_kb_config(factory.mktemp(folder.name) / "kb", embedding_model="hashing")
        kb = KnowledgeBase(cfg, embedder=HashingEmbedder())
        report = kb.ingest([folder / "docs"], manifest=folder / "MANIFEST.tsv")
        ids = {Path(r.path).resolve().relative_to(folder.resolve()).as_posix(): r.doc_id
               for r in report.files if r.status == "added"}
        _INGESTED[folder] = (folder, kb, ids, report.files)
    return _INGESTED[folder]


@pytest.fixture(params=ARCHIVES, ids=[a.name for a in ARCHIVES])
def archive(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Archive:
    return _ingest(request.param, tmp_path_factory)


@pytest.fixture
def archive_of(tmp_path_factory: pytest.TempPathFactory) -> Callable[[Path], Archive]:
    """The archive of a gold case (cases are parametrised by folder, so they ask for it by folder)."""
    return lambda folder: _ingest(folder, tmp_path_factory)


def _stored(archive: Archive, file: str) -> str:
    _, kb, ids, _ = archive
    assert file in ids, f"{file} is cited by gold.jsonl but was not ingested"
    doc = kb.get(ids[file])
    assert doc is not None
    return doc.text


def test_every_listed_file_ingests_and_nothing_else(archive: Archive) -> None:
    folder, kb, ids, results = archive
    rows = _rows(folder)
    assert [r for r in results if r.status == "failed"] == []
    assert set(ids) == set(rows)
    assert len(results) == len(rows) == len(list((folder / "docs").iterdir()))  # nothing left out of the manifest
    for file, doc_id in ids.items():
        doc = kb.get(doc_id)
        assert doc is not None and len(doc.text) >= 300, file  # a short news item has a few paragraphs
        row = rows[file]
        assert (doc.meta.issuer, doc.meta.region, doc.meta.date) == (row["issuer"], row["region"], row["date"])
        if row["kind"]:
            assert doc.meta.kind == row["kind"], file


@pytest.mark.parametrize("folder", ARCHIVES, ids=[a.name for a in ARCHIVES])
def test_manifest_marks_status_and_leaves_summaries_for_inference(folder: Path) -> None:
    rows = _rows(folder)
    statuses = [row["status"] for row in rows.values()]
    assert set(statuses) <= STATUSES
    assert statuses.count("repealed") == 1 and statuses.count("draft") == 1
    for file, row in rows.items():
        text = normalize_text(read_file(folder / file, MAX_BYTES))
        if row["status"] == "repealed":
            assert re.search(r"废止|失效", text) and re.search(r"\d{4}年\d{1,2}月\d{1,2}日", text)
        if row["status"] == "draft":
            assert "征求意见稿" in row["title"] and "征求意见稿" in text
    unlabelled = [row["title"] for row in rows.values() if not row["kind"]]
    assert len(unlabelled) == 3 and all(re.search(r"工作(总结|要点|计划)|讲话", t) for t in unlabelled)


@pytest.mark.parametrize(("folder", "gold"), CASES, ids=CASE_IDS)
def test_gold_suggestions_are_verbatim_in_the_proposal(folder: Path, gold: dict[str, Any]) -> None:
    raw = read_file(folder / "proposals" / gold["file"], MAX_BYTES)
    text = normalize_text(raw)
    assert len(gold["suggestions"]) >= 2
    for s in gold["suggestions"]:
        assert s in text and s in raw, s
        assert not re.match(r"[（(]?[一二三四五六七八九十\d]+[、.．)）是]", s), f"enumerator left in: {s}"
    assert gold["title"] in text and gold["number"] in text and gold["proposer"] in text


@pytest.mark.parametrize(("folder", "gold"), CASES, ids=CASE_IDS)
def test_gold_quotes_are_verbatim_in_the_stored_documents(folder: Path, gold: dict[str, Any], archive_of: Callable[[Path], Archive]) -> None:
    archive, rows = archive_of(folder), _rows(folder)
    covered = set()
    for fact in gold["good_facts"]:
        assert fact["quote"] in _stored(archive, fact["doc"]), fact
        assert fact["role"] in {"done", "plan"} and 0 <= fact["suggestion"] < len(gold["suggestions"])
        assert rows[fact["doc"]]["date"] <= gold["reply_date"], f"{fact['doc']} postdates the reply"
        covered.add(fact["suggestion"])
    assert covered == set(range(len(gold["suggestions"]))), "every suggestion needs at least one good fact"
    for never in gold["never"]:
        assert never["text"] in _stored(archive, never["doc"]), never
        assert never["why"] in NEVER_WHY, never


@pytest.mark.parametrize(("folder", "gold"), CASES, ids=CASE_IDS)
def test_gold_reply_is_a_letter_built_only_from_the_archive(folder: Path, gold: dict[str, Any], archive_of: Callable[[Path], Archive]) -> None:
    archive, rows = archive_of(folder), _rows(folder)
    letter = (folder / "proposals" / gold["gold_reply"]).read_text(encoding="utf-8")
    y, m, d = (int(x) for x in gold["reply_date"].split("-"))
    assert f"{y}年{m}月{d}日" in letter and "收悉" in letter and f"第{gold['number']}号" in letter
    for never in gold["never"]:
        assert never["text"] not in letter, never["text"]
    body = letter.split("收悉", 1)[1]
    archive_text = "\n".join(_stored(archive, f) for f in rows if rows[f]["date"] <= gold["reply_date"])
    missing = [f for f in FIGURE.findall(body) if f not in archive_text]
    assert missing == [], f"figures of the gold reply not found in the archive: {missing}"


@pytest.mark.shared
@pytest.mark.parametrize("folder", ARCHIVES, ids=[a.name for a in ARCHIVES])
def test_no_shared_text_is_copied_into_the_archive(folder: Path) -> None:
    shared = shared_path()
    runs: set[str] = set()
    for path in shared.rglob("*"):
        if path.is_file() and path.suffix in {".txt", ".md", ".tsv", ".jsonl"}:
            raw = path.read_text(encoding="utf-8", errors="ignore")
            for line in (raw + "\n" + normalize_text(raw)).split("\n"):
                runs.update(line[i : i + 30] for i in range(len(line) - 29))
    for path in folder.rglob("*"):
        if path.is_file():
            for line in path.read_text(encoding="utf-8").split("\n"):
                windows = (line[i : i + 30] for i in range(len(line) - 29))
                # Prose is what must not be copied; the manifest header and JSON keys are a shared schema.
                copied = [w for w in windows if w in runs and CJK.search(w)]
                assert copied == [], f"{path.name} repeats shared text: {copied[0]}"
