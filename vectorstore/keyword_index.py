"""BM25 keyword index over jieba terms (bm25s), persisted beside the vectors.

The index is rebuilt from the document store's cached terms whenever the
store's generation changes, so it can never drift from the documents.
"""

from __future__ import annotations

import json
import shutil
import threading
from pathlib import Path
from typing import Protocol

import numpy as np

from vectorstore.docstore import DocStore


class KeywordIndex(Protocol):
    def search(self, terms: list[str], k: int, allowed_docs: set[str] | None) -> list[tuple[str, float]]: ...

    def refresh(self) -> None: ...


class BM25Index:
    def __init__(self, store: DocStore, directory: Path) -> None:
        self.store = store
        self.directory = directory
        self._lock = threading.Lock()
        self._gen = -1
        self._bm25 = None
        self._chunk_ids: list[str] = []
        self._doc_of: np.ndarray = np.zeros(0, dtype=np.int32)
        self._doc_index: dict[str, int] = {}

    def refresh(self) -> None:
        """Load the persisted index if current, else rebuild and persist it."""
        gen = self.store.generation()
        if gen == self._gen:
            return
        with self._lock:
            if gen == self._gen:
                return
            if not self._load(gen):
                self._build(gen)

    def _load(self, gen: int) -> bool:
        meta_path = self.directory / "meta.json"
        if not meta_path.exists():
            return False
        try:
            meta = json.loads(meta_path.read_text())
            if meta.get("generation") != gen:
                return False
            import bm25s

            bm25 = bm25s.BM25.load(str(self.directory / "bm25")) if meta["chunk_ids"] else None
        except (OSError, ValueError, KeyError):
            return False
        self._install(bm25, meta["chunk_ids"], meta["doc_ids"], gen)
        return True

    def _build(self, gen: int) -> None:
        import bm25s

        chunk_ids, doc_ids, corpus = [], [], []
        for row in self.store.iter_chunks():
            chunk_ids.append(row["chunk_id"])
            doc_ids.append(row["doc_id"])
            corpus.append(row["terms"].split() or ["\u2205"])
        bm25 = None
        if corpus:
            bm25 = bm25s.BM25()
            bm25.index(corpus, show_progress=False)
        tmp = self.directory.with_name(self.directory.name + ".tmp")
        shutil.rmtree(tmp, ignore_errors=True)
        tmp.mkdir(parents=True)
        if bm25 is not None:
            bm25.save(str(tmp / "bm25"))
        (tmp / "meta.json").write_text(json.dumps({"generation": gen, "chunk_ids": chunk_ids, "doc_ids": doc_ids}))
        # Swap in the complete index; a crash before this leaves the old one, which is then rebuilt.
        shutil.rmtree(self.directory, ignore_errors=True)
        tmp.rename(self.directory)
        self._install(bm25, chunk_ids, doc_ids, gen)

    def _install(self, bm25, chunk_ids: list[str], doc_ids: list[str], gen: int) -> None:  # type: ignore[no-untyped-def]
        index: dict[str, int] = {}
        self._doc_of = np.array([index.setdefault(d, len(index)) for d in doc_ids], dtype=np.int32)
        self._doc_index = index
        self._chunk_ids = chunk_ids
        self._bm25 = bm25
        self._gen = gen

    def search(self, terms: list[str], k: int, allowed_docs: set[str] | None) -> list[tuple[str, float]]:
        self.refresh()
        if self._bm25 is None or not terms:
            return []
        mask = None
        if allowed_docs is not None:
            allowed = np.zeros(len(self._doc_index), dtype=bool)
            allowed[[self._doc_index[d] for d in allowed_docs if d in self._doc_index]] = True
            mask = allowed[self._doc_of].astype(np.float32)
        scores = self._bm25.get_scores(terms, weight_mask=mask)
        k = min(k, len(scores))
        if k <= 0:
            return []
        top = np.argpartition(-scores, k - 1)[:k]
        top = top[np.argsort(-scores[top], kind="stable")]
        return [(self._chunk_ids[i], float(scores[i])) for i in top if scores[i] > 0]

    def chunk_count(self) -> int:
        self.refresh()
        return len(self._chunk_ids)

    def chunk_id_set(self) -> set[str]:
        self.refresh()
        return set(self._chunk_ids)
