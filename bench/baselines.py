"""Baselines the default search must beat, computed here only (never shipped in ``vectorstore/``).

* **plain BM25**: bm25s with its default parameters over ``jieba.lcut`` tokens of each text, jieba's own
  dictionary, no stopwords, no bigrams, no user dictionary: the keyword retriever a stock RAG stack
  (Langchain-Chatchat and the like) builds. Whitespace tokens are dropped (jieba returns the spaces between
  words as tokens; they are not words). Scored on exactly the chunks the knowledge base stores.
* **Chatchat-style chunks**: each stored document text cut the way Chatchat's splitter does by default,
  windows of at most 250 characters that end at a sentence or line end when one lies in the window's second
  half, each next window starting 50 characters before the previous one ended, kept with their offsets so
  they are scored against the same passage spans.
"""

from __future__ import annotations

import logging
from collections.abc import Hashable, Iterable, Sequence
from functools import lru_cache
from typing import Any, Generic, TypeVar

import numpy as np

Key = TypeVar("Key", bound=Hashable)
CHATCHAT_SIZE = 250
CHATCHAT_OVERLAP = 50
_SENTENCE_END = "。！？；!?;\n"


@lru_cache(maxsize=1)
def _tokenizer() -> Any:
    """A jieba tokenizer of its own, so the project's user dictionary (loaded into jieba's global one when
    rjieba is missing) never reaches the baseline."""
    import jieba

    jieba.setLogLevel(logging.WARNING)
    tok = jieba.Tokenizer()
    tok.initialize()
    return tok


def plain_tokens(text: str) -> list[str]:
    """``jieba.lcut`` of the text, without the whitespace tokens."""
    return [w for w in _tokenizer().lcut(text) if w.strip()]


class PlainBM25(Generic[Key]):
    """bm25s (default k1 1.5, b 0.75, Lucene idf) over plain jieba tokens of ``(key, text)`` items."""

    def __init__(self, items: Iterable[tuple[Key, str]]) -> None:
        import bm25s

        self.keys: list[Key] = []
        corpus: list[list[str]] = []
        for key, text in items:
            self.keys.append(key)
            corpus.append(plain_tokens(text) or ["\u2205"])
        self._bm25 = bm25s.BM25()
        self._bm25.index(corpus, show_progress=False)
        self._vocab: dict[str, int] = self._bm25.vocab_dict

    def search(self, query: str, k: int = 10) -> list[Key]:
        # Unknown query tokens match nothing (bm25s would otherwise map them to an arbitrary id).
        ids = [self._vocab[t] for t in plain_tokens(query) if t in self._vocab]
        if not ids or not self.keys:
            return []
        scores = self._bm25.get_scores_from_ids(ids)
        k = min(k, len(scores))
        top = np.argpartition(-scores, k - 1)[:k]
        top = top[np.argsort(-scores[top], kind="stable")]
        return [self.keys[i] for i in top if scores[i] > 0]


def chatchat_windows(text: str, size: int = CHATCHAT_SIZE, overlap: int = CHATCHAT_OVERLAP) -> list[tuple[int, int]]:
    """(start, end) of each window: at most ``size`` characters, ending after the last sentence or line end in
    the window's second half when there is one, the next starting ``overlap`` characters before that end."""
    out: list[tuple[int, int]] = []
    start, n = 0, len(text)
    while start < n:
        end = min(start + size, n)
        if end < n:
            cut = max(text.rfind(ch, start + size // 2, end) for ch in _SENTENCE_END)
            if cut >= 0:
                end = cut + 1
        piece = text[start:end]
        if piece.strip():
            out.append((start, end))
        if end >= n:
            break
        start = max(end - overlap, start + 1)
    return out


def chatchat_index(docs: Sequence[tuple[str, str]]) -> PlainBM25[tuple[str, int, int]]:
    """Plain BM25 over Chatchat-style windows of each ``(doc_id, text)``; keys are (doc_id, start, end)."""
    return PlainBM25(((doc_id, s, e), text[s:e]) for doc_id, text in docs for s, e in chatchat_windows(text))
