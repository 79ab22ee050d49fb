"""Chinese word segmentation shared by the keyword index and the static embedder.

jieba is initialised once, lazily, with the domain dictionary shipped in
``vectorstore/data/userdict.txt`` (policy terms, place names), so 揭榜挂帅 or
中试平台 stay single tokens.

Segmentation runs on rjieba (jieba's algorithm and dictionary in Rust, ~8× the speed: tokenizing was most of
an ingest's CPU time) when it is installed, else on jieba itself. ``_RustCutter`` reproduces jieba's cut
exactly, so both give the same words and the stored index terms do not depend on which one made them
(tests/test_tokenize.py compares them on the sample knowledge base and on mixed-script edge cases).

The BM25 index keeps ``index_terms``: jieba words plus every overlapping bigram of Chinese characters.
Staff shorten and reword (技转 for 技术转移, 规上 for 规模以上); a word segmenter cuts such text
differently from the passage, while the bigrams still meet. Measured on the staff and mined
benchmarks (README, *Benchmarks*), words + bigrams beat words alone and words + in-word bigrams.
The keyword index adds each chunk's document title (``with_title``) when it is built.
"""

from __future__ import annotations

import logging
import re
import threading
from collections.abc import Callable, Iterator
from functools import lru_cache
from pathlib import Path
from typing import Any

_USERDICT = Path(__file__).parent / "data" / "userdict.txt"
_LOCK = threading.Lock()
_READY = False
_CUT: Callable[[str], list[str]] | None = None
_KEEP = re.compile(r"[\u3400-\u9fffA-Za-z0-9]")
_CJK_RUN = re.compile(r"[\u3400-\u9fff]{2,}")
# Marks a character bigram, so that it never counts as the word it spells (科技 the bigram vs 科技 the word).
BIGRAM = "#"
# Bump when index_terms changes: a knowledge base whose stored terms are older re-tokenizes its chunks.
INDEX_TERMS_VERSION = "2"
STOPWORDS = frozenset(
    ["的", "了", "和", "与", "及", "等", "在", "是", "对", "为", "以", "将", "并", "也", "由", "从", "把", "被", "其", "这", "那", "之", "于", "而", "或", "就", "都", "有", "个", "一", "中", "上", "下", "我们", "你们", "他们", "进行", "开展", "工作", "相关", "有关", "方面", "通过", "加强", "推进", "推动", "积极", "不断", "进一步", "按照", "根据", "关于"]
)


# jieba's own block rules (jieba.re_han_default, re_skip_default, finalseg.re_skip): text is cut block by block,
# characters outside a block are single tokens, and a run of Latin letters and digits that no dictionary word
# covers is split at what is not a letter, digit or decimal.
_JIEBA_BLOCK = re.compile("([\u4E00-\u9FD5a-zA-Z0-9+#&\\._%\\-]+)")
_JIEBA_SPACE = re.compile(r"(\r\n|\s)")
_JIEBA_ALNUM = re.compile(r"([a-zA-Z0-9]+(?:\.\d+)?%?)")


class _RustCutter:
    """``jieba.lcut`` on rjieba: same words, measured identical on every corpus text and on fuzzed mixed
    script. rjieba cuts a block like jieba, except that it keeps Latin runs such as 2024-01-18 whole
    and treats more characters (CJK extension A) as block characters, so blocks are found here as jieba
    finds them and such runs are split as jieba's fallback splits them."""

    def __init__(self, userdict: Path) -> None:
        import rjieba

        self._jieba: Any = rjieba.Jieba()
        for line in userdict.read_text(encoding="utf-8").splitlines():
            parts = line.split()
            if parts:  # jieba's userdict lines: word [freq] [tag]; the tag plays no part in cutting
                freq = int(parts[1]) if len(parts) > 1 and parts[1].isdigit() else None
                self._jieba.add_word(parts[0], freq, None)

    def __call__(self, text: str) -> list[str]:
        return list(self._cut(text))

    def _cut(self, text: str) -> Iterator[str]:
        cut, known = self._jieba.cut, self._jieba.has_word
        for block in _JIEBA_BLOCK.split(text):
            if not block:
                continue
            if _JIEBA_BLOCK.match(block):
                for w in cut(block):
                    if len(w) > 1 and w.isascii() and not w.isalnum() and not known(w):
                        yield from (x for x in _JIEBA_ALNUM.split(w) if x)
                    else:
                        yield w
                continue
            for part in _JIEBA_SPACE.split(block):
                if _JIEBA_SPACE.match(part):
                    yield part
                else:
                    yield from part


