"""The knowledge-base commands, driven as a user would through the CLI."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from assistant.cli import app
from conftest import SAMPLE_KB

runner = CliRunner()


@pytest.fixture
def env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("ASSISTANT_KB_DIR", str(tmp_path / "kb"))
    monkeypatch.setenv("ASSISTANT_EMBEDDING_MODEL", "hashing")
    return tmp_path


def test_ingest_search_show_roundtrip(env: Path) -> None:
    result = runner.invoke(app, ["ingest", str(SAMPLE_KB), "--json"])
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert {f["status"] for f in report["files"] if f["status"] != "skipped"} == {"added"}
    skipped = [f for f in report["files"] if f["status"] == "skipped"]
    assert skipped and all("proposals" in f["path"] or f["path"].endswith("README.md") for f in skipped)

    result = runner.invoke(app, ["search", "中试平台建设", "--json", "-k", "3", "--kind", "reply"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["query"] == "中试平台建设" and len(data["hits"]) == 3
    for hit in data["hits"]:
        assert set(hit) >= {"doc_id", "chunk_id", "title", "issuer", "region", "date", "kind", "section", "score", "text", "start", "end"}
        assert hit["kind"] == "reply"
        shown = runner.invoke(app, ["show", hit["doc_id"], "--start", str(hit["start"]), "--end", str(hit["end"])])
        assert shown.exit_code == 0 and shown.stdout.rstrip("\n") == hit["text"]

    again = runner.invoke(app, ["ingest", str(SAMPLE_KB), "--json"])
    assert {f["status"] for f in json.loads(again.stdout)["files"]} <= {"unchanged", "skipped"}


def test_list_stats_delete(env: Path) -> None:
    runner.invoke(app, ["ingest", str(SAMPLE_KB)])
    listed = json.loads(runner.invoke(app, ["list", "--json", "--kind", "policy"]).stdout)
    assert len(listed) == 5 and all(r["kind"] == "policy" for r in listed)
    stats = json.loads(runner.invoke(app, ["stats", "--json"]).stdout)
    assert stats["documents"] == 22 and stats["vectors"] == stats["chunks"] == stats["keyword_chunks"]
    doc_id = listed[0]["doc_id"]
    assert runner.invoke(app, ["delete", doc_id]).exit_code == 0
    assert runner.invoke(app, ["show", doc_id]).exit_code == 1
    assert json.loads(runner.invoke(app, ["stats", "--json"]).stdout)["documents"] == 21
    assert runner.invoke(app, ["check"]).exit_code == 0


def test_failures_exit_nonzero_with_reasons(env: Path) -> None:
    (env / "in").mkdir()
    (env / "in" / "empty.txt").write_text("")
    (env / "in" / "ok.txt").write_text("示例市科学技术局工作动态\n今年全市新增高新技术企业89家。", encoding="utf-8")
    result = runner.invoke(app, ["ingest", str(env / "in")])
    assert result.exit_code == 1
    assert "empty.txt" in result.output and "empty" in result.output
    assert json.loads(runner.invoke(app, ["stats", "--json"]).stdout)["documents"] == 1


def test_bad_manifest_and_bad_kind_are_explained(env: Path) -> None:
    bad = env / "m.tsv"
    bad.write_text("file\tkind\nx.txt\tletter\n", encoding="utf-8")
    result = runner.invoke(app, ["ingest", str(env), "--manifest", str(bad)])
    assert result.exit_code == 2 and "unknown kind 'letter'" in result.output
    result = runner.invoke(app, ["search", "x", "--kind", "memo"])
    assert result.exit_code != 0 and "memo" in result.output


def test_show_rejects_out_of_range_offsets(env: Path) -> None:
    runner.invoke(app, ["ingest", str(SAMPLE_KB)])
    doc_id = json.loads(runner.invoke(app, ["list", "--json"]).stdout)[0]["doc_id"]
    result = runner.invoke(app, ["show", doc_id, "--start", "5", "--end", "999999"])
    assert result.exit_code == 2 and "越界" in result.output


def test_list_filters_in_the_database(env: Path) -> None:
    runner.invoke(app, ["ingest", str(SAMPLE_KB)])
    everything = json.loads(runner.invoke(app, ["list", "--json"]).stdout)
    dates = [d["date"] for d in everything]
    assert dates == sorted(dates, reverse=True), "newest first"
    dated = [d for d in everything if d["date"]]
    cut = dated[len(dated) // 2]["date"]
    after = json.loads(runner.invoke(app, ["list", "--json", "--after", cut]).stdout)
    assert {d["doc_id"] for d in after} == {d["doc_id"] for d in dated if d["date"] >= cut}
    word = everything[0]["title"][-4:]
    titled = json.loads(runner.invoke(app, ["list", "--json", "--title", word]).stdout)
    assert titled and all(word in d["title"] or word in d["proposal_number"] for d in titled)
    assert len(json.loads(runner.invoke(app, ["list", "--json", "--limit", "2"]).stdout)) == 2
    assert json.loads(runner.invoke(app, ["list", "--json", "--title", "%"]).stdout) == [], "typed text is literal"
    bad = runner.invoke(app, ["list", "--kind", "memo"])
    assert bad.exit_code == 2 and "memo" in bad.output


def test_search_says_when_the_vector_index_is_empty(env: Path) -> None:
    from assistant.services import open_kb
    from assistant.settings import Settings
    from vectorstore.kb import VECTORS_EMPTY
    from vectorstore.vector_index import make_client

    runner.invoke(app, ["ingest", str(SAMPLE_KB)])
    kb = open_kb(Settings())
    quiet = json.loads(runner.invoke(app, ["search", "中试平台建设", "--json"]).stdout)
    assert quiet["warnings"] == []
    make_client(kb.config.chroma_path).delete_collection(kb.collection_name())
    result = runner.invoke(app, ["search", "中试平台建设", "--json"])
    data = json.loads(result.stdout)
    warning = VECTORS_EMPTY.format(chunks=kb.counts().chunks)
    assert data["hits"] and data["warnings"] == [warning]
    assert "assistant check --repair" in result.stderr
    assert "向量索引为空" in runner.invoke(app, ["search", "中试平台建设"]).stderr
    assert runner.invoke(app, ["check", "--repair"]).exit_code == 0
    assert json.loads(runner.invoke(app, ["search", "中试平台建设", "--json"]).stdout)["warnings"] == []
