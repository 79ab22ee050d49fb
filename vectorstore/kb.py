"""The knowledge base: ingest files, keep derived indexes in sync, search them together."""

from __future__ import annotations

import contextlib
import hashlib
import logging
import multiprocessing
import os
import re
import signal
import threading
import uuid
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor, ThreadPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Literal

import numpy as np

from vectorstore.chunker import chunk_document
from vectorstore.config import KBConfig
from vectorstore.docstore import DocStore
from vectorstore.embed import Embedder
from vectorstore.embedding_service import EmbeddingService
from vectorstore.hybrid import (
    OTHER_RRF_K,
    OTHER_VECTOR_WEIGHT,
    SELF_TRAINED_RRF_K,
    SELF_TRAINED_VECTOR_WEIGHT,
    Fused,
    diversify,
    doc_of_chunk,
    fuse,
)
from vectorstore.keyword_index import BM25Index
from vectorstore.metadata import ManifestError, infer_meta, load_manifest
from vectorstore.normalize import content_hash, normalize_text
from vectorstore.readers import SUPPORTED, ReadError, read_file
from vectorstore.tokenize import INDEX_TERMS_VERSION, index_terms, query_index_terms, quick_index_terms
from vectorstore.tokenize import ready as tokenize_ready
from vectorstore.types import (
    Chunk,
    DocFilter,
    DocMeta,
    DocSummary,
    Document,
    Hit,
    KBCounts,
    SearchFilters,
    SearchResult,
)
from vectorstore.vector_collections import drop_other_collections, open_owned
from vectorstore.vector_index import CollectionMissing, VectorIndex, make_client

log = logging.getLogger(__name__)
# Marks a file named on the command line rather than found in a directory.
_EXPLICIT = Path("\x00explicit")
# (stage, done, total) — stages: read, embed, train
Progress = Callable[[str, int, int], None]
TrainMode = Literal["wait", "background"]


@dataclass
class FileResult:
    path: str
    status: str  # added | updated | unchanged | duplicate | skipped | failed
    doc_id: str = ""
    chunks: int = 0
    reason: str = ""


@dataclass
class IngestReport:
    files: list[FileResult] = field(default_factory=list)
    embedded: int = 0
    removed_vectors: int = 0
    trained: dict[str, float] | None = None
    training: str = ""  # "background" when the embedder is being trained in a thread

    @property
    def failed(self) -> list[FileResult]:
        return [f for f in self.files if f.status == "failed"]

    def count(self, status: str) -> int:
        return sum(1 for f in self.files if f.status == status)


def doc_id_for(source_key: str) -> str:
    """Stable id from where the document comes from (never from its content, which may change).

    Rule: ``<slug>-<sha1(source_key)[:8]>``. ``source_key`` is the file's path relative to the
    manifest's folder, else to the folder given to ingest, else (a file named on its own) its
    name; the slug is the lower-cased ASCII part of the file stem, ``doc`` when none is left.

    * Same stem in different sub-folders of one ingest root: different keys (``a/x.txt`` vs
      ``b/x.txt``), so different ids.
    * Same content under two paths: ids differ; ingest keeps the first and reports the
      other as a duplicate (content hash).
    * Same relative path under two different roots (``ingest 2023/`` then ``ingest 2024/``,
      both holding ``reply.txt``): same key, same id; the second is an update of the first.
      Ingest both from their common parent (or with a manifest) to keep both. Within one
      ingest call the clash is detected and the second file is refused.
    * Chinese file names all slug to ``doc``, so only the 8 hex digits (32 bits) tell them apart:
      two keys meet with probability ~n²/2³³ (about 1 at 90,000 documents). Ingest refuses the
      file whose id is already held by another source rather than overwrite it.
    """
    stem = Path(source_key).stem
    slug = re.sub(r"[^a-z0-9_]+", "_", stem.lower()).strip("_")[:48] or "doc"
    return f"{slug}-{hashlib.sha1(source_key.encode('utf-8')).hexdigest()[:8]}"


