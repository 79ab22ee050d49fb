"""`assistant draft --docx` writes the letter to send, `--review-docx` the review copy."""

from __future__ import annotations

import io
import re
from pathlib import Path

import docx
import pytest
from typer.testing import CliRunner

from assistant.cli import app
from conftest import SAMPLE_KB

runner = CliRunner()


def _texts(path: Path) -> list[str]:
    return [p.text for p in docx.Document(io.BytesIO(path.read_bytes())).paragraphs]


def test_letter_and_review_copies(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ASSISTANT_KB_DIR", str(tmp_path / "kb"))
    monkeypatch.setenv("ASSISTANT_EMBEDDING_MODEL", "hashing")
    monkeypatch.setenv("ASSISTANT_LLM_BASE_URL", "")
    assert runner.invoke(app, ["ingest", str(SAMPLE_KB)]).exit_code == 0
    letter, review = tmp_path / "reply.docx", tmp_path / "review.docx"
    result = runner.invoke(app, ["draft", str(SAMPLE_KB / "proposals" / "proposal_2025_ta088.txt"),
                                 "--reply-date", "2025-06-20", "--docx", str(letter), "--review-docx", str(review)])
    assert result.exit_code == 0, result.output
    sent, checked = _texts(letter), _texts(review)
    assert any("第88号" in t for t in sent)
    assert not any(re.search(r"\[\d+\]", t) for t in sent) and "附：引用来源（供审核）" not in sent
    assert any(re.search(r"\[\d+\]", t) for t in checked) and "附：引用来源（供审核）" in checked
    assert "--review-docx" in runner.invoke(app, ["draft", "--help"]).output
