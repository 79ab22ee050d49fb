"""Text measures the metrics share: content characters, bigrams, LCS / ROUGE-L, figures, keywords.

Everything compares *content characters* (CJK, Latin letters, digits and the few symbols that belong
to figures) so that punctuation, whitespace and citation markers neither help nor hurt a score.
"""

from __future__ import annotations

import re
from collections import Counter

from assistant.rules.figures import MARKER, normalize, occurs_in, strip_markers
from assistant.rules.figures import figures as rule_figures
from vectorstore.tokenize import STOPWORDS, words

_NON_CONTENT = re.compile(r"[^\u3400-\u9fff\uf900-\ufaffA-Za-z0-9%.]+")
__all__ = ["MARKER", "strip_markers"]


def content(text: str) -> str:
    """Only the characters that carry meaning: no whitespace, punctuation or [n] markers."""
    return _NON_CONTENT.sub("", strip_markers(text))


def bigrams(text: str) -> set[str]:
    c = content(text)
    if len(c) == 1:
        return {c}
    return {c[i : i + 2] for i in range(len(c) - 1)}


def jaccard(a: set[str], b: set[str]) -> float:
    if not a and not b:
        return 0.0
    return len(a & b) / len(a | b)


def bigram_jaccard(a: str, b: str) -> float:
    return jaccard(bigrams(a), bigrams(b))


def lcs_length(a: str, b: str) -> int:
    """Length of the longest common subsequence, bit-parallel (Allison–Dix / Hyyrö).

    One bit per character of ``a`` in a Python integer; each character of ``b`` costs a handful of
    big-integer operations, so 3000 × 3000 characters take a few milliseconds instead of the
    nine million steps of the textbook table.
    """
    if not a or not b:
        return 0
    masks: dict[str, int] = {}
    for i, ch in enumerate(a):
        masks[ch] = masks.get(ch, 0) | (1 << i)
    full = (1 << len(a)) - 1
    v = full
    for ch in b:
        u = v & masks.get(ch, 0)
        v = ((v + u) | (v - u)) & full
    return len(a) - v.bit_count()


def lcs_length_dp(a: str, b: str) -> int:
    """The row-wise O(n·m) table; kept as the reference the fast version is tested against."""
    prev = [0] * (len(b) + 1)
    for ca in a:
        cur = [0]
        for j, cb in enumerate(b, start=1):
            cur.append(prev[j - 1] + 1 if ca == cb else max(prev[j], cur[j - 1]))
        prev = cur
    return prev[-1]


def rouge_l(candidate: str, reference: str, *, raw: bool = False) -> float:
    """Character-level ROUGE-L F1; content characters only unless ``raw``."""
    c = candidate if raw else content(candidate)
    r = reference if raw else content(reference)
    lcs = lcs_length(c, r)
    if lcs == 0:
        return 0.0
    p, rec = lcs / len(c), lcs / len(r)
    return 2 * p * rec / (p + rec)


def unigram_f1_bound(a: str, b: str) -> float:
    """An upper bound of ROUGE-L F1 (LCS never exceeds the shared character multiset); cheap pre-filter."""
    ca, cb = content(a), content(b)
    if not ca or not cb:
        return 0.0
    common = sum((Counter(ca) & Counter(cb)).values())
    return 2 * common / (len(ca) + len(cb))


def normalize_figure(fig: str) -> str:
    return normalize(fig)


def figures(text: str) -> list[str]:
    """Figures (numbers with units) in ``text``, normalized: 1,200万元 → 1200万元, 300多家 → 300余家."""
    return rule_figures(text)


def figure_in(fig: str, source_text: str) -> bool:
    """True when the normalized figure occurs in the source, not as the tail of a longer number."""
    return occurs_in(fig, source_text)


def keywords(text: str) -> set[str]:
    """jieba words of two or more characters, without stopwords and bare numbers."""
    return {
        w for w in words(strip_markers(text))
        if len(w) >= 2 and w not in STOPWORDS and not re.fullmatch(r"[\d.%]+", w)
    }
