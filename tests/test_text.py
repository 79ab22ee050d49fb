"""Reading, encoding detection, web residue, punctuation and sentence splitting."""

from __future__ import annotations

from pathlib import Path

import pytest

from vectorstore.normalize import normalize_text
from vectorstore.readers import ReadError, read_file
from vectorstore.sentences import split_sentences

BODY = "您提出的《关于加快中试平台建设的提案》收悉。截至2023年底，全市累计建成市级中试平台12家。"


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gb18030", "gbk", "utf-16"])
def test_encodings_are_detected(tmp_path: Path, encoding: str) -> None:
    f = tmp_path / "a.txt"
    f.write_bytes(BODY.encode(encoding))
    assert normalize_text(read_file(f, 10**6)) == BODY


def test_latin1_garbage_is_refused_not_misread(tmp_path: Path) -> None:
    f = tmp_path / "a.txt"
    f.write_bytes("Ünïcödé façade résumé naïve".encode("latin-1") * 3)
    with pytest.raises(ReadError, match=r"encoding|Chinese"):
        read_file(f, 10**6)


@pytest.mark.parametrize(
    ("name", "data", "reason"),
    [
        ("empty.txt", b"   \n", "empty"),
        ("bin.txt", bytes(range(256)) * 4, "binary"),
        ("x.exe", b"MZ...", "unsupported"),
        ("broken.docx", b"PK\x03\x04 not really a zip", "corrupt"),
        ("scan.pdf", b"%PDF-1.4 garbage", "PDF"),
    ],
)
def test_bad_files_raise_clear_errors(tmp_path: Path, name: str, data: bytes, reason: str) -> None:
    f = tmp_path / name
    f.write_bytes(data)
    with pytest.raises(ReadError, match=reason):
        read_file(f, 10**6)


def test_oversized_file_is_refused(tmp_path: Path) -> None:
    f = tmp_path / "big.txt"
    f.write_text(BODY * 100, encoding="utf-8")
    with pytest.raises(ReadError, match="too large"):
        read_file(f, 100)


def test_docx_and_html_are_read(tmp_path: Path) -> None:
    import docx

    d = docx.Document()
    d.add_paragraph("示例市科学技术局关于第1号提案答复的函")
    d.add_paragraph(BODY)
    d.save(str(tmp_path / "a.docx"))
    assert BODY in read_file(tmp_path / "a.docx", 10**6)
    html = f"<html><body><nav>首页 > 政务公开</nav><script>var x=1;</script><p>{BODY}</p></body></html>"
    (tmp_path / "a.html").write_text(html, encoding="utf-8")
    text = normalize_text(read_file(tmp_path / "a.html", 10**6))
    assert text == BODY


def test_web_residue_is_stripped_but_body_kept() -> None:
    raw = (
        "您当前所在位置:首页 > 信息公开 > 政协提案\n标题\n来源:本网 发布时间: 2024-07-30 17:06:00\n"
        f"{BODY}\n分享到：微信 微博\n扫一扫在手机打开当前页\n返回首页\n相关新闻\n"
    )
    text = normalize_text(raw)
    assert text == f"标题\n{BODY}"


def test_punctuation_becomes_chinese_only_beside_chinese() -> None:
    text = normalize_text("民建泸州市委:\n(一)以政策为牵引,贷款3.5亿元,合计1,000家,时间10:30")
    assert text == "民建泸州市委：\n（一）以政策为牵引，贷款3.5亿元，合计1,000家，时间10:30"


def test_repeated_boilerplate_line_kept_once() -> None:
    line = "以校院地协同创新为重点牵引全市科技创新工作系统推进。"
    assert normalize_text(f"{line}\n正文\n{line}\n{line}") == f"{line}\n正文"


def test_sentences_keep_quotes_numbers_and_offsets() -> None:
    text = "他说：“要加快发展。再说。”全市建成3.5个平台。截至5月底，投资25.6亿元！第二行\n第三行"
    spans = split_sentences(text)
    assert [s.text for s in spans] == [
        "他说：“要加快发展。再说。”全市建成3.5个平台。", "截至5月底，投资25.6亿元！", "第二行", "第三行",
    ]
    assert all(text[s.start : s.end] == s.text for s in spans)


@pytest.mark.parametrize(("raw", "stored"), [
    ("全市\u200b建成\x07平台(12家),服务企业:300家", "全市建成平台（12家），服务企业：300家"),  # slow path: format/control chars
    ("全市建成平台(12家),服务企业:300家", "全市建成平台（12家），服务企业：300家"),  # printable line, same result
    ("增长3.5%,达到1,000家 (见附件)", "增长3.5%，达到1,000家（见附件）"),
    ("Version 1.0 (beta), see: notes", "Version 1.0 (beta), see: notes"),  # no Chinese: untouched
    ("科技\t创新\u3000平台", "科技 创新 平台"),
])
def test_normalize_cleans_lines_with_and_without_control_characters(raw: str, stored: str) -> None:
    assert normalize_text(raw) == stored
