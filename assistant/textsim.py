"""How much two phrases share, counted in adjacent character pairs (punctuation left out)."""

from __future__ import annotations

import re


def char_bigrams(text: str) -> set[str]:
    """Pairs of adjacent characters, punctuation left out: how much two phrases share."""
    t = re.sub(r"[^\u4e00-\u9fffA-Za-z0-9]", "", text)
    return {t[i : i + 2] for i in range(len(t) - 1)}
