"""Why a file could not be read or ingested, in Chinese, with what to do about it.

The readers and the knowledge base give their reasons as short English phrases (they are logged and
tested as such); everything a user sees (the web upload results, the proposal upload, the CLI's ingest
summary) goes through :func:`explain`. A reason no rule knows is shown unchanged.
"""

from __future__ import annotations

import re
from collections.abc import Callable

_TYPES = "、".join(sorted({".txt", ".md", ".html", ".htm", ".docx", ".pdf"}))
_RESAVE_UTF8 = "请用记事本或 WPS/Word 另存为 UTF-8 编码的文本后再导入"
_RESAVE_DOCX = "请用 Word 或 WPS 打开后另存为 .docx 再导入"


def _size(n: str) -> str:
    value = int(n)
    return f"{value / 1024 / 1024:.1f} MB" if value >= 1024 * 1024 else f"{max(1, value // 1024)} KB"


def _rules(setting: bool) -> list[tuple[str, Callable[[re.Match[str]], str]]]:
    raise_limit = "，或请管理员调大 ASSISTANT_MAX_FILE_BYTES" if setting else ""
    return [
        (r"unsupported file type '([^']*)'(?:; supported: [^;]*)?",
         lambda m: f"不支持的文件类型 {m.group(1)}：只能导入 {_TYPES} 文件"),
        (r"file too large \((\d+) bytes > limit (\d+)\)(?:; split it or raise ASSISTANT_MAX_FILE_BYTES)?",
         lambda m: f"文件太大（{_size(m.group(1))}，上限 {_size(m.group(2))}）：请拆分成几个文件再导入{raise_limit}"),
        (r"cannot read file: (.*)", lambda m: f"无法读取文件（{m.group(1)}）：请检查文件是否存在、是否有读取权限"),
        (r"file is empty", lambda m: "文件是空的：请检查是否选错了文件"),
        (r"invalid UTF-16 text", lambda m: f"文件的 UTF-16 编码有误：{_RESAVE_UTF8}"),
        (r"binary content \(not a text document\)",
         lambda m: "文件内容不是文字（可能是图片、压缩包或其他程序的文件改了扩展名）：请导入真正的文本或 Word 文档"),
        (r"unknown text encoding \(neither UTF-8 nor GB18030/GBK\)(?:; re-save the file as UTF-8)?",
         lambda m: f"无法识别文件的文字编码（既不是 UTF-8，也不是 GBK/GB18030）：{_RESAVE_UTF8}"),
        (r"text decodes as GB18030 but does not look like Chinese text(?:; re-save the file as UTF-8)?",
         lambda m: f"文件按 GBK 解码后不像中文，编码可能有误：{_RESAVE_UTF8}"),
        (r"docx expands to (\d+) bytes \(possible zip bomb\); refused",
         lambda m: f"Word 文件解压后过大（{_size(m.group(1))}），疑似异常文件，已拒绝：{_RESAVE_DOCX}"),
        (r"not a Word document \(word/document\.xml missing\)", lambda m: f"这不是 Word 文档（缺少正文部分）：{_RESAVE_DOCX}"),
        (r"corrupt or truncated \.docx \(not a valid zip archive\)", lambda m: f"Word 文件已损坏或不完整：{_RESAVE_DOCX}"),
        (r"corrupt \.docx: .*", lambda m: f"Word 文件已损坏：{_RESAVE_DOCX}"),
        (r"corrupt or unreadable PDF: .*", lambda m: "PDF 文件已损坏或无法读取：请重新导出 PDF，或导入 Word/文本版本"),
        (r"PDF has no extractable text \(scanned image\?\); run OCR first",
         lambda m: "PDF 中没有可提取的文字（可能是扫描件）：请先做文字识别（OCR），或导入 Word/文本版本"),
        (r"not listed in the manifest", lambda m: "清单（MANIFEST）中没有这个文件，未导入；如需导入，请在清单中补上一行"),
        (r"no usable text after cleaning \(empty or only page furniture\)",
         lambda m: "去掉网页导航、页脚等内容后没有正文：请检查文件内容"),
        (r"same document id as (.+?) \(same path relative to its folder\); ingest their common parent folder so both are kept",
         lambda m: f"与 {m.group(1)} 的相对路径相同：请导入它们共同的上级文件夹，两份都会保留"),
        (r"document id (\S+) is already held by (.+?) \(hash clash\); rename the file",
         lambda m: f"文档编号 {m.group(1)} 已被 {m.group(2)} 占用：请给文件改个名字再导入"),
        (r"same text as document (\S+)", lambda m: f"与已入库的文档 {m.group(1)} 内容相同，未重复导入"),
        (r"no such file or directory", lambda m: "文件或文件夹不存在：请检查路径"),
        (r"not a valid proposal JSON \((.*)\)", lambda m: "不是有效的提案 JSON 文件：请检查字段名和格式"),
    ]


_COMPILED = {flag: [(re.compile(p), f) for p, f in _rules(flag)] for flag in (True, False)}


def explain(reason: str, *, setting: bool = True) -> str:
    """``reason`` in Chinese; ``setting``: mention the ingest size setting (false where it does not apply)."""
    out = reason
    for pattern, make in _COMPILED[setting]:
        out = pattern.sub(make, out)
    return out


_WITH_ORIGINAL = re.compile(r"(.*?)（([\x00-\x7f]+)）")


def reader_reason(message: str) -> str:
    """A proposal reader's message for a user: its Chinese reason without the English original it keeps in
    brackets for support staff; a reason it had no words for is explained here."""
    match = _WITH_ORIGINAL.fullmatch(message.strip())
    if match is None:
        return explain(message, setting=False)
    chinese, original = match.groups()
    return explain(original, setting=False) if chinese in ("", "无法读取") else chinese

