"""The offline default embedder: a sentence-transformers StaticEmbedding trained on the knowledge base.

No pretrained Chinese model can be assumed offline, so the knowledge base
teaches one to itself:

1. vocabulary: the corpus's jieba words (frequent enough) plus every character,
   as a WordPiece tokenizer that matches the longest known word first;
2. initial vectors: PPMI-SVD of sentence-level co-occurrence, scaled by IDF so
   mean pooling behaves like an IDF-weighted average (real semantic signal
   before any training);
3. fine-tuning with MultipleNegativesRankingLoss on pairs mined from document
   structure (heading → paragraph, title → paragraph, suggestion → reply item,
   sentence → next sentence), within a CPU time budget.

The model is saved inside the knowledge-base directory and reloaded with plain
``SentenceTransformer(path)``, like any other model.
"""

from __future__ import annotations

import contextlib
import json
import logging
import math
import random
import time
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from vectorstore.tokenize import BIGRAM, STOPWORDS, _is_cjk, words

log = logging.getLogger(__name__)
MODEL_VERSION = "static-v1"
_LONG_STOPWORDS = sorted(w for w in STOPWORDS if len(w) >= 2)


@dataclass
class TrainingText:
    """What training needs from one chunk: its text, heading path, title and sentences."""

    text: str
    section_path: list[str]
    title: str
    sentences: list[str]
    suggestion: str = ""
    # The chunk's index terms as the document store keeps them (tokenize.terms); saves a second jieba pass.
    terms: list[str] | None = None


@dataclass
class StaticConfig:
    dim: int = 256
    min_word_count: int = 2
    max_vocab: int = 60000
    time_budget_s: float = 60.0
    epochs: int = 4
    batch_size: int = 64
    lr: float = 0.02
    seed: int = 13


def build_vocab(texts: list[str], cfg: StaticConfig, stored_terms: list[list[str] | None] | None = None) -> list[str]:
    """Frequent jieba words of length >= 2, plus every character.

    ``stored_terms[i]`` (when given and not None) stands in for segmenting ``texts[i]`` again.
    """
    counts: Counter[str] = Counter()
    chars: set[str] = set()
    stored = stored_terms or []
    for n, text in enumerate(texts):
        known = stored[n] if n < len(stored) else None
        counts.update(w for w in (words(text) if known is None else words_from_terms(known, text)) if len(w) >= 2)
        chars.update(ch for ch in text.lower() if not ch.isspace())
    frequent = [w for w, c in counts.most_common(cfg.max_vocab) if c >= cfg.min_word_count]
    return ["[UNK]", "[PAD]", *sorted(chars), *[w for w in frequent if w not in chars]]


def words_from_terms(stored: list[str], text: str) -> list[str]:
    """``words(text)`` recovered from the stored index terms: drop the bigrams, and put back the
    multi-character stopwords the index leaves out (counted in the text).

    Stored terms are ``tokenize.index_terms`` (bigrams marked ``BIGRAM``); a knowledge base not yet
    re-tokenized holds the older ``tokenize.terms`` (unmarked bigrams after each long word)."""
    if any(t.startswith(BIGRAM) for t in stored):
        out = [t for t in stored if not t.startswith(BIGRAM)]
    else:
        out = []
        skip = 0
        for t in stored:
            if skip:
                skip -= 1
                continue
            out.append(t)
            if len(t) >= 4 and _is_cjk(t):
                skip = len(range(0, len(t) - 1, 2))
    low = text.lower()
    for w in _LONG_STOPWORDS:
        out.extend([w] * low.count(w))
    return out


def make_tokenizer(vocab: list[str]):  # type: ignore[no-untyped-def]
    from tokenizers import Tokenizer, normalizers, pre_tokenizers
    from tokenizers.models import WordPiece

    model = WordPiece(
        {tok: i for i, tok in enumerate(vocab)}, unk_token="[UNK]",
        continuing_subword_prefix="", max_input_chars_per_word=100000,
    )
    tok = Tokenizer(model)
    tok.normalizer = normalizers.Sequence([normalizers.NFKC(), normalizers.Lowercase()])
    tok.pre_tokenizer = pre_tokenizers.Sequence([pre_tokenizers.WhitespaceSplit(), pre_tokenizers.Punctuation()])
    return tok


