"""The fast segmenter (rjieba) must cut exactly as jieba does: stored index terms may come from either."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

import vectorstore.tokenize as tk
from vectorstore.chunker import chunk_document
from vectorstore.normalize import normalize_text
from vectorstore.readers import SUPPORTED, read_file

SAMPLE_KB = Path(__file__).resolve().parents[1] / "sample_kb"
# Where rjieba and jieba used to part: Latin runs with punctuation (dates, file names, URLs), dictionary words
# that are not alphanumeric (C++), CJK extension A and other characters outside jieba's blocks, line breaks.
EDGE_CASES = [
    "发布时间：2024-01-18，见 sample_kb 与 demo_proposal.json。",
    "C++与C#课程、R&D投入3.5%、GDP增长1,000亿元，PM2.5下降；COVID-19、Wi-Fi、e-mail、v1.0、H7N9。",
    "网址http://www.example.gov.cn/a_b.html和卡拉OK、T恤、B超、X光",
    "㐀㐀山区命级iPhone14区a.b.c，揭榜挂帅中试平台㐀_x第①条",
    "高新技术企业\r\n规上企业\t技转 中试基地——〇丶😀𠀀Ａ３.5…",
    "",
]


def _sample_texts() -> list[str]:
    texts = []
    for f in sorted(SAMPLE_KB.rglob("*")):
        if f.suffix.lower() in SUPPORTED and not f.name.startswith("."):
            texts += [c.text for c in chunk_document("t", normalize_text(read_file(f, 1 << 24)), "reply")]
    return texts


def test_rjieba_cuts_as_jieba_does() -> None:
    pytest.importorskip("rjieba")
    fast = tk._RustCutter(tk._USERDICT)
    slow = tk._python_cutter()
    texts = _sample_texts() + EDGE_CASES
    assert len(texts) > 100
    for text in texts:
        assert fast(text) == slow(text), text


def test_userdict_words_stay_whole_with_rjieba() -> None:
    pytest.importorskip("rjieba")
    assert "揭榜挂帅" in tk._RustCutter(tk._USERDICT)("实行揭榜挂帅制度")


def test_without_rjieba_jieba_segments(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "rjieba", None)  # import fails as when it is not installed
    monkeypatch.setattr(tk, "_READY", False)
    monkeypatch.setattr(tk, "_CUT", None)
    assert tk.words("实行揭榜挂帅，建设中试平台") == ["实行", "揭榜挂帅", "建设", "中试平台"]
    assert tk._CUT is not None and not isinstance(tk._CUT, tk._RustCutter)