# What a search or a draft says when the vector channel could not take part (shown to users as is).
REPAIR = "请管理员运行 assistant check --repair（多单位时加 --bureau 单位代码）重建向量索引。"
VECTORS_EMPTY = "向量索引为空（知识库有 {chunks} 个片段，向量 0 个），本次检索只用了关键词，结果可能不全；" + REPAIR
VECTORS_GONE = "向量集合已不存在（可能在 Chroma 服务器上被删除），本次检索只用了关键词，结果可能不全；" + REPAIR
VECTORS_MISSING_IN_SCOPE = "筛选范围内的文档在向量索引中没有向量，本次检索只用了关键词，结果可能不全；" + REPAIR
VECTORS_SHORT = "向量索引缺少 {missing} 个片段的向量（共 {chunks} 个），检索结果可能不全；" + REPAIR
# No repair to ask for: the knowledge base's first embedding model is still being trained, and its vectors follow.
VECTORS_TRAINING = ("知识库的检索模型正在训练（共 {chunks} 个片段），本次检索只用了关键词，结果可能不全；"
                    "训练完成后自动使用向量检索，稍后再试即可。")
ALLOWED_CACHE_SIZE = 64
# State key holding the INDEX_TERMS_VERSION the stored chunk terms were made with.
_TERMS_KEY = "index_terms_version"
# Unfiltered over-fetch: how many neighbours at most, and the margin over the expected need.
MAX_OVERFETCH = 1500
OVERFETCH_MARGIN = 2.0


# Threads that run a search's vector channel beside its keyword channel (shared: a thread per concurrent search
# is enough, and the web app's searches run in a few request threads at most).
_CHANNELS = ThreadPoolExecutor(max_workers=4, thread_name_prefix="vector-channel")