def ppmi_svd_init(token_ids: list[list[int]], vocab_size: int, dim: int, seed: int) -> np.ndarray:
    """Token vectors from PPMI-weighted co-occurrence within a sentence, IDF-scaled."""
    from scipy.sparse import coo_matrix, csr_matrix, diags

    df = np.zeros(vocab_size, dtype=np.float64)
    # Sentence × token incidence (1 where the token occurs): df is its column sum and the
    # co-occurrence counts are X^T X without the diagonal, one sparse product in C instead of
    # a Python loop over every token pair of every sentence.
    indptr, indices = [0], []
    for ids in token_ids:
        uniq = sorted(set(ids))
        df[uniq] += 1
        indices.extend(uniq[:60])  # cap the quadratic cost of very long sentences, as before
        indptr.append(len(indices))
    n_sent = max(1, len(token_ids))
    idf = np.log((n_sent + 1) / (df + 1)) + 1.0
    rng = np.random.default_rng(seed)
    emb = rng.normal(0, 0.01, size=(vocab_size, dim)).astype(np.float32)
    incidence = csr_matrix((np.ones(len(indices)), indices, indptr), shape=(len(token_ids), vocab_size))
    co = (incidence.T @ incidence).tocsr()
    co = (co - diags(co.diagonal())).tocsr()  # a token with itself is not co-occurrence
    co.eliminate_zeros()
    if co.nnz:
        total = co.sum()
        row_sum = np.asarray(co.sum(axis=1)).ravel()
        col_sum = np.asarray(co.sum(axis=0)).ravel()
        co = co.tocoo()
        pmi = np.log(co.data * total / (row_sum[co.row] * col_sum[co.col] + 1e-12) + 1e-12)
        keep = pmi > 0
        ppmi = coo_matrix((pmi[keep], (co.row[keep], co.col[keep])), shape=co.shape).tocsr()
        k = min(dim, min(ppmi.shape) - 2)
        if ppmi.nnz > 0 and k > 1:
            u, s = randomized_svd(ppmi.astype(np.float64), k, seed)
            vecs = u * np.sqrt(s)
            norms = np.linalg.norm(vecs, axis=1, keepdims=True)
            norms[norms == 0] = 1
            emb[:, :k] = (vecs / norms).astype(np.float32)
    emb *= (idf / idf.max()).astype(np.float32)[:, None]
    emb[1] = 0  # [PAD]
    return emb


def randomized_svd(matrix, k: int, seed: int, power_iterations: int = 4,  # type: ignore[no-untyped-def]
                   oversample: int = 16) -> tuple[np.ndarray, np.ndarray]:
    """The top ``k`` left singular vectors and values of a sparse matrix (Halko, Martinsson and Tropp).

    Replaces ARPACK (scipy's svds): 2.6 s instead of 4.9 s single-threaded on a 5k-word PPMI matrix of 1.3M
    entries, and the gap widens with the vocabulary. With 4 power iterations the leading singular values are
    exact and the 256th is within 5%; fine-tuning starts from these vectors anyway.
    """
    rng = np.random.default_rng(seed)
    width = min(k + oversample, min(matrix.shape))
    sample = matrix @ rng.standard_normal((matrix.shape[1], width))
    for _ in range(power_iterations):
        basis, _ = np.linalg.qr(sample)
        sample = matrix @ (matrix.T @ basis)
    basis, _ = np.linalg.qr(sample)
    small_u, values, _ = np.linalg.svd(np.asarray((matrix.T @ basis).T), full_matrices=False)
    return basis @ small_u[:, :k], values[:k]


