"""Every reason a file is refused reaches the user in Chinese, saying what to do."""

from __future__ import annotations

import io
import re
import zipfile
from pathlib import Path

import pytest

from assistant.read_errors import explain
from vectorstore.kb import KnowledgeBase
from vectorstore.readers import ReadError, read_file

# Two English words in a row: a sentence left untranslated (names like UTF-8, GBK, OCR, .docx are fine).
_ENGLISH = re.compile(r"[A-Za-z]{2,}[ ,;]+[A-Za-z]{2,}")


def _docx_without_body() -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        zf.writestr("hello.txt", "x")
    return buf.getvalue()


def _pdf_without_text() -> bytes:
    from pypdf import PdfWriter

    writer = PdfWriter()
    writer.add_blank_page(width=200, height=200)
    buf = io.BytesIO()
    writer.write(buf)
    return buf.getvalue()


CASES: list[tuple[str, bytes, str]] = [
    ("a.exe", b"MZ", "不支持的文件类型 .exe"),
    ("big.txt", "中".encode() * 400, "文件太大"),
    ("empty.txt", b"  \n", "文件是空的"),
    ("image.txt", bytes(range(256)) * 3, "不是文字"),
    ("utf16.txt", b"\xff\xfe" + b"\x00\xd8", "UTF-16"),
    ("latin.txt", "Ærøskøbing ÿþ ÐÑÒ çà".encode("latin-1") * 20, "编码"),
    ("zip.docx", b"PK\x03\x04 not really a zip", "Word 文件已损坏"),
    ("nobody.docx", _docx_without_body(), "这不是 Word 文档"),
    ("broken.pdf", b"%PDF-1.4 garbage", "PDF 文件已损坏"),
    ("scan.pdf", _pdf_without_text(), "扫描件"),
]


@pytest.mark.parametrize(("name", "data", "expected"), CASES, ids=[c[0] for c in CASES])
def test_reader_failures_are_explained_in_chinese(tmp_path: Path, name: str, data: bytes, expected: str) -> None:
    path = tmp_path / name
    path.write_bytes(data)
    with pytest.raises(ReadError) as err:
        read_file(path, max_bytes=1000)
    message = explain(str(err.value))
    assert expected in message, (str(err.value), message)
    assert "：" in message and not _ENGLISH.search(message), message


def test_size_message_names_the_setting_only_where_it_applies() -> None:
    reason = "file too large (6291456 bytes > limit 5242880); split it or raise ASSISTANT_MAX_FILE_BYTES"
    assert explain(reason) == "文件太大（6.0 MB，上限 5.0 MB）：请拆分成几个文件再导入，或请管理员调大 ASSISTANT_MAX_FILE_BYTES"
    assert "ASSISTANT_" not in explain(reason, setting=False)


def test_ingest_reasons_are_explained_in_chinese(tmp_path: Path, kb: KnowledgeBase) -> None:
    docs = tmp_path / "docs"
    (docs / "sub").mkdir(parents=True)
    text = "示例市科学技术局关于中试平台建设情况的通报，全市建成中试平台十二家。\n示例市科学技术局\n2024年3月1日\n"
    (docs / "a.txt").write_text(text, encoding="utf-8")
    (docs / "sub" / "copy.txt").write_text(text, encoding="utf-8")
    (docs / "nav.html").write_text("<html><body><nav>首页 政务公开</nav></body></html>", encoding="utf-8")
    (docs / "tool.exe").write_bytes(b"MZ")
    report = kb.ingest([docs, tmp_path / "missing"])
    reasons = {Path(f.path).name: explain(f.reason) for f in report.files if f.reason}
    assert set(reasons) == {"copy.txt", "nav.html", "tool.exe", "missing"}, reasons
    for name, message in reasons.items():
        assert not _ENGLISH.search(message), (name, message)
    assert reasons["copy.txt"].startswith("与已入库的文档") and "没有正文" in reasons["nav.html"]


def test_unknown_reasons_pass_through() -> None:
    assert explain("磁盘已满") == "磁盘已满"


def test_cli_ingest_summary_names_every_file_not_stored(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from typer.testing import CliRunner

    from assistant.cli import app
    from conftest import SAMPLE_KB

    monkeypatch.setenv("ASSISTANT_KB_DIR", str(tmp_path / "kb"))
    monkeypatch.setenv("ASSISTANT_EMBEDDING_MODEL", "hashing")
    result = CliRunner().invoke(app, ["ingest", str(SAMPLE_KB)])
    assert result.exit_code == 0, result.output
    skipped = [line for line in result.output.splitlines() if line.startswith("跳过 ")]
    listed = {p.name for p in (SAMPLE_KB / "proposals").glob("*.txt")}
    assert skipped and {Path(line.split("：")[0][3:]).name for line in skipped} >= listed
    assert all("清单（MANIFEST）中没有这个文件" in line for line in skipped)
    summary = next(line for line in result.output.splitlines() if line.startswith("完成："))
    assert f"跳过 {len(skipped)}" in summary and "新增" in summary and "skipped" not in summary


def test_proposal_reader_messages_lose_their_english_original() -> None:
    from assistant.read_errors import reader_reason

    assert reader_reason("不是文本文件，请另存为 .txt 或 .docx（binary content (not a text document)）") == \
        "不是文本文件，请另存为 .txt 或 .docx"
    assert reader_reason("无法读取（file is empty）") == "文件是空的：请检查是否选错了文件"
    assert reader_reason("找不到该文件，请检查路径") == "找不到该文件，请检查路径"
