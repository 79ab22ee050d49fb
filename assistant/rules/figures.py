"""What a figure is, how it is written the same way twice, and when a quote traces it.

A figure is a number that carries a unit (亿元, 家, 项, %, 年, …) or 余/多 ("more than"); bare numbers are
mostly list markers and codes, not claims. ``1,200万元`` and ``1200万元`` are the same figure, and so are
``300多家`` and ``300余家``. A figure is traced when it occurs in a cited quote, not as the tail of a longer
number; a year or month equal to a cited source's own date also counts, because drafting pins 今年/目前
to the source's date and that date is part of the citation.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

MARKER = re.compile(r"\s*\[\d+(?:\s*[,，、]\s*\d+)*\]")
UNITS = (
    "亿元|万元|千元|元|亿|万|千|百|人次|家次|件次|平方米|公里|千米|小时|"
    "家|项|个|名|人|次|%|％|年|月|日|余|倍|支|台|件|所|条|户|亩|批|场|篇|套|位|座|处|吨|天|岁|期|米"
)
FIGURE = re.compile(
    rf"(?<![\d.])\d+(?:,\d{{3}})*(?:\.\d+)?\s*(?:[多余])?\s*(?:{UNITS})(?:[多余](?:{UNITS})?)?"
)


# A figure given as a running total (累计51.6亿元, 总数达到79家, 孵化器达到33家), not one year's addition.
RUNNING_TOTAL = re.compile(r"累计|总数|总量|(?:达到|达|增至|超过)\d|"
                           # a stock (全市建成市级以上星创天地9家, 全市共有…6家)
                           r"(?:全市|我市)(?:已)?(?:建成|拥有|共有|现有)[^，。；\d]{0,20}\d")


def normalize(fig: str) -> str:
    """One spelling per figure: no spaces, ASCII %, no thousands separators, 多 → 余."""
    f = re.sub(r"\s+", "", fig).replace("％", "%")
    f = re.sub(r"(?<=\d),(?=\d{3})", "", f)
    return f.replace("多", "余")


def strip_markers(text: str) -> str:
    return MARKER.sub("", text)


def figures(text: str) -> list[str]:
    """The figures of ``text`` (citation markers ignored), normalised."""
    return [normalize(m.group(0)) for m in FIGURE.finditer(strip_markers(text))]


def amounts(text: str) -> list[str]:
    """The figures of ``text`` that measure something (47家, 5万元, 20%), not the dates (2024年, 4月, 22日)."""
    return [f for f in figures(text) if not re.fullmatch(r"\d{4}年|\d{1,2}月|\d{1,2}日", f)]


def occurs_in(fig: str, text: str) -> bool:
    """True when the normalised figure occurs in ``text``, not as the tail of a longer number."""
    hay = normalize(text)
    start = 0
    while (i := hay.find(fig, start)) >= 0:
        if i == 0 or not (hay[i - 1].isdigit() or hay[i - 1] == "."):
            return True
        start = i + 1
    return False


def dated_by(fig: str, source_date: str) -> bool:
    """A year or month that is the cited source's own date (今年 → 2024年 pinned to a 2024 source)."""
    m = re.fullmatch(r"(\d{4})年|(\d{1,2})月", fig)
    if not m:
        return False
    if m.group(1):
        return source_date[:4] == m.group(1)
    return source_date[5:7].isdigit() and int(source_date[5:7]) == int(m.group(2))


def traced(fig: str, quotes: Iterable[str], source_dates: Iterable[str] = ()) -> bool:
    """True when ``fig`` is in one of the cited quotes or is a cited source's own year/month."""
    return any(occurs_in(fig, q) for q in quotes) or any(dated_by(fig, d) for d in source_dates)


def untraced(text: str, quotes: list[str], source_dates: list[str]) -> list[str]:
    """The figures of ``text`` that no cited quote (or source date) carries."""
    return [f for f in figures(text) if not traced(f, quotes, source_dates)]