def mine_pairs(items: list[TrainingText], rng: random.Random, max_pairs: int = 40000) -> list[tuple[str, str]]:
    pairs: list[tuple[str, str]] = []
    for it in items:
        if it.section_path:
            pairs.append((it.section_path[-1], it.text))
            if len(it.section_path) > 1:
                pairs.append((it.section_path[0], it.text))
        if it.title:
            pairs.append((it.title, it.text))
        if it.suggestion:
            pairs.append((it.suggestion, it.text))
        for a, b in zip(it.sentences, it.sentences[1:], strict=False):
            if len(a) >= 8 and len(b) >= 8:
                pairs.append((a, b))
    # Boilerplate repeats (the same heading over the same paragraph in several replies): a twin
    # pair teaches nothing new and costs a step. Order is kept so the shuffle stays seeded.
    pairs = list(dict.fromkeys(pairs))
    rng.shuffle(pairs)
    return pairs[:max_pairs]


def train_static_model(
    items: list[TrainingText], out_dir: Path, cfg: StaticConfig | None = None,
    progress: Callable[[str], None] | None = None,
) -> dict[str, float]:
    """Train and save a static model for ``items``; return training figures."""
    with _one_thread():
        return _train(items, out_dir, cfg or StaticConfig(), progress)


@contextlib.contextmanager
def _one_thread() -> Iterator[None]:
    """BLAS and torch on one thread while training. Measured on the two shared cores: the SVD took 4.9 s on one
    thread and 11.5 s on two, a fine-tuning step 17 ms and 108 ms (threads spin waiting for each other whenever
    another process holds a core), and a web worker that trains should not take every core anyway."""
    try:
        from threadpoolctl import threadpool_limits
    except ImportError:  # pragma: no cover - installed with scipy's stack
        limits: contextlib.AbstractContextManager[object] = contextlib.nullcontext()
    else:
        limits = threadpool_limits(1)
    import torch

    previous = torch.get_num_threads()
    torch.set_num_threads(1)
    try:
        with limits:
            yield
    finally:
        torch.set_num_threads(previous)


def _train(items: list[TrainingText], out_dir: Path, cfg: StaticConfig,
           progress: Callable[[str], None] | None) -> dict[str, float]:
    started = time.perf_counter()
    rng = random.Random(cfg.seed)
    # A title is repeated on every chunk of its document; count it once, as one text.
    titles = list(dict.fromkeys(it.title for it in items if it.title))
    vocab = build_vocab([it.text for it in items] + titles, cfg, [it.terms for it in items])
    tokenizer = make_tokenizer(vocab)
    sentences = [s for it in items for s in (it.sentences or [it.text])]
    ids = [enc.ids for enc in tokenizer.encode_batch(sentences, add_special_tokens=False)]
    weights = ppmi_svd_init(ids, len(vocab), cfg.dim, cfg.seed)
    prepared = time.perf_counter() - started
    if progress:
        progress(f"vocabulary {len(vocab)} tokens; initial vectors ready")
    pairs = mine_pairs(items, rng)
    # The budget is for fine-tuning: vocabulary and initial vectors must finish whatever it is, and on
    # a large KB they used to eat most of it, leaving the slow-to-build model barely trained.
    weights, steps, last_loss = fine_tune(tokenizer, weights, pairs, cfg, time.perf_counter())
    save_static_model(tokenizer, weights, out_dir)
    figures = {
        "vocab": float(len(vocab)), "pairs": float(len(pairs)), "steps": float(steps),
        "loss": float(last_loss), "seconds": time.perf_counter() - started, "prepare_seconds": prepared,
    }
    (out_dir / "training.json").write_text(json.dumps({"version": MODEL_VERSION, **figures}, indent=2))
    return figures


