"""Normalize raw text into the stored form that all offsets point into.

Normalization is deterministic: the same raw text always gives the same stored
text, so content hashes (and therefore ids) are stable across re-ingest.
"""

from __future__ import annotations

import re
import unicodedata

_CJK = r"\u3400-\u9fff\uf900-\ufaff"
_CJK_RE = re.compile(f"[{_CJK}]")

# Whole lines that are page furniture on government sites, not body text.
_RESIDUE_LINE = re.compile(
    r"^(?:"
    r"您当前所在位置.*|当前位置[:：].*|首页\s*[>›].*|.*[>›]\s*正文$|"
    r"扫一扫.*|.*扫一扫在手机打开.*|返回首页|返回顶部|返回列表|打印本页|关闭窗口|打印\s*关闭|"
    r"【?\s*字体[:：]?\s*[大中小\s]+】?.*|分享到[:：]?.*|相关新闻|相关链接|相关文章|上一篇.*|下一篇.*|"
    r"来源[:：].{0,40}(?:发布时间|发布日期)[:：].*|(?:阅读|浏览)(?:次数|量)?[:：]\s*\d+|"
    r"温馨提示|如已完成请点击.*|>>\s*END\s*<<|.*微信$|责任编辑[:：].*|浏览次数[:：].*|"
    r"\[?\s*(?:打印|关闭|收藏)\s*\]?(?:\s*\[?\s*(?:打印|关闭|收藏)\s*\]?)*|"
    r"(?:网站|站点)地图|联系我们|版权所有.*|Copyright.*|.*ICP备.*|.*公网安备.*"
    r")$",
    re.IGNORECASE,
)
_BULLET = re.compile(r"^[•·▪●■◆]\s*")
_FULLWIDTH_ALNUM = {c: c - 0xFEE0 for c in [*range(0xFF10, 0xFF1A), *range(0xFF21, 0xFF3B), *range(0xFF41, 0xFF5B), 0xFF05, 0xFF0E]}
_HALF_PUNCT = {",": "，", ":": "：", ";": "；", "!": "！", "?": "？"}
_HALF_PUNCT_RE = re.compile("[,:;!?]")


def normalize_text(raw: str) -> str:
    """Return the stored text: clean lines, Chinese punctuation, no page furniture."""
    text = unicodedata.normalize("NFC", raw.replace("\r\n", "\n").replace("\r", "\n"))
    # Full-width digits and letters become ASCII so that figures match however typed.
    text = text.translate(_FULLWIDTH_ALNUM)
    lines = []
    seen_long: set[str] = set()
    for line in text.split("\n"):
        line = _clean_line(line)
        if not line:
            lines.append("")
            continue
        if _RESIDUE_LINE.match(line):
            continue
        # Some sites paste the same boilerplate line many times; keep the first.
        if len(line) >= 20:
            if line in seen_long:
                continue
            seen_long.add(line)
        lines.append(line)
    out = "\n".join(lines)
    out = re.sub(r"\n{2,}", "\n", out)
    return out.strip()


def _clean_line(line: str) -> str:
    # A printable line has no control or format characters (category C): most lines, and the per-character
    # check was a third of normalizing.
    if not line.isprintable():
        line = "".join(ch for ch in line if ch == "\t" or unicodedata.category(ch)[0] != "C")
    line = line.replace("\t", " ").replace("\u3000", " ")
    line = re.sub(r" {2,}", " ", line).strip()
    line = _BULLET.sub("", line)
    line = chinese_punctuation(line)
    return line


def chinese_punctuation(line: str) -> str:
    """Use full-width punctuation where it touches Chinese text; keep 3.5, 1,000, 10:30."""
    if not _CJK_RE.search(line):
        return line
    if _HALF_PUNCT_RE.search(line):
        line = _widen_punctuation(line)
    if "(" in line:
        line = _fix_parens(line)
    line = re.sub(r"\s*([，：；！？（）])\s*", _keep_paren_space, line)
    return line


def _widen_punctuation(line: str) -> str:
    chars = list(line)
    n = len(chars)
    for i, ch in enumerate(chars):
        if ch in _HALF_PUNCT:
            prev = chars[i - 1] if i > 0 else ""
            nxt = chars[i + 1] if i + 1 < n else ""
            if prev.isdigit() and nxt.isdigit():
                continue
            if _is_cjkish(prev) or _is_cjkish(nxt) or not nxt or nxt == " ":
                chars[i] = _HALF_PUNCT[ch]
    return "".join(chars)


def _keep_paren_space(m: re.Match[str]) -> str:
    return m.group(1)


def _is_cjkish(ch: str) -> bool:
    return bool(ch) and (bool(_CJK_RE.match(ch)) or ch in "“”‘’《》〈〉「」『』、。（）【】〔〕…—")


def _fix_parens(line: str) -> str:
    """Turn ASCII parentheses into Chinese ones when they enclose or touch Chinese text."""
    out = list(line)
    stack: list[int] = []
    for i, ch in enumerate(out):
        if ch == "(":
            stack.append(i)
        elif ch == ")" and stack:
            j = stack.pop()
            inner = line[j + 1 : i]
            before = line[j - 1] if j > 0 else ""
            if _CJK_RE.search(inner) or _is_cjkish(before) or re.fullmatch(r"[一二三四五六七八九十\d]+", inner):
                out[j], out[i] = "（", "）"
    return "".join(out)


def content_hash(text: str) -> str:
    import hashlib

    return hashlib.sha256(text.encode("utf-8")).hexdigest()