class KnowledgeBase:
    def __init__(self, config: KBConfig, embedder: Embedder | None = None, vector_index: VectorIndex | None = None) -> None:
        self.config = config
        config.kb_dir.mkdir(parents=True, exist_ok=True)
        self.store = DocStore(config.sqlite_path)
        self.keyword = BM25Index(self.store, config.keyword_dir)
        self._allowed_cache: dict[tuple[int, str], set[str] | None] = {}
        self._allowed_lock = threading.Lock()
        self.embeddings = EmbeddingService(config, self.store, embedder)
        self._vector_override = vector_index
        self._vector: tuple[str, VectorIndex] | None = None
        self._client = None
        self._lock = threading.RLock()
        self._training: threading.Thread | None = None
        self._warming: threading.Thread | None = None
        self._warm = threading.Event()
        # This knowledge base's own id; its Chroma collections are tagged with it (see vector_collections).
        self.kb_id = self.store.ensure_state("kb_id", uuid.uuid4().hex[:12])

    # --- derived indexes --------------------------------------------------
    @property
    def embedder(self) -> Embedder:
        return self.embeddings.current()

    @property
    def vectors(self) -> VectorIndex:
        if self._vector_override is not None:
            return self._vector_override
        identity = self.embedder.identity
        name = self.config.collection_name(identity, self.kb_id)
        with self._lock:
            if self._vector is None or self._vector[0] != name:
                self._vector = (name, self._index(identity))
            return self._vector[1]

    def _index(self, identity: str) -> VectorIndex:
        """This knowledge base's own collection for the embedder ``identity`` (tagged with its id, created or
        adopted when missing, see vector_collections); the override when one was given."""
        if self._vector_override is not None:
            return self._vector_override
        name = self.config.collection_name(identity, self.kb_id)
        with self._lock:
            if self._vector is not None and self._vector[0] == name:
                return self._vector[1]
            if self._client is None:
                self._client = make_client(self.config.chroma_path, self.config.chroma_url)
            where = self.config.chroma_url or str(self.config.chroma_path)
            return open_owned(self._client, self.config, self.kb_id, identity, self.store.chunk_ids,
                              describe=f"Chroma at {where}")

    def collection_name(self) -> str:
        return self.config.collection_name(self.embedder.identity, self.kb_id)

    def _forget_vectors(self) -> None:
        """Drop the handle of a collection that was deleted under us; the next use opens (or makes) it again."""
        with self._lock:
            self._vector = None

    def sync_vectors(self, progress: Progress | None = None, batch: int = 5000) -> tuple[int, int]:
        """Embed chunks that have no vector yet and drop vectors of chunks that are gone."""
        try:
            added, removed = self._sync(self.vectors, self.embedder, progress, batch)
        except CollectionMissing:  # deleted under us: start again in a new one (adds are idempotent)
            self._forget_vectors()
            added, removed = self._sync(self.vectors, self.embedder, progress, batch)
        if self._vector_override is None and self._client is not None:
            # A training in progress is filling its own collection: leave it alone. Only collections tagged with
            # this knowledge base's id are dropped: never another bureau's or deployment's.
            with self.embeddings.training_lock(blocking=False) as free:
                if free:
                    drop_other_collections(self._client, keep=self.collection_name(), owner=self.kb_id)
        return added, removed

    def _sync(self, index: VectorIndex, embedder: Embedder, progress: Progress | None, batch: int) -> tuple[int, int]:
        have = index.ids()
        want = self.store.chunk_ids()
        missing = sorted(want - have)
        stale = sorted(have - want)
        if stale:
            index.delete(stale)
        # Two stages side by side: while Chroma adds one batch, the next is read and embedded. Both release
        # the GIL (Chroma's Rust core, the tokenizer and numpy), so on two cores the phase takes about the
        # longer stage rather than the sum. One add at a time keeps Chroma's writes in order.
        with ThreadPoolExecutor(max_workers=1, thread_name_prefix="chroma-add") as adder:
            pending: Future[None] | None = None
            for i in range(0, len(missing), batch):
                ids = missing[i : i + batch]
                chunks = self.store.chunk_texts(ids)
                ids = [c for c in ids if c in chunks]
                vectors = embedder.embed_documents([chunks[c][1] for c in ids])
                if pending is not None:
                    pending.result()
                pending = adder.submit(index.add, ids, vectors)
                if progress:
                    progress("embed", min(i + batch, len(missing)), len(missing))
            if pending is not None:
                pending.result()
        return len(missing), len(stale)

    def train_embedder(self, progress: Progress | None = None, blocking: bool = True) -> dict[str, float] | None:
        """Train a new static model, store every chunk's vector under it, then switch to it.

        Until the switch, searches (in this process and others) keep serving the previous model and its
        vectors, or keywords alone when there was none. Returns the training figures, or None when another
        training holds the lock (``blocking`` False) or none is needed any more.
        """
        with self.embeddings.training_lock(blocking) as got:
            if not got or not self.embeddings.needs_training():
                return None
            name, figures = self.embeddings.train(lambda msg: progress("train", 0, 0) if progress else None)
            embedder = self.embeddings.candidate(name)
            # The new model's collection is this knowledge base's own too (named with and tagged by its id).
            self._sync(self._index(embedder.identity), embedder, progress, 5000)
            self.embeddings.activate(name, figures)
        # Chunks stored while the model was embedded get their vectors now; old collections are dropped.
        self.sync_vectors(progress)
        return figures

    def start_training(self, progress: Progress | None = None) -> threading.Thread:
        """``train_embedder`` in a background thread (``wait_for_training`` joins it)."""
        thread = threading.Thread(target=self.train_embedder, args=(progress, False), name="embedder-training",
                                  daemon=True)
        self._training = thread
        thread.start()
        return thread

    def wait_for_training(self, timeout: float | None = None) -> None:
        if self._training is not None:
            self._training.join(timeout)

    # --- ingest -----------------------------------------------------------
    def ingest(self, paths: Iterable[Path], manifest: Path | None = None, progress: Progress | None = None,
               train: TrainMode = "wait") -> IngestReport:
        """Store the files, publish the keyword index, then bring the vectors up to date.

        The knowledge base is searchable once the keyword index is published, before any training. When the
        static model must be (re)trained, ``train`` says how: "wait" trains before returning, "background"
        in a thread (``wait_for_training``). Either way searches keep the previous model until the new one
        has every vector; new chunks first get vectors from the previous model, if there is one.
        """
        report = IngestReport()
        entries = load_manifest(manifest) if manifest else {}
        base = manifest.parent.resolve() if manifest else None
        files = list(_expand(paths, report))
        if manifest is not None:
            files = self._listed_only(files, entries, base, report)
        seen: dict[str, str] = {}  # doc id → path that took it in this call
        retokenized = self.update_terms()
        for n, ((path, root), prepared) in enumerate(zip(files, self._prepared(files, entries, base), strict=True),
                                                     start=1):
            report.files.append(self._ingest_one(path, root, entries, base, seen, prepared))
            if progress:
                progress("read", n, len(files))
        changed = retokenized or any(f.status in ("added", "updated") for f in report.files)
        training = self.embeddings.needs_training()
        beside = None
        workers = self.config.ingest_workers or (os.cpu_count() or 1)
        if changed and training and train == "wait" and len(files) >= PARALLEL_MIN_FILES and workers >= 2:
            # A large ingest that trains: the keyword index is built in a process of its own while this one
            # trains (both are CPU-bound; at 100k chunks the build took ~20 s). It is published as soon as it is
            # built, so other processes search by keywords during the training, as before.
            beside = self._build_keywords_beside()
        elif changed:
            self.keyword.refresh()
        if not training or self.embeddings.has_model():
            # Without a model yet, vectors wait for the one about to be trained (keywords serve meanwhile).
            report.embedded, report.removed_vectors = self.sync_vectors(progress)
        if training and train == "background":
            self.start_training(progress)
            report.training = "background"
        elif training:
            try:
                report.trained = self.train_embedder(progress)
            finally:
                self._keywords_built(beside)
        return report

    def _build_keywords_beside(self) -> tuple[ProcessPoolExecutor, Future[None]] | None:
        """Start building and publishing the keyword index in a child process (None when it cannot start)."""
        try:
            pool = ProcessPoolExecutor(max_workers=1, mp_context=multiprocessing.get_context("spawn"),
                                       initializer=_die_with_parent)
            return pool, pool.submit(build_keyword_index, self.config.sqlite_path, self.config.keyword_dir)
        except (OSError, RuntimeError) as err:
            log.warning("could not start the keyword-index build process (%s); building it here", err)
            self.keyword.refresh()
            return None

    def _keywords_built(self, beside: tuple[ProcessPoolExecutor, Future[None]] | None) -> None:
        """Wait for the child's keyword index and load it; build it here if the child failed."""
        if beside is None:
            return
        pool, future = beside
        try:
            future.result()
        except Exception as err:  # a broken pool, a killed child, an error in the build
            log.warning("the keyword-index build process failed (%s); building it here", err)
        finally:
            pool.shutdown(wait=True)
        self.keyword.refresh()  # loads what the child published, or builds when it published nothing

    @staticmethod
    def _listed_only(files: list[tuple[Path, Path]], entries: dict[str, tuple[DocMeta, bool]], base: Path | None,
                     report: IngestReport) -> list[tuple[Path, Path]]:
        """With a manifest, ingest what it lists; other files are reported as skipped, not guessed at."""
        kept = []
        for path, root in files:
            if _source_key(path, root, base) in entries or root == _EXPLICIT:
                kept.append((path, root))
            else:
                report.files.append(FileResult(str(path), "skipped", reason="not listed in the manifest"))
        return kept

    def _ingest_one(self, path: Path, root: Path, entries: dict[str, tuple[DocMeta, bool]], base: Path | None,
                    seen: dict[str, str], prepared: Prepared | str) -> FileResult:
        shown = str(path)
        if isinstance(prepared, str):
            return FileResult(shown, "failed", reason=prepared)
        text = prepared.text
        key = _source_key(path, root, base)
        doc_id = doc_id_for(key)
        if seen.setdefault(doc_id, shown) != shown:
            return FileResult(shown, "failed", doc_id, reason=f"same document id as {seen[doc_id]} (same path relative "
                              "to its folder); ingest their common parent folder so both are kept")
        digest = prepared.digest
        existing = self.store.get(doc_id)
        if existing is not None and existing.source_path and existing.source_path != key:
            return FileResult(shown, "failed", doc_id, reason=f"document id {doc_id} is already held by "
                              f"{existing.source_path} (hash clash); rename the file")
        meta, chunks = prepared.meta, prepared.chunks
        if existing is not None and existing.content_hash == digest and existing.meta == meta:
            stored = [c.chunk_id for c in self.store.chunks_of(doc_id)]
            # Same text, but a newer parser or chunker may cut it differently: then it is re-stored.
            if stored == [c.chunk_id for c in chunks]:
                return FileResult(shown, "unchanged", doc_id, len(stored))
        twin = self.store.find_hash(digest)
        if twin is not None and twin != doc_id:
            return FileResult(shown, "duplicate", twin, reason=f"same text as document {twin}")
        doc = Document(doc_id=doc_id, text=text, meta=meta, content_hash=digest, source_path=key)
        chunk_terms = prepared.terms if prepared.terms is not None else [index_terms(c.text) for c in chunks]
        self.store.put(doc, chunks, chunk_terms)
        return FileResult(shown, "updated" if existing else "added", doc_id, len(chunks))

    def generation(self) -> int:
        """A number that changes whenever a document is stored or deleted (for caches of derived data)."""
        return self.store.generation()

    def chunk_terms(self) -> Iterator[list[str]]:
        """The index terms of every stored chunk (what term statistics count)."""
        for row in self.store.iter_chunks():
            yield (row["terms"] or "").split()

    def chunks_with_kind(self) -> Iterator[tuple[str, Chunk]]:
        """Every stored chunk with its document's kind."""
        return self.store.iter_chunks_with_kind()

    def _prepared(self, files: list[tuple[Path, Path]], entries: dict[str, tuple[DocMeta, bool]],
                  base: Path | None) -> Iterator[Prepared | str]:
        """Each file read, cleaned, chunked and tokenized, in order; in worker processes for a large batch.

        Tokenizing (jieba) is most of an ingest's CPU time and needs nothing from the store, so it runs
        beside the process that stores. A file whose text is already stored unchanged is not tokenized.
        """
        cfg = self.config
        known = self.store.content_hashes()
        jobs = []
        for path, root in files:
            key = _source_key(path, root, base)
            meta, explicit = entries.get(key, (None, False))
            doc_id = doc_id_for(key)
            jobs.append(PrepareJob(path, doc_id, meta, explicit, cfg.max_file_bytes, cfg.chunk_max_chars,
                                   cfg.chunk_min_chars, known.get(doc_id, "")))
        workers = cfg.ingest_workers or (os.cpu_count() or 1)
        if workers < 2 or len(jobs) < PARALLEL_MIN_FILES:
            yield from map(prepare_file, jobs)
            return
        # Spawned, not forked: this process may hold threads and connections. (A script that ingests 200 files
        # or more must guard its top level with `if __name__ == "__main__"`, as spawning re-imports it.)
        context = multiprocessing.get_context("spawn")
        done = 0
        try:
            with ProcessPoolExecutor(max_workers=workers, mp_context=context, initializer=_die_with_parent) as pool:
                for prepared in pool.map(prepare_file, jobs, chunksize=8):
                    done += 1
                    yield prepared
        except (BrokenProcessPool, OSError, RuntimeError) as err:
            log.warning("ingest workers failed (%s); preparing the remaining %d files here", err, len(jobs) - done)
            yield from map(prepare_file, jobs[done:])

    def update_terms(self, batch: int = 2000) -> bool:
        """Re-tokenize the stored chunks when they were indexed by an older ``index_terms``.

        Searches of a knowledge base not yet updated still work (query words meet the stored words; the
        bigrams find nothing); ingest and ``check --repair`` update it. Returns whether anything changed.
        """
        if self.store.get_state(_TERMS_KEY) == INDEX_TERMS_VERSION:
            return False
        pending: dict[str, list[str]] = {}
        changed = False
        for row in self.store.iter_chunks():
            pending[row["chunk_id"]] = index_terms(row["text"])
            if len(pending) >= batch:
                self.store.set_terms(pending)
                pending, changed = {}, True
        if pending:
            self.store.set_terms(pending)
            changed = True
        self.store.set_state(_TERMS_KEY, INDEX_TERMS_VERSION)
        return changed

    def delete(self, doc_id: str) -> bool:
        chunk_ids = [c.chunk_id for c in self.store.chunks_of(doc_id)]
        if not self.store.delete(doc_id):
            return False
        if chunk_ids:
            try:
                self.vectors.delete(chunk_ids)
            except CollectionMissing:
                self._forget_vectors()  # nothing left to delete from
        self.keyword.refresh()
        return True

    # --- search -----------------------------------------------------------
    def warm_up(self) -> threading.Thread:
        """Open what searches need in a background thread: jieba, the keyword index, the embedder and the
        vector store (importing Chroma alone takes seconds). Until the vector store is open, searches are
        answered by keywords alone instead of waiting for it (and, until jieba has loaded, by character bigrams);
        a long-running process calls this at start."""

        def run() -> None:
            try:
                query_index_terms("科技创新")
                self.keyword.refresh(block=False)
                vector = self.embedder.embed_query("科技创新")
                self.vectors.query(vector, 1, None)
            except Exception:  # a failure shows where it matters: in the searches that follow
                log.exception("warming up the knowledge base failed")
            finally:
                self._warm.set()

        if self._warming is None:
            self._warming = threading.Thread(target=run, name="kb-warm-up", daemon=True)
            self._warming.start()
        return self._warming

    def _query_terms(self, query: str) -> list[str]:
        # While a warm-up is still loading jieba, the first searches use bigrams rather than wait for it.
        if self._warming is not None and not self._warm.is_set() and not tokenize_ready():
            return quick_index_terms(query)
        return list(query_index_terms(query))

    def _vectors_ready(self) -> bool:
        """False only while a warm-up is still opening the vector store."""
        return self._warming is None or self._warm.is_set()

    def search(self, query: str, k: int = 10, filters: SearchFilters | None = None,
               max_per_doc: int | None = None) -> SearchResult:
        """Hybrid search; the result is a list of hits that also carries ``warnings`` (see _vector_channel).

        ``max_per_doc`` overrides the configured diversity cap (a caller that reads every clause of a
        policy wants more of one document than a person scanning results does)."""
        filters = filters or SearchFilters()
        cfg = self.config
        allowed = self._allowed(filters)
        n = cfg.candidates
        # The vector channel runs beside the keyword one: Chroma's query releases the GIL while BM25 scores in
        # numpy, so a search costs about the slower channel rather than the sum of both.
        vector_job = _CHANNELS.submit(self._vector_channel, query, n, allowed)
        keyword = self.keyword.search(self._query_terms(query), n, allowed)
        vector, warnings = vector_job.result()
        fused = fuse({"keyword": keyword, "vector": vector}, self.fusion_weights(), cfg.fusion, self.rrf_k())
        top, chunks = self._choose(fused, k, max_per_doc)
        metas = self.store.doc_metas({chunks[cid].doc_id for cid, _, _ in top})
        return SearchResult([_hit(chunks[cid], metas[chunks[cid].doc_id], score, ranks)
                             for cid, score, ranks in top if chunks[cid].doc_id in metas], warnings)

    def _vector_channel(self, query: str, n: int, allowed: set[str] | None) -> tuple[list[tuple[str, float]], list[str]]:
        """The vector candidates, and a warning when the vector channel could not take part.

        Without vectors the search quietly becomes keyword-only, which a user must be told. The
        extra count() is paid only when the channel came back empty. While a warm-up is still opening
        the vector store (seconds after a start) keywords answer alone, by design, without a warning.
        """
        if not query.strip() or not self._vectors_ready():
            return [], []
        try:
            found = self._vector_query(self.embedder.embed_query(query), n, allowed)
            if found or (allowed is not None and not allowed):
                return found, []
            vectors = self.vectors.count()
        except CollectionMissing:
            self._forget_vectors()
            return [], [VECTORS_GONE]
        chunks = self.store.counts()[1]
        if not chunks:
            return [], []
        if vectors == 0:
            return [], [self._empty_warning(chunks)]
        return [], [VECTORS_MISSING_IN_SCOPE]

    def _empty_warning(self, chunks: int) -> str:
        """Why the vector index is empty: the first model is still to be trained (vectors follow it), or broken."""
        if not self.embeddings.has_model() and self.embeddings.needs_training():
            return VECTORS_TRAINING.format(chunks=chunks)
        return VECTORS_EMPTY.format(chunks=chunks)

    def index_warnings(self) -> list[str]:
        """Warnings about the vector index as a whole (one count; a draft shows them). None while a warm-up is
        still opening the vector store: counting would wait for it, which the warm-up exists to avoid."""
        if not self._vectors_ready():
            return []
        chunks = self.store.counts()[1]
        try:
            vectors = self.vectors.count()
        except CollectionMissing:
            self._forget_vectors()
            return [VECTORS_GONE] if chunks else []
        if chunks and vectors == 0:
            return [self._empty_warning(chunks)]
        if vectors < chunks:
            return [VECTORS_SHORT.format(missing=chunks - vectors, chunks=chunks)]
        return []

    def fusion_weights(self) -> dict[str, float]:
        """Channel weights for fusion: the configured ones, or for ``vector_weight`` None the default of the
        embedder in use (the self-trained model ranks worse than keywords; other embedders are unchanged)."""
        cfg = self.config
        vector = cfg.vector_weight
        if vector is None:
            vector = SELF_TRAINED_VECTOR_WEIGHT if self.embeddings.self_trained else OTHER_VECTOR_WEIGHT
        return {"keyword": cfg.keyword_weight, "vector": vector}

    def rrf_k(self) -> int:
        """The RRF constant: the configured one, or for None the default of the embedder in use."""
        if self.config.rrf_k is not None:
            return self.config.rrf_k
        return SELF_TRAINED_RRF_K if self.embeddings.self_trained else OTHER_RRF_K

    def _choose(self, fused: Fused, k: int, max_per_doc: int | None = None) -> tuple[Fused, dict[str, Chunk]]:
        """Diversify on chunk ids alone, then read only the chosen chunks from SQLite.

        The document comes from the id prefix, so the ~2×candidates fused ids need no rows.
        A chosen id the store no longer holds (a vector whose chunk was just replaced) is
        dropped and the choice redone, which gives what filtering first would have given.
        """
        doc_of = {cid: doc_of_chunk(cid) for cid, _, _ in fused}
        while True:
            top = diversify(fused, doc_of, k, self.config.max_per_doc if max_per_doc is None else max_per_doc,
                            self.config.diversity_after)
            chunks = self.store.chunks_by_id([cid for cid, _, _ in top])
            if len(chunks) == len(top):
                return top, chunks
            gone = {cid for cid, _, _ in top} - chunks.keys()
            fused = [f for f in fused if f[0] not in gone]

    def keyword_search(self, query: str, k: int = 10, filters: SearchFilters | None = None) -> list[str]:
        allowed = self._allowed(filters or SearchFilters())
        return [c for c, _ in self.keyword.search(list(query_index_terms(query)), k, allowed)]

    def vector_search(self, query: str, k: int = 10, filters: SearchFilters | None = None) -> list[str]:
        allowed = self._allowed(filters or SearchFilters())
        return [c for c, _ in self._vector_query(self.embedder.embed_query(query), k, allowed)]

    def _allowed(self, filters: SearchFilters) -> set[str] | None:
        """The documents ``filters`` allow, cached per store generation.

        A draft runs the same few filters for every suggestion, and at 10k documents each costs ~20 ms.
        The returned set is shared: callers must not modify it.
        """
        key = (self.store.generation(), filters.model_dump_json())
        with self._allowed_lock:
            if key in self._allowed_cache:
                return self._allowed_cache[key]
        allowed = self.store.matching_doc_ids(filters)
        with self._allowed_lock:
            if len(self._allowed_cache) >= ALLOWED_CACHE_SIZE:
                self._allowed_cache.clear()
            self._allowed_cache[key] = allowed
        return allowed

    def _vector_query(self, vector: np.ndarray, n: int, allowed: set[str] | None) -> list[tuple[str, float]]:
        """The ``n`` nearest chunks of the ``allowed`` documents.

        Chroma filters a metadata ``$in`` list by brute force: at 100k chunks a filter of a few thousand
        documents costs ~160 ms against ~9 ms for an unfiltered query of 1000 neighbours. So when the
        allowed documents are a sizeable share, over-fetch unfiltered and filter here; fall back to the
        exact filtered query only when that leaves too few.
        """
        if allowed is None:
            return self.vectors.query(vector, n, None)
        if not allowed:
            return []
        total_docs = max(self.store.doc_count(), 1)
        share = len(allowed) / total_docs
        want = int(n / share * OVERFETCH_MARGIN) if share > 0 else MAX_OVERFETCH + 1
        if want <= MAX_OVERFETCH:
            fetched = self.vectors.query(vector, max(want, n), None)
            kept = [(c, s) for c, s in fetched if doc_of_chunk(c) in allowed]
            if len(kept) >= n or len(fetched) < max(want, n):  # enough, or the whole collection was seen
                return kept[:n]
        return self.vectors.query(vector, n, self.store.chunk_ids_of(allowed))

    # --- reads (the typed facade every caller uses instead of the store) ------
    def get(self, doc_id: str) -> Document | None:
        return self.store.get(doc_id)

    def chunks(self, doc_id: str) -> list[Chunk]:
        return self.store.chunks_of(doc_id)

    def chunks_by_id(self, chunk_ids: Iterable[str]) -> dict[str, Chunk]:
        """Chunks (with their sentences) by id; ids the store does not hold are absent."""
        return self.store.chunks_by_id(list(dict.fromkeys(chunk_ids)))

    def chunk_ids(self) -> set[str]:
        return self.store.chunk_ids()

    def documents(self, f: DocFilter | None = None) -> list[DocSummary]:
        """Stored documents matching ``f`` (all when None), newest first, without their text."""
        return self.store.summaries(f or DocFilter())

    def counts(self) -> KBCounts:
        docs, chunks = self.store.counts()
        return KBCounts(documents=docs, chunks=chunks)

    def doc_with_text(self, text: str) -> str | None:
        """The id of a stored document whose text is exactly ``text`` (its normalized, stored form)."""
        return self.store.find_hash(content_hash(text))

    def stats(self) -> dict[str, object]:
        counts = self.counts()
        try:
            vectors = self.vectors.count()
        except CollectionMissing:
            self._forget_vectors()
            vectors = self.vectors.count()
        return {
            "documents": counts.documents, "chunks": counts.chunks, "kinds": self.store.kind_counts(),
            "vectors": vectors, "keyword_chunks": self.keyword.chunk_count(),
            "embedder": self.embedder.identity, "collection": self.collection_name(), "kb_id": self.kb_id,
            "chroma": self.config.chroma_url or str(self.config.chroma_path), "kb_dir": str(self.config.kb_dir),
        }

    def check(self, repair: bool = False) -> dict[str, int]:
        """Compare the document store with both indexes; with ``repair``, bring them back in line."""
        want = self.store.chunk_ids()
        try:
            have_vec = self.vectors.ids()
        except CollectionMissing:
            self._forget_vectors()
            have_vec = self.vectors.ids()
        have_kw = self.keyword.chunk_id_set()
        result = {
            "chunks": len(want), "vectors_missing": len(want - have_vec), "vectors_orphaned": len(have_vec - want),
            "keyword_missing": len(want - have_kw), "keyword_orphaned": len(have_kw - want),
        }
        if repair and self.update_terms():
            self.keyword.rebuild()
        if repair and any(v for k, v in result.items() if k != "chunks"):
            self.sync_vectors()
            self.keyword.rebuild()
        return result


