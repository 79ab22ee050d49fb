"""The fictional 澄江 archive (sample_archives/chengjiang): it ingests whole, and its gold file points at real text.

The drafting evaluations lean on gold.jsonl: a quote that is not in the stored text, or a suggestion that is not
in the proposal, would make them score against nothing. These tests keep the data honest as files are edited.
"""

from __future__ import annotations

import csv
import json
import re
from pathlib import Path
from typing import Any

import pytest

from assistant.settings import make_kb_config
from conftest import ROOT, shared_path
from vectorstore.embed import HashingEmbedder
from vectorstore.kb import KnowledgeBase
from vectorstore.normalize import normalize_text
from vectorstore.readers import read_file

ARCHIVE = ROOT / "sample_archives" / "chengjiang"
PROPOSALS = ARCHIVE / "proposals"
STATUSES = {"in_force", "repealed", "draft", ""}
NEVER_WHY = {"news_lead", "event", "leader_visit", "speech", "other_body_remarks", "quote", "caption", "preamble",
             "definition", "repealed", "draft", "stale", "superseded", "province", "other_region"}
MAX_BYTES = 1 << 20
CJK = re.compile(r"[\u4e00-\u9fff]")
FIGURE = re.compile(r"\d+(?:\.\d+)?(?:%|万元|亿元|家|名|支|项|个|倍)")


def _manifest() -> list[dict[str, str]]:
    with (ARCHIVE / "MANIFEST.tsv").open(encoding="utf-8") as f:
        return list(csv.DictReader(f, dialect="excel-tab"))


def _gold() -> list[dict[str, Any]]:
    lines = (PROPOSALS / "gold.jsonl").read_text(encoding="utf-8").splitlines()
    return [json.loads(line) for line in lines if line.strip()]


GOLD = _gold()
ROWS = {row["file"]: row for row in _manifest()}


@pytest.fixture(scope="module")
def archive(tmp_path_factory: pytest.TempPathFactory) -> tuple[KnowledgeBase, dict[str, str], list[Any]]:
    """The archive ingested once with the hashing embedder: (kb, manifest file → doc id, ingest results)."""
    cfg = make_kb_config(tmp_path_factory.mktemp("chengjiang") / "kb", embedding_model="hashing")
    kb = KnowledgeBase(cfg, embedder=HashingEmbedder())
    report = kb.ingest([ARCHIVE / "docs"], manifest=ARCHIVE / "MANIFEST.tsv")
    ids = {Path(r.path).resolve().relative_to(ARCHIVE.resolve()).as_posix(): r.doc_id
           for r in report.files if r.status == "added"}
    return kb, ids, report.files


def _stored(archive: tuple[KnowledgeBase, dict[str, str], list[Any]], file: str) -> str:
    kb, ids, _ = archive
    assert file in ids, f"{file} is cited by gold.jsonl but was not ingested"
    doc = kb.get(ids[file])
    assert doc is not None
    return doc.text


def test_every_listed_file_ingests_and_nothing_else(archive: tuple[KnowledgeBase, dict[str, str], list[Any]]) -> None:
    kb, ids, results = archive
    assert [r for r in results if r.status == "failed"] == []
    assert set(ids) == set(ROWS)
    assert len(results) == len(ROWS) == len(list((ARCHIVE / "docs").iterdir()))  # nothing left out of the manifest
    for file, doc_id in ids.items():
        doc = kb.get(doc_id)
        assert doc is not None and len(doc.text) >= 400, file
        row = ROWS[file]
        assert (doc.meta.issuer, doc.meta.region, doc.meta.date) == (row["issuer"], row["region"], row["date"])
        if row["kind"]:
            assert doc.meta.kind == row["kind"], file