def _python_cutter() -> Callable[[str], list[str]]:
    import jieba

    jieba.setLogLevel(logging.WARNING)
    jieba.load_userdict(str(_USERDICT))
    jieba.initialize()
    return jieba.lcut  # type: ignore[no-any-return]


def _ensure_jieba() -> None:
    global _READY, _CUT
    if _READY:
        return
    with _LOCK:
        if _READY:
            return
        try:
            _CUT = _RustCutter(_USERDICT)
        except ImportError:
            _CUT = _python_cutter()
        _READY = True


def ready() -> bool:
    """Whether jieba has loaded its dictionaries (about a second, once per process)."""
    return _READY


def quick_index_terms(text: str) -> list[str]:
    """``index_terms`` without jieba: Latin words and numbers, and the character bigrams. For a search that
    arrives while jieba is still loading; the bigrams carry most of the match."""
    out = [w.lower() for w in re.findall(r"[A-Za-z0-9]+", text)]
    for run in _CJK_RUN.findall(text):
        out.extend(BIGRAM + run[i : i + 2] for i in range(len(run) - 1))
    return out


def words(text: str) -> list[str]:
    """All word tokens (no punctuation or spaces), lower-cased."""
    _ensure_jieba()
    assert _CUT is not None
    return [w.lower() for w in _CUT(text) if _KEEP.search(w)]


def terms(text: str) -> list[str]:
    """Index terms: words without stopwords; long words also contribute their bigrams.

    The bigrams let 科技成果转化 match 成果转化 without a second dictionary.
    """
    out: list[str] = []
    for w in words(text):
        if w in STOPWORDS:
            continue
        out.append(w)
        if len(w) >= 4 and _is_cjk(w):
            out.extend(w[i : i + 2] for i in range(0, len(w) - 1, 2))
    return out


@lru_cache(maxsize=4096)
def query_terms(text: str) -> tuple[str, ...]:
    return tuple(terms(text))


def index_terms(text: str) -> list[str]:
    """What the BM25 index keeps of a text: its words without stopwords, then every overlapping bigram of
    each run of Chinese characters, marked with ``BIGRAM``."""
    out = [w for w in words(text) if w not in STOPWORDS]
    for run in _CJK_RUN.findall(text):
        out.extend(BIGRAM + run[i : i + 2] for i in range(len(run) - 1))
    return out


@lru_cache(maxsize=4096)
def query_index_terms(text: str) -> tuple[str, ...]:
    return tuple(index_terms(text))


def title_terms(title: str) -> list[str]:
    """The index terms of a title, each once (what ``with_title`` adds)."""
    return list(dict.fromkeys(index_terms(title)))


def with_title(chunk_terms: list[str], title: list[str]) -> list[str]:
    """A chunk's index terms plus the terms of its document's title (``title_terms``) it does not hold itself.

    Staff name the document and ask for a part of it (成都重大成果转化工程 到15年要达到啥指标); the passage
    that answers rarely repeats the title, so the chunk that holds the title (the document's first) won on
    the title words alone. With the title in every chunk of its document, the asked-for part decides. A term
    the chunk already holds is not added again, so the title's own chunk gains nothing twice. Chosen on the
    staff queries' tuning half; it costs a few item-heading pairs of the mined benchmark (README, *Benchmarks*).
    """
    held = set(chunk_terms)
    return chunk_terms + [t for t in title if t not in held]


def _is_cjk(w: str) -> bool:
    return all("\u3400" <= ch <= "\u9fff" for ch in w)