# Below this many files an ingest prepares them in its own process (starting workers costs ~2 s).
PARALLEL_MIN_FILES = 200


@dataclass(frozen=True)
class PrepareJob:
    path: Path
    doc_id: str
    meta: DocMeta | None
    explicit: bool
    max_bytes: int
    chunk_max_chars: int
    chunk_min_chars: int
    known_hash: str  # content hash of the stored version, "" when none


@dataclass
class Prepared:
    text: str
    meta: DocMeta
    digest: str
    chunks: list[Chunk]
    terms: list[list[str]] | None  # None when the text is stored unchanged (not tokenized)


def _die_with_parent() -> None:
    """Ingest workers end when the ingest does, even when it is killed (Linux; elsewhere nothing happens)."""
    with contextlib.suppress(Exception):
        import ctypes

        ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG
        if os.getppid() == 1:  # the parent died before the call took effect
            os._exit(1)


def build_keyword_index(sqlite_path: Path, keyword_dir: Path) -> None:
    """Build and publish the keyword index of the store at ``sqlite_path`` (run in a child process)."""
    BM25Index(DocStore(sqlite_path), keyword_dir).refresh()


def prepare_file(job: PrepareJob) -> Prepared | str:
    """Read, clean, describe, chunk and tokenize one file; a string says why it cannot be ingested."""
    try:
        text = normalize_text(read_file(job.path, job.max_bytes))
    except ReadError as err:
        return str(err)
    if len(re.sub(r"\s", "", text)) < 10:
        return "no usable text after cleaning (empty or only page furniture)"
    meta = infer_meta(text, job.meta, explicit_kind=job.explicit)
    chunks = chunk_document(job.doc_id, text, meta.kind, job.chunk_max_chars, job.chunk_min_chars)
    digest = content_hash(text)
    terms = None if digest == job.known_hash else [index_terms(c.text) for c in chunks]
    return Prepared(text, meta, digest, chunks, terms)


