"""Chooses the embedder from the configuration and keeps the self-trained static model current."""

from __future__ import annotations

import contextlib
import hashlib
import json
import logging
import random
import shutil
from collections.abc import Callable, Iterator
from pathlib import Path

from vectorstore.config import KBConfig
from vectorstore.docstore import DocStore
from vectorstore.embed import Embedder, HashingEmbedder, SentenceTransformerEmbedder, StaticModelEmbedder
from vectorstore.locks import file_lock
from vectorstore.static_model import StaticConfig, TrainingText, train_static_model

log = logging.getLogger(__name__)
_STATE_KEY = "static_model"
# Chunks the static model learns from: a larger knowledge base is sampled (vocabulary, co-occurrence and
# pairs from 10k chunks; every chunk is still embedded). 20k took ~40 s more at 100k chunks for no measured gain.
_TRAIN_SAMPLE = 10000
# Fine-tuning budget: 4 ms a chunk, at least 10 s, at most static_time_budget_s (10k chunks reach 40 s).
# A few hundred chunks finish their epochs within the 10 s; 3k chunks get 12 s instead of a minute.
_BUDGET_S_PER_CHUNK = 0.004
_MIN_BUDGET_S = 10.0


class EmbeddingService:
    def __init__(self, config: KBConfig, store: DocStore, override: Embedder | None = None) -> None:
        self.config = config
        self.store = store
        self.override = override
        self._cached: tuple[str, Embedder] | None = None
        self._found_state: str | None = None  # the stored model state whose model folder was found

    @property
    def uses_static(self) -> bool:
        return self.override is None and self.config.embedding_model in ("", "static")

    @property
    def self_trained(self) -> bool:
        """The embedder in use is a static model trained on a knowledge base (not a pretrained model, not the fake)."""
        if self.override is not None:
            return isinstance(self.override, StaticModelEmbedder)
        self.current()
        return self._cached is not None and self._cached[0].startswith("static:")

    def current(self) -> Embedder:
        if self.override is not None:
            return self.override
        model = self.config.embedding_model
        if model == "hashing":
            key = "hashing"
        elif model and model != "static":
            key = f"st:{model}"
        else:
            # Every search asks (several times); parsing the state and looking for the model folder each time
            # cost ~0.6 ms a search at 100k chunks. The stored state names the model, so while it reads the
            # same as when a model was found, that model is still the one.
            raw = self.store.get_state(_STATE_KEY)
            if raw is not None and raw == self._found_state and self._cached is not None:
                return self._cached[1]
            path = self._model_path(json.loads(raw) if raw else None)
            self._found_state = raw if path is not None else None
            key = f"static:{path}" if path is not None else "hashing"
        if self._cached is None or self._cached[0] != key:
            self._cached = (key, self._build(key))
        return self._cached[1]

    def _build(self, key: str) -> Embedder:
        if key == "hashing":
            return HashingEmbedder()
        if key.startswith("st:"):
            return SentenceTransformerEmbedder(key[3:])
        path = Path(key[len("static:"):])
        return StaticModelEmbedder(path) if StaticModelEmbedder.can_load(path) else SentenceTransformerEmbedder(path, revision=path.name)

    def _state(self) -> dict | None:  # type: ignore[type-arg]
        raw = self.store.get_state(_STATE_KEY)
        return json.loads(raw) if raw else None

    def _model_path(self, state: dict | None) -> Path | None:  # type: ignore[type-arg]
        if not state:
            return None
        path = self.config.models_dir / state["name"]
        return path if (path / "modules.json").exists() else None

    def has_model(self) -> bool:
        """Whether vectors come from a model: a trained static one, or any configured embedder."""
        return not self.uses_static or self._model_path(self._state()) is not None

    def needs_training(self) -> bool:
        if not self.uses_static:
            return False
        ids = self.store.chunk_ids()
        if len(ids) < self.config.static_min_chunks:
            return False
        path = self._model_path(self._state())
        if path is None:
            return True
        listing = path / "chunk_ids.txt"
        trained = set(listing.read_text().split()) if listing.exists() else set()
        changed = len(ids ^ trained) / max(len(ids), len(trained), 1)
        return changed >= self.config.retrain_fraction

    def train(self, progress: Callable[[str], None] | None = None) -> tuple[str, dict[str, float]]:
        """Train a static model on the current chunks into a new folder; return its name and figures.

        The model is not in use yet: ``activate`` switches to it once its vectors are stored, so searches
        keep serving the previous model (and its vectors) while this one trains and is embedded.
        """
        items: list[TrainingText] = []
        titles = {r["doc_id"]: r["title"] for r in self.store.meta_rows()}
        rows = self._sample_rows()
        for r in rows:
            text, start = r["text"], r["start"]
            sents = [text[s - start : e - start] for s, e in json.loads(r["sentences"])]
            path = json.loads(r["section_path"])
            suggestion = ""
            if path and "“" in path[0] and "建议" in path[0]:
                suggestion = path[0].split("“", 1)[1].split("”", 1)[0]
            items.append(TrainingText(text=text, section_path=path, title=titles.get(r["doc_id"], ""),
                                      sentences=sents, suggestion=suggestion, terms=r["terms"].split()))
        all_ids = sorted(self.store.chunk_ids())
        fingerprint = hashlib.sha1("\n".join(all_ids).encode()).hexdigest()[:12]
        out = self.config.models_dir / f"static-{fingerprint}"
        cfg = StaticConfig(time_budget_s=self.fine_tune_budget(len(all_ids)))
        figures = train_static_model(items, out, cfg, progress)
        (out / "chunk_ids.txt").write_text("\n".join(all_ids))
        return out.name, figures

    def _sample_rows(self) -> list:  # type: ignore[type-arg]
        """The chunk rows training learns from: all, or a seeded sample of ``_TRAIN_SAMPLE``.

        The sample is drawn over rowids, then only those rows are read: the same rows, in the same order, as
        sampling the list of every row (``random.sample`` picks positions from the length alone), without
        reading 100k texts to keep 10k.
        """
        rowids = self.store.chunk_rowids()
        if len(rowids) > _TRAIN_SAMPLE:
            rowids = random.Random(7).sample(rowids, _TRAIN_SAMPLE)
        return self.store.chunk_rows(rowids)

    def fine_tune_budget(self, chunks: int) -> float:
        """Seconds of fine-tuning for a knowledge base of ``chunks``: static_time_budget_s, less for a small one
        (a few hundred documents need a few seconds, not a minute, to be served by their own model)."""
        return min(self.config.static_time_budget_s, max(_MIN_BUDGET_S, chunks * _BUDGET_S_PER_CHUNK))

    def candidate(self, name: str) -> Embedder:
        """The embedder of a trained, not yet active model folder."""
        return self._build(f"static:{self.config.models_dir / name}")

    def activate(self, name: str, figures: dict[str, float]) -> None:
        """Make a trained model the one every process uses, and remove the one it replaces."""
        previous = self._state()
        self.store.set_state(_STATE_KEY, json.dumps({"name": name, "figures": figures}))
        if previous and previous.get("name") != name:
            shutil.rmtree(self.config.models_dir / previous["name"], ignore_errors=True)
        self._cached, self._found_state = None, None

    @contextlib.contextmanager
    def training_lock(self, blocking: bool = True) -> Iterator[bool]:
        """One training at a time per knowledge base, across processes; yields whether it was acquired."""
        with file_lock(self.config.models_dir / "train.lock", blocking) as acquired:
            yield acquired
