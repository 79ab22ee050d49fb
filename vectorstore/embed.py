"""Embedders: one Protocol, a sentence-transformers implementation, a hashing fake.

sentence-transformers is imported only when a model is first used (importing
it costs seconds), so commands that never embed stay fast.
"""

from __future__ import annotations

import hashlib
import threading
from pathlib import Path
from typing import Any, Protocol, runtime_checkable

import numpy as np


@runtime_checkable
class Embedder(Protocol):
    """Turns texts into L2-normalized float32 vectors."""

    @property
    def identity(self) -> str:
        """A string that changes whenever the vectors would change (names the collection)."""
        ...

    def embed_documents(self, texts: list[str]) -> np.ndarray: ...

    def embed_query(self, text: str) -> np.ndarray: ...


def _normalize(vectors: np.ndarray) -> np.ndarray:
    vectors = np.asarray(vectors, dtype=np.float32)
    norms = np.linalg.norm(vectors, axis=1, keepdims=True)
    norms[norms == 0] = 1.0
    return vectors / norms


class HashingEmbedder:
    """Deterministic character n-gram hashing; no model. For tests and as a last resort."""

    def __init__(self, dim: int = 256) -> None:
        self.dim = dim

    @property
    def identity(self) -> str:
        return f"hashing-{self.dim}"

    def _one(self, text: str) -> np.ndarray:
        vec = np.zeros(self.dim, dtype=np.float32)
        for n in (1, 2, 3):
            for i in range(len(text) - n + 1):
                h = int.from_bytes(hashlib.blake2b(text[i : i + n].encode(), digest_size=8).digest(), "little")
                vec[h % self.dim] += 1.0 if (h >> 32) & 1 else -1.0
        return vec

    def embed_documents(self, texts: list[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        return _normalize(np.stack([self._one(t) for t in texts]))

    def embed_query(self, text: str) -> np.ndarray:
        return self.embed_documents([text])[0]


class SentenceTransformerEmbedder:
    """Any sentence-transformers model, by hub name or local folder, loaded lazily."""

    def __init__(self, model: str | Path, device: str = "cpu", batch_size: int = 64, revision: str = "") -> None:
        self.model_name = str(model)
        self.device = device
        self.batch_size = batch_size
        self._revision = revision
        self._model: Any = None
        self._lock = threading.Lock()

    @property
    def identity(self) -> str:
        return f"st:{self.model_name}:{self._revision}"

    @property
    def model(self):  # type: ignore[no-untyped-def]
        if self._model is None:
            with self._lock:
                if self._model is None:
                    from sentence_transformers import SentenceTransformer

                    self._model = SentenceTransformer(self.model_name, device=self.device)
        return self._model

    def embed_documents(self, texts: list[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, 1), dtype=np.float32)
        vecs = self.model.encode(texts, batch_size=self.batch_size, convert_to_numpy=True, show_progress_bar=False)
        return _normalize(vecs)

    def embed_query(self, text: str) -> np.ndarray:
        return self.embed_documents([text])[0]


class StaticModelEmbedder:
    """Runs a saved sentence-transformers StaticEmbedding model with numpy alone.

    Same vectors as ``SentenceTransformer(path)`` (mean of token embeddings),
    without importing torch or sentence-transformers, so start-up and search
    stay fast.
    """

    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        self._tok: Any = None
        self._weights: np.ndarray | None = None
        self._lock = threading.Lock()

    @staticmethod
    def can_load(path: Path) -> bool:
        modules = Path(path) / "modules.json"
        if not modules.exists() or not (Path(path) / "tokenizer.json").exists():
            return False
        import json

        entries = json.loads(modules.read_text())
        return len(entries) == 1 and entries[0]["type"].endswith("StaticEmbedding")

    @property
    def identity(self) -> str:
        return f"static:{self.path.name}"

    def _load(self) -> None:
        with self._lock:
            if self._weights is None:
                from safetensors.numpy import load_file
                from tokenizers import Tokenizer

                self._tok = Tokenizer.from_file(str(self.path / "tokenizer.json"))
                self._weights = load_file(str(self.path / "model.safetensors"))["embedding.weight"].astype(np.float32)

    def embed_documents(self, texts: list[str]) -> np.ndarray:
        if self._weights is None:
            self._load()
        assert self._weights is not None and self._tok is not None
        out = np.zeros((len(texts), self._weights.shape[1]), dtype=np.float32)
        for i, enc in enumerate(self._tok.encode_batch(texts, add_special_tokens=False)):
            if enc.ids:
                out[i] = self._weights[enc.ids].mean(axis=0)
        return _normalize(out)

    def embed_query(self, text: str) -> np.ndarray:
        return self.embed_documents([text])[0]