def _hit(chunk: Chunk, meta: DocMeta, score: float, ranks: dict[str, int]) -> Hit:
    return Hit(doc_id=chunk.doc_id, chunk_id=chunk.chunk_id, text=chunk.text, start=chunk.start, end=chunk.end,
               title=meta.title, issuer=meta.issuer, region=meta.region, date=meta.date, kind=meta.kind,
               status=meta.status, valid_until=meta.valid_until, completeness=meta.completeness,
               doc_number=meta.doc_number, section=chunk.section,
               score=round(score, 6), channels=ranks, sentences=chunk.sentences)


def _expand(paths: Iterable[Path], report: IngestReport) -> Iterable[tuple[Path, Path]]:
    for p in paths:
        if p.is_dir():
            for f in sorted(p.rglob("*")):
                if f.is_file() and f.suffix.lower() in SUPPORTED and not f.name.startswith("."):
                    yield f, p
                elif f.is_file() and f.suffix.lower() not in {".tsv", ".csv", ".json", ".md5"} and not f.name.startswith("."):
                    report.files.append(FileResult(str(f), "failed", reason=f"unsupported file type '{f.suffix or '(none)'}'"))
        elif p.is_file():
            yield p, _EXPLICIT
        else:
            report.files.append(FileResult(str(p), "failed", reason="no such file or directory"))


@lru_cache(maxsize=65536)
def _source_key(path: Path, root: Path, base: Path | None) -> str:
    """The file's key in the manifest: its path relative to the manifest's folder or the ingested root.
    Cached: an ingest asks three times per file, and resolving a path is a chain of system calls."""
    resolved = path.resolve()
    if root == _EXPLICIT:
        root = path.parent
    for anchor in (base, _resolved(root)):
        if anchor is not None:
            try:
                return resolved.relative_to(anchor).as_posix()
            except ValueError:
                continue
    return path.name


@lru_cache(maxsize=256)
def _resolved(root: Path) -> Path:
    return root.resolve()


__all__ = ["FileResult", "IngestReport", "KnowledgeBase", "ManifestError", "SearchResult", "doc_id_for"]
