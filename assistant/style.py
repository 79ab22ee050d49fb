"""How much a sentence reads like a reply letter: a small model learned from the knowledge base itself.

The best model of what a bureau writes in 工作开展情况 and 下一步工作打算 is what it wrote there before. At
ingest (and again whenever the knowledge base has changed) a logistic regression over character 2–3-grams
learns reply body sentences against the other sentences of the archive (news, summaries, policies). It only
ranks sentences that the letter-worthiness rules already accept; with too few past replies it is not used
and the rules alone decide. The model is a plain JSON file of n-gram weights in the knowledge-base folder.
"""

from __future__ import annotations

import json
import logging
import math
import os
import random
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Protocol

from vectorstore.kb import KnowledgeBase

log = logging.getLogger(__name__)

MIN_POSITIVES = 40
MAX_PER_CLASS = 20000
FILE = "style_model.json"
VERSION = 1
_BODY_PARTS = ("work", "suggestion", "plan")
_USABLE = re.compile(r"[。！；]$")
# A reply's own framing (您提出的…收悉, 感谢…) is not body style.
_FRAMING = re.compile(r"您|你们|贵单位|收悉|答复如下|感谢|联系人|此件")


class StyleScorer(Protocol):
    def score(self, text: str) -> float: ...


class StyleModel:
    """Character n-gram weights; ``score`` is the probability that a sentence is reply body text."""

    def __init__(self, weights: dict[str, float], bias: float, positives: int, negatives: int) -> None:
        self.weights = weights
        self.bias = bias
        self.positives = positives
        self.negatives = negatives

    def score(self, text: str) -> float:
        grams = _grams(text)
        if not grams:
            return 0.5
        z = self.bias + sum(self.weights.get(g, 0.0) for g in grams) / math.sqrt(len(grams))
        return 1.0 / (1.0 + math.exp(-max(-30.0, min(30.0, z))))

    def to_json(self, generation: int) -> str:
        return json.dumps({"version": VERSION, "generation": generation, "bias": self.bias, "positives": self.positives,
                           "negatives": self.negatives, "weights": self.weights}, ensure_ascii=False)


def _grams(text: str) -> set[str]:
    t = re.sub(r"\d+(?:\.\d+)?", "0", text)
    return {t[i : i + n] for n in (2, 3) for i in range(len(t) - n + 1)}


def examples(kb: KnowledgeBase, seed: int = 13) -> tuple[list[str], list[str]]:
    """(reply body sentences, other sentences), each capped by a seeded sample."""
    pos: list[str] = []
    neg: list[str] = []
    for kind, part, sentence in _sentences(kb):
        if kind == "reply" and part in _BODY_PARTS:
            if not _FRAMING.search(sentence):
                pos.append(sentence)
        elif kind in ("news", "summary", "plan", "policy"):
            neg.append(sentence)
    rng = random.Random(seed)
    for bag in (pos, neg):
        if len(bag) > MAX_PER_CLASS:
            bag[:] = rng.sample(bag, MAX_PER_CLASS)
    return pos, neg


def _sentences(kb: KnowledgeBase) -> Iterator[tuple[str, str, str]]:
    for kind, chunk in kb.chunks_with_kind():
        for span in chunk.sentences:
            if 12 <= len(span.text) <= 240 and _USABLE.search(span.text):
                yield kind, chunk.part, span.text


def train(kb: KnowledgeBase) -> StyleModel | None:
    """The style model of ``kb``, or None when it holds too few past replies to learn from."""
    pos, neg = examples(kb)
    if len(pos) < MIN_POSITIVES or len(neg) < MIN_POSITIVES:
        return None
    from sklearn.feature_extraction.text import CountVectorizer
    from sklearn.linear_model import LogisticRegression

    texts = pos + neg
    vec = CountVectorizer(analyzer=lambda t: sorted(_grams(t)), binary=True, min_df=2)
    x = vec.fit_transform(texts)
    # Rows scaled by 1/sqrt(n-grams), as ``score`` does, so long sentences do not win by length.
    import numpy as np
    from scipy.sparse import diags

    norms = np.sqrt(np.maximum(np.asarray(x.sum(axis=1)).ravel(), 1.0))
    x = diags(1.0 / norms) @ x
    y = np.array([1] * len(pos) + [0] * len(neg))
    model = LogisticRegression(C=4.0, class_weight="balanced", max_iter=400)
    model.fit(x, y)
    vocab = vec.get_feature_names_out()
    coef = model.coef_[0]
    weights = {str(g): round(float(w), 4) for g, w in zip(vocab, coef, strict=True) if abs(w) >= 0.02}
    return StyleModel(weights, float(model.intercept_[0]), len(pos), len(neg))


def load_style(kb: KnowledgeBase) -> StyleModel | None:
    """The model for the knowledge base as it is now: read from its folder, or learned again if stale."""
    path = Path(kb.config.kb_dir) / FILE
    generation = kb.generation()
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        if data.get("version") == VERSION and data.get("generation") == generation:
            if not data["weights"]:
                return None
            return StyleModel(data["weights"], data["bias"], data["positives"], data["negatives"])
    except (OSError, ValueError, KeyError):
        pass
    model = train(kb)
    _save(path, (model or StyleModel({}, 0.0, 0, 0)).to_json(generation))
    return model


def _save(path: Path, data: str) -> None:
    """Written to a private file then renamed, so a reader never sees half a model."""
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp.write_text(data, encoding="utf-8")
        os.replace(tmp, path)
    except OSError as err:  # a read-only knowledge base still drafts, with the model kept in memory only
        log.warning("style model not saved: %s", err)
        tmp.unlink(missing_ok=True)
