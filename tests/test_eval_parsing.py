"""The proposal-reader scorer (eval/parsing.py), its CLI, and the reader's accuracy on the real texts."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from assistant.cli import app
from assistant.models import Proposal
from conftest import ROOT, shared_path
from eval.parsing import compare_lists, loose_match, score_folder

runner = CliRunner()
# The level reached on ../shared/proposals: every one of the 29 texts has its list exactly right.
MIN_ACCURACY = 1.0
MIN_FIELD_ACCURACY = {"title": 0.95, "number": 0.95, "proposer": 0.95}


def test_lists_compare_item_by_item_ignoring_punctuation_and_spaces() -> None:
    assert compare_lists(["加大投入，完善机制", "建立 基金"], ["加大投入、完善机制。", "建立基金；"]) == (True, "")
    assert compare_lists(["加大投入"], ["加大投入", "建立基金"]) == (False, "应为 2 条，识别出 1 条")
    assert compare_lists(["加大投入", "设立基金"], ["加大投入", "建立基金"]) == (False, "第 2 条不同")


def test_one_suggestion_is_matched_loosely() -> None:
    gold = "因此建议市公交公司恢复站台遮阳棚和长条凳，方便候车群众。"
    assert loose_match("建议市公交公司恢复站台遮阳棚和长条凳", gold)
    assert loose_match("站台拆除后群众候车不便。因此建议市公交公司恢复站台遮阳棚和长条凳，方便候车群众", gold)
    assert not loose_match("方便候车群众", gold), "a fragment is not the suggestion"
    assert not loose_match("我市公交站台众多，" * 10 + gold, gold), "the whole body is not the suggestion"
    assert compare_lists(["甲", "乙"], [gold]) == (False, "应为 1 条，识别出 2 条")


def _gold_folder(tmp_path: Path) -> Path:
    texts = tmp_path / "texts"
    texts.mkdir(parents=True)
    (texts / "a.txt").write_text("关于示例的提案\n提案人：甲某某委员\n建议：一是设立基金；二是培养人才。\n", encoding="utf-8")
    (texts / "b.txt").write_text("关于样例的建议\n路灯损坏。因此建议尽快修复路灯。\n", encoding="utf-8")
    rows = [
        {"file": "texts/a.txt", "title": "关于示例的提案", "number": "", "proposer": "甲某某", "proposer_type": "member",
         "kind": "proposal", "suggestions": ["设立基金", "培养人才"], "format": "inline 一是"},
        {"file": "texts/b.txt", "title": "关于样例的建议", "number": "第7号", "proposer": "", "proposer_type": "unknown",
         "kind": "suggestion", "suggestions": ["因此建议尽快修复路灯。", "另一条"], "format": "buried ask"},
    ]
    (tmp_path / "gold.jsonl").write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in rows), encoding="utf-8")
    return tmp_path


def test_score_folder_reports_each_file(tmp_path: Path) -> None:
    score = score_folder(_gold_folder(tmp_path))
    a, b = score.files
    assert a.ok and a.mode == "exact" and all(a.fields.values())
    assert not b.ok and b.problem == "应为 2 条，识别出 1 条" and not b.fields["number"] and b.fields["title"]
    totals = score.totals()
    assert (totals.suggestions.right, totals.suggestions.n) == (1, 2)
    assert totals.fields["number"] == 0.5


def test_score_folder_with_another_reader(tmp_path: Path) -> None:
    score = score_folder(_gold_folder(tmp_path), reader=lambda path: Proposal(suggestions=["设立基金", "培养人才"]))
    assert [f.ok for f in score.files] == [True, False]


def test_eval_parse_cli(tmp_path: Path) -> None:
    folder = _gold_folder(tmp_path)
    result = runner.invoke(app, ["eval", "parse", str(folder)])
    assert result.exit_code == 0, result.output
    assert "错 texts/b.txt" in result.stdout and "应为 1. 因此建议尽快修复路灯。" in result.stdout
    assert "建议列表完全正确：1/2（50.0%）" in result.stdout
    data = json.loads(runner.invoke(app, ["eval", "parse", str(folder), "--json"]).stdout)
    assert data["totals"]["suggestions"] == {"right": 1, "n": 2, "accuracy": 0.5}
    assert [f["ok"] for f in data["files"]] == [True, False]
    missing = runner.invoke(app, ["eval", "parse", str(tmp_path / "texts")])
    assert missing.exit_code == 2 and "找不到标注文件" in missing.output


@pytest.mark.parametrize(("archive", "n"), [("chengjiang", 4), ("luchuan", 3), ("qinglan", 3)])
def test_reader_on_the_sample_archive_proposals(archive: str, n: int) -> None:
    """The fictional archives' proposals were annotated independently of the reader: every list and header right."""
    score = score_folder(ROOT / "sample_archives" / archive / "proposals")
    assert len(score.files) == n
    assert not score.failures, [(f.file, f.problem, f.got) for f in score.failures]
    assert all(all(f.fields.values()) for f in score.files), [(f.file, f.fields) for f in score.files]
    assert all(f.warnings == [] for f in score.files), [(f.file, f.warnings) for f in score.files]


@pytest.mark.shared
def test_reader_accuracy_on_the_real_proposals() -> None:
    score = score_folder(shared_path("proposals"))
    totals = score.totals()
    failures = "\n".join(f"{f.file}: {f.problem}\n  应为 {f.expected}\n  识别 {f.got}" for f in score.failures)
    assert totals.suggestions.n == 29
    assert totals.suggestions.accuracy >= MIN_ACCURACY, f"{totals.suggestions}\n{failures}"
    for name, floor in MIN_FIELD_ACCURACY.items():
        wrong = [f.file for f in score.files if not f.fields[name]]
        assert totals.fields[name] >= floor, f"{name}: {totals.fields[name]} < {floor}; wrong in {wrong}"
