"""Vector index behind a Protocol; Chroma embedded (PersistentClient) or server (HttpClient).

Vectors always come from our Embedder: Chroma's own default embedding
function downloads a model and fails offline, so it is never used.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path
from typing import Any, Protocol, TypeVar
from urllib.parse import urlparse

import numpy as np

T = TypeVar("T")
ADD_BATCH = 5000
# HNSW settings of the collections this project creates (Chroma keeps them in the collection's configuration;
# a collection made earlier keeps its own). Measured on the same 100k vectors of the synthetic corpus against an
# exact brute-force top 10 over 200 queries (README, "Ingest and search"): Chroma's default construction
# (ef 100) with ef_search 64 took 74 s of CPU to add and found 90.5% of the exact top 10; ef_construction 50
# with ef_search 192 takes 53 s and finds 93.6%, for 0.4 ms more a query. ef_construction 50 with ef_search 64
# found 84.7%; max_neighbors 8 or ef_construction 40 lost recall too; ef_construction 200 or max_neighbors 32
# cost more without finding more.
HNSW = {"space": "cosine", "ef_construction": 50, "ef_search": 192}


class VectorStoreUnavailable(RuntimeError):
    """The vector store cannot be reached; the message says where and what to do."""


class CollectionMissing(RuntimeError):
    """The collection was deleted while this process held it (e.g. by another process on the same server)."""


class VectorIndex(Protocol):
    def add(self, ids: list[str], vectors: np.ndarray) -> None: ...

    def delete(self, ids: list[str]) -> None: ...

    def query(self, vector: np.ndarray, k: int, allowed_ids: list[str] | None) -> list[tuple[str, float]]: ...

    def ids(self) -> set[str]: ...

    def count(self) -> int: ...


def make_client(chroma_path: Path, chroma_url: str = ""):  # type: ignore[no-untyped-def]
    import chromadb

    settings = chromadb.Settings(anonymized_telemetry=False, allow_reset=False)
    if chroma_url:
        u = urlparse(chroma_url)
        try:
            return chromadb.HttpClient(host=u.hostname or "127.0.0.1", port=u.port or 8000,
                                       ssl=u.scheme == "https", settings=settings)
        except Exception as err:  # chromadb raises ValueError/ConnectionError variants
            raise VectorStoreUnavailable(
                f"cannot reach the Chroma server at {chroma_url} ({err}); start it with "
                f"`chroma run --host 127.0.0.1 --port {u.port or 8000} --path DIR` or unset ASSISTANT_CHROMA_URL"
            ) from err
    chroma_path.mkdir(parents=True, exist_ok=True)
    return chromadb.PersistentClient(path=str(chroma_path), settings=settings)


class ChromaIndex:
    """One Chroma collection, named after the embedding and chunking settings.

    ``metadata`` is given to a collection this call creates; an existing collection that lacks one
    of its keys gets them added (the caller names only collections it owns, see vector_collections).
    """

    def __init__(self, client, name: str, retries: int = 3, describe: str = "Chroma",  # type: ignore[no-untyped-def]
                 metadata: dict[str, str] | None = None) -> None:
        self.client = client
        self.name = name
        self.retries = retries
        self.describe = describe
        self._batch_limit: int | None = None
        self._col = self._retry(lambda: client.get_or_create_collection(
            name, embedding_function=None, metadata=metadata or None,
            configuration={"hnsw": dict(HNSW)}))
        have = self._col.metadata or {}
        if metadata and any(have.get(k) != v for k, v in metadata.items()):
            self._retry(lambda: self._col.modify(metadata={**have, **metadata}))

    def _retry(self, fn: Callable[[], T], idempotent: bool = True) -> T:
        delay = 0.2
        for attempt in range(self.retries if idempotent else 1):
            try:
                return fn()
            except Exception as err:  # connection errors surface as several types
                if _is_not_found(err):
                    raise CollectionMissing(f"{self.describe}: collection {self.name} no longer exists ({err})") from err
                if not _is_connection_error(err) or attempt == self.retries - 1 or not idempotent:
                    if _is_connection_error(err):
                        raise VectorStoreUnavailable(
                            f"{self.describe} is unreachable ({err}); check that the Chroma server is running"
                        ) from err
                    raise
                time.sleep(delay)
                delay *= 2
        raise AssertionError("unreachable")

    def add(self, ids: list[str], vectors: np.ndarray) -> None:
        # Large batches: each upsert call has a fixed cost (a transaction, an index write), and Chroma takes
        # up to its max batch size (5461 embedded) at once. No metadata: a filtered query names the chunk ids
        # it allows, which Chroma answers faster than a metadata filter (at 100k vectors 20-30 ms against
        # 70-175 ms for 300-3000 documents), and the metadata rows cost about a fifth of the add.
        size = min(ADD_BATCH, self._max_batch())
        for i in range(0, len(ids), size):
            sl = slice(i, i + size)
            # The ids are new (callers add what the index lacks). add, not upsert: no look-up of each id
            # first (about 10% less time at 30k vectors); Chroma skips an id it already holds, so a batch
            # retried after a dropped connection duplicates nothing.
            self._retry(lambda sl=sl: self._col.add(  # type: ignore[misc]
                ids=ids[sl], embeddings=vectors[sl]))

    def _max_batch(self) -> int:
        if self._batch_limit is None:
            try:
                self._batch_limit = int(self._retry(self.client.get_max_batch_size))
            except Exception:  # older clients have no such call; their limit was at least this
                self._batch_limit = 1000
        return self._batch_limit

    def delete(self, ids: list[str]) -> None:
        for i in range(0, len(ids), 1000):
            batch = ids[i : i + 1000]
            self._retry(lambda batch=batch: self._col.delete(ids=batch))  # type: ignore[misc]

    def query(self, vector: np.ndarray, k: int, allowed_ids: list[str] | None) -> list[tuple[str, float]]:
        """The ``k`` nearest chunks, among ``allowed_ids`` when given."""
        if k <= 0 or (allowed_ids is not None and not allowed_ids):
            return []
        try:
            return self._query(vector, k, allowed_ids)
        except Exception as err:
            if allowed_ids is None or not _is_unknown_id(err):
                raise
        # Chroma refuses an id it does not hold: a chunk stored but not embedded yet (an ingest or a training
        # under way). Ask again with the ids it holds; this costs a look-up only on that rare path.
        known = self._known(allowed_ids)
        return self._query(vector, k, known) if known else []

    def _query(self, vector: np.ndarray, k: int, allowed_ids: list[str] | None) -> list[tuple[str, float]]:
        only: dict[str, Any] = {} if allowed_ids is None else {"ids": allowed_ids}
        # No count() first: on a server that is a second round trip per search. Chroma 1.x answers
        # n_results beyond the collection size (or an empty collection) with what it has, silently.
        try:
            res = self._retry(lambda: self._col.query(
                query_embeddings=[vector.tolist()], n_results=k, include=["distances"], **only))
        except Exception as err:
            if not _is_too_many_results(err):
                raise
            # Older Chroma refused k > count; pay for the count only on that path.
            n = self.count()
            if n == 0:
                return []
            res = self._retry(lambda: self._col.query(
                query_embeddings=[vector.tolist()], n_results=min(k, n), include=["distances"], **only))
        ids, dists = res.get("ids") or [[]], res.get("distances") or [[]]
        return [(cid, 1.0 - float(dist)) for cid, dist in zip(ids[0], dists[0], strict=True)]

    def _known(self, ids: list[str]) -> list[str]:
        """Those of ``ids`` the collection holds."""
        out: list[str] = []
        for i in range(0, len(ids), 5000):
            part = ids[i : i + 5000]
            out += self._retry(lambda part=part: self._col.get(ids=part, include=[]))["ids"]  # type: ignore[misc]
        return out

    def ids(self) -> set[str]:
        out: set[str] = set()
        offset = 0
        while True:
            got = self._retry(lambda offset=offset: self._col.get(include=[], limit=5000, offset=offset))["ids"]  # type: ignore[misc]
            out.update(got)
            if len(got) < 5000:
                return out
            offset += 5000

    def count(self) -> int:
        return int(self._retry(self._col.count))


def _is_unknown_id(err: Exception) -> bool:
    return "finding id" in str(err).lower()


def _is_connection_error(err: Exception) -> bool:
    text = f"{type(err).__name__} {err}".lower()
    return any(s in text for s in ("connect", "timeout", "timed out", "unavailable", "refused", "502", "503", "504"))


def _is_not_found(err: Exception) -> bool:
    """Chroma 1.x raises NotFoundError for a collection deleted under a held handle."""
    return type(err).__name__ == "NotFoundError" or "does not exist" in str(err).lower()


def _is_too_many_results(err: Exception) -> bool:
    """Chroma < 1 raised NotEnoughElementsException (or a ValueError saying so) for k > count."""
    text = f"{type(err).__name__} {err}".lower()
    return "notenoughelements" in text or "number of requested results" in text
