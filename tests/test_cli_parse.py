"""`assistant parse`: what was read from a proposal, shown before drafting; bad input exits 2 in Chinese."""

from __future__ import annotations

import json
from pathlib import Path

import docx
import pytest
from typer.testing import CliRunner

from assistant.cli import app
from conftest import SAMPLE_KB

runner = CliRunner()
PROPOSAL = SAMPLE_KB / "proposals" / "proposal_2025_jy121.txt"
UNSURE = "关于样例村修路的建议\n样例村道路坑洼，雨天泥泞。因此建议县交通局硬化村道。\n"


def test_text_file_is_shown_field_by_field() -> None:
    result = runner.invoke(app, ["parse", str(PROPOSAL)])
    assert result.exit_code == 0, result.output
    out = result.stdout
    assert "编号：121" in out and "提出人：郑某某（人大代表）" in out and "类型：建议（人大）" in out
    assert "建议（4 条）：" in out and "  3. 发挥政府引导基金作用" in out
    assert "请核对" not in out


def test_json_output_is_the_proposal_contract() -> None:
    result = runner.invoke(app, ["parse", str(PROPOSAL), "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert set(data) >= {"title", "number", "session", "proposer", "proposer_type", "kind", "suggestions", "warnings", "body"}
    assert data["number"] == "121" and len(data["suggestions"]) == 4 and data["warnings"] == []


def test_stdin_and_warnings() -> None:
    result = runner.invoke(app, ["parse", "-"], input=UNSURE)
    assert result.exit_code == 0, result.output
    assert "编号：（未识别）" in result.stdout
    assert "  1. 因此建议县交通局硬化村道" in result.stdout
    assert "请核对：" in result.stdout and "未识别出编号、提出人" in result.stdout
    data = json.loads(runner.invoke(app, ["parse", "-", "--json"], input=UNSURE).stdout)
    assert any("提出请求的句子" in w for w in data["warnings"])


def test_docx_md_and_json_inputs(tmp_path: Path) -> None:
    document = docx.Document()
    for line in UNSURE.splitlines():
        document.add_paragraph(line)
    document.save(str(tmp_path / "p.docx"))
    (tmp_path / "p.md").write_text(UNSURE, encoding="utf-8")
    (tmp_path / "p.json").write_text(json.dumps({"title": "关于示例的提案", "suggestions": ["甲", "乙"]}, ensure_ascii=False),
                                     encoding="utf-8")
    for name in ("p.docx", "p.md"):
        data = json.loads(runner.invoke(app, ["parse", str(tmp_path / name), "--json"]).stdout)
        assert data["suggestions"] == ["因此建议县交通局硬化村道"], name
    result = runner.invoke(app, ["parse", str(tmp_path / "p.json")])
    assert result.exit_code == 0 and "  2. 乙" in result.stdout


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("missing.txt", None, "找不到该文件"),
        ("p.xls", b"\xd0\xcf\x11\xe0", "不支持的文件类型"),
        ("empty.txt", b"", "文件是空的"),
        ("short.txt", "关于提案".encode(), "为空或过短"),
        ("bad.json", b"{not json", "不是有效的提案 JSON"),
        ("wrong.json", json.dumps({"suggestions": "甲"}).encode(), "字段有误：suggestions"),
        ("broken.docx", b"PK\x03\x04 not a zip", "Word 文件已损坏"),
    ],
)
def test_bad_input_is_explained_in_chinese(tmp_path: Path, name: str, content: bytes | None, message: str) -> None:
    path = tmp_path / name
    if content is not None:
        path.write_bytes(content)
    result = runner.invoke(app, ["parse", str(path)])
    assert result.exit_code == 2
    assert "提案无法读取" in result.output and message in result.output


def test_empty_stdin_exits_2() -> None:
    result = runner.invoke(app, ["parse", "-"], input="")
    assert result.exit_code == 2 and "请粘贴提案全文" in result.output


def test_draft_shows_the_parse_warnings_first(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ASSISTANT_KB_DIR", str(tmp_path / "kb"))
    monkeypatch.setenv("ASSISTANT_EMBEDDING_MODEL", "hashing")
    result = runner.invoke(app, ["draft", "-", "--reply-date", "2025-06-30"], input=UNSURE)
    assert result.exit_code == 0, result.output
    assert "提案解析提示" in result.output and "提出请求的句子" in result.output