def test_manifest_marks_status_and_leaves_summaries_for_inference() -> None:
    statuses = [row["status"] for row in ROWS.values()]
    assert set(statuses) <= STATUSES
    assert statuses.count("repealed") == 1 and statuses.count("draft") == 1
    for file, row in ROWS.items():
        text = normalize_text(read_file(ARCHIVE / file, MAX_BYTES))
        if row["status"] == "repealed":
            assert re.search(r"废止|失效", text) and re.search(r"\d{4}年\d{1,2}月\d{1,2}日", text)
        if row["status"] == "draft":
            assert "征求意见稿" in row["title"] and "征求意见稿" in text
    unlabelled = [row["title"] for row in ROWS.values() if not row["kind"]]
    assert len(unlabelled) == 3 and all(re.search(r"工作(总结|要点|计划)|讲话", t) for t in unlabelled)


@pytest.mark.parametrize("gold", GOLD, ids=[g["file"] for g in GOLD])
def test_gold_suggestions_are_verbatim_in_the_proposal(gold: dict[str, Any]) -> None:
    raw = read_file(PROPOSALS / gold["file"], MAX_BYTES)
    text = normalize_text(raw)
    assert len(gold["suggestions"]) >= 2
    for s in gold["suggestions"]:
        assert s in text and s in raw, s
        assert not re.match(r"[（(]?[一二三四五六七八九十\d]+[、.．)）是]", s), f"enumerator left in: {s}"
    assert gold["title"] in text and gold["number"] in text and gold["proposer"] in text


@pytest.mark.parametrize("gold", GOLD, ids=[g["file"] for g in GOLD])
def test_gold_quotes_are_verbatim_in_the_stored_documents(
    gold: dict[str, Any], archive: tuple[KnowledgeBase, dict[str, str], list[Any]]
) -> None:
    covered = set()
    for fact in gold["good_facts"]:
        assert fact["quote"] in _stored(archive, fact["doc"]), fact
        assert fact["role"] in {"done", "plan"} and 0 <= fact["suggestion"] < len(gold["suggestions"])
        assert ROWS[fact["doc"]]["date"] <= gold["reply_date"], f"{fact['doc']} postdates the reply"
        covered.add(fact["suggestion"])
    assert covered == set(range(len(gold["suggestions"]))), "every suggestion needs at least one good fact"
    for never in gold["never"]:
        assert never["text"] in _stored(archive, never["doc"]), never
        assert never["why"] in NEVER_WHY, never


@pytest.mark.parametrize("gold", GOLD, ids=[g["file"] for g in GOLD])
def test_gold_reply_is_a_letter_built_only_from_the_archive(
    gold: dict[str, Any], archive: tuple[KnowledgeBase, dict[str, str], list[Any]]
) -> None:
    letter = (PROPOSALS / gold["gold_reply"]).read_text(encoding="utf-8")
    y, m, d = (int(x) for x in gold["reply_date"].split("-"))
    assert f"{y}年{m}月{d}日" in letter and "收悉" in letter and f"第{gold['number']}号" in letter
    for never in gold["never"]:
        assert never["text"] not in letter, never["text"]
    body = letter.split("收悉", 1)[1]
    archive_text = "\n".join(_stored(archive, f) for f in ROWS if ROWS[f]["date"] <= gold["reply_date"])
    missing = [f for f in FIGURE.findall(body) if f not in archive_text]
    assert missing == [], f"figures of the gold reply not found in the archive: {missing}"


@pytest.mark.shared
def test_no_shared_text_is_copied_into_the_archive() -> None:
    shared = shared_path()
    runs: set[str] = set()
    for path in shared.rglob("*"):
        if path.is_file() and path.suffix in {".txt", ".md", ".tsv", ".jsonl"}:
            raw = path.read_text(encoding="utf-8", errors="ignore")
            for line in (raw + "\n" + normalize_text(raw)).split("\n"):
                runs.update(line[i : i + 30] for i in range(len(line) - 29))
    for path in ARCHIVE.rglob("*"):
        if path.is_file():
            for line in path.read_text(encoding="utf-8").split("\n"):
                windows = (line[i : i + 30] for i in range(len(line) - 29))
                # Prose is what must not be copied; the manifest header and JSON keys are a shared schema.
                copied = [w for w in windows if w in runs and CJK.search(w)]
                assert copied == [], f"{path.name} repeats shared text: {copied[0]}"