def save_static_model(tokenizer, weights: np.ndarray, out_dir: Path) -> None:  # type: ignore[no-untyped-def]
    """Write a static model folder without sentence-transformers: what ``StaticModelEmbedder`` reads, laid out
    as sentence-transformers saves a StaticEmbedding (so ``SentenceTransformer(out_dir)`` loads it too)."""
    from importlib.metadata import version

    from safetensors.numpy import save_file

    out_dir.mkdir(parents=True, exist_ok=True)
    modern = int(version("sentence-transformers").split(".")[0]) >= 6
    kind = ("sentence_transformers.sentence_transformer.modules.static_embedding.StaticEmbedding" if modern
            else "sentence_transformers.models.StaticEmbedding")
    (out_dir / "modules.json").write_text(json.dumps([{"idx": 0, "name": "0", "path": "", "type": kind}]))
    (out_dir / "config_sentence_transformers.json").write_text(json.dumps(
        {"model_type": "SentenceTransformer", "prompts": {"document": "", "query": ""}, "similarity_fn_name": "cosine"}))
    tokenizer.save(str(out_dir / "tokenizer.json"))
    save_file({"embedding.weight": np.ascontiguousarray(weights, dtype=np.float32)}, str(out_dir / "model.safetensors"))


# MultipleNegativesRankingLoss's default: cosine similarities times 20 (temperature 0.05).
MNRL_SCALE = 20.0


def fine_tune(tokenizer, weights: np.ndarray, pairs: list[tuple[str, str]], cfg: StaticConfig,  # type: ignore[no-untyped-def]
              started: float) -> tuple[np.ndarray, int, float]:
    """Fine-tune the token vectors on ``pairs``; return the new vectors, the steps taken and the last loss.

    What sentence-transformers does for a StaticEmbedding under MultipleNegativesRankingLoss (mean of the token
    vectors, in-batch negatives, cosine times 20, cross-entropy, Adam), in plain torch: each text is tokenized
    once rather than at every step, and neither sentence-transformers nor transformers is imported (the import
    alone took 7–11 s of a training on a quiet machine, 39 s under load). Stops at ``cfg.epochs`` or when
    ``cfg.time_budget_s`` has passed since ``started``, whichever comes first.
    """
    if len(pairs) < cfg.batch_size:
        return weights, 0, math.nan
    import torch
    import torch.nn.functional as F

    torch.manual_seed(cfg.seed)
    texts = list(dict.fromkeys(t for pair in pairs for t in pair))
    row = {t: i for i, t in enumerate(texts)}
    encoded = [np.asarray(e.ids, dtype=np.int64) for e in tokenizer.encode_batch(texts, add_special_tokens=False)]
    bag = torch.nn.EmbeddingBag.from_pretrained(torch.from_numpy(np.array(weights, dtype=np.float32)), freeze=False,
                                                mode="mean")
    # Fused: one kernel for the whole update instead of a tensor operation per Adam term (a third of the step).
    optim = torch.optim.Adam(bag.parameters(), lr=cfg.lr, fused=True)
    labels = torch.arange(cfg.batch_size)

    def embed(batch: list[str]) -> torch.Tensor:
        ids = [encoded[row[t]] for t in batch]
        offsets = np.zeros(len(ids), dtype=np.int64)
        np.cumsum([len(x) for x in ids[:-1]], out=offsets[1:])
        return F.normalize(bag(torch.from_numpy(np.concatenate(ids)), torch.from_numpy(offsets)), p=2, dim=1)

    steps, last = 0, math.nan
    for _ in range(cfg.epochs):
        for batch in _batches(pairs, cfg.batch_size):
            if time.perf_counter() - started > cfg.time_budget_s:
                return bag.weight.detach().numpy(), steps, last
            scores = embed([a for a, _ in batch]) @ embed([p for _, p in batch]).T * MNRL_SCALE
            loss = F.cross_entropy(scores, labels)
            optim.zero_grad()
            loss.backward()
            optim.step()
            steps += 1
            last = float(loss.detach())
    return bag.weight.detach().numpy(), steps, last


def _batches(pairs: list[tuple[str, str]], size: int) -> Iterable[list[tuple[str, str]]]:
    seen: set[str] = set()
    batch: list[tuple[str, str]] = []
    # Duplicate anchors in one batch would be false negatives for MNRL.
    for a, p in pairs:
        if a in seen:
            continue
        seen.add(a)
        batch.append((a, p))
        if len(batch) == size:
            yield batch
            batch, seen = [], set()
