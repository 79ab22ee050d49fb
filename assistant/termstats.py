"""How common each index term is in the knowledge base: what makes a word distinctive for this bureau.

Relevance of a sentence to a suggestion weighs the words they share by how rare the words are in the
bureau's own archive (企业 is everywhere, 链主 is not), so the same code ranks well for a bureau whose
archive is about 中试 and one whose archive is about 科技特派员. Counted from the stored index terms,
once per knowledge-base generation, and kept beside the knowledge base.
"""

from __future__ import annotations

import json
import logging
import math
import os
import re
from collections import Counter
from pathlib import Path

from vectorstore.kb import KnowledgeBase

log = logging.getLogger(__name__)
FILE = "term_stats.json"
VERSION = 2


_NAME = re.compile(r"“([\u4e00-\u9fff]{2,5})”")


class TermStats:
    def __init__(self, df: dict[str, int], chunks: int, names: list[str] | None = None) -> None:
        self.df = df
        self.chunks = chunks
        # Short names the archive puts in quotes (“科信贷”, “示科贷”): how staff abbreviate programmes.
        self.names = names or []

    def idf(self, term: str) -> float:
        """BM25's idf: about log(N) for a term no chunk has, near 0 for a term every chunk has."""
        n = self.chunks
        d = self.df.get(term, 0)
        return math.log((n - d + 0.5) / (d + 0.5) + 1.0)


def count(kb: KnowledgeBase) -> TermStats:
    df: Counter[str] = Counter()
    n = 0
    for terms in kb.chunk_terms():
        n += 1
        df.update(set(terms))
    names: Counter[str] = Counter()
    for _, chunk in kb.chunks_with_kind():
        names.update(_NAME.findall(chunk.text))
    return TermStats(dict(df), n, sorted(names))


def abbreviations(text: str, names: list[str]) -> list[str]:
    """The archive's short names that abbreviate words of ``text``: “科信贷” for 科技信贷 — its characters in
    order, first with first, within a span a little longer than the name, and not already written out."""
    out = []
    for name in names:
        if len(name) < 3 or name in text:
            continue
        for start in (i for i, ch in enumerate(text) if ch == name[0]):
            span = text[start : start + len(name) + 3]
            pos = 0
            for ch in name[1:]:
                pos = span.find(ch, pos + 1)
                if pos < 0:
                    break
            else:
                out.append(name)
                break
    return out


_CACHE: dict[tuple[str, int], TermStats] = {}


def load_termstats(kb: KnowledgeBase) -> TermStats:
    """Counts for the knowledge base as it is now (memory, then its folder, then counted again)."""
    folder = Path(kb.config.kb_dir)
    generation = kb.generation()
    key = (str(folder), generation)
    if key in _CACHE:
        return _CACHE[key]
    path = folder / FILE
    stats: TermStats | None = None
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        if data.get("version") == VERSION and data.get("generation") == generation:
            stats = TermStats(data["df"], data["chunks"], data.get("names", []))
    except (OSError, ValueError, KeyError):
        pass
    if stats is None:
        stats = count(kb)
        _save(path, json.dumps({"version": VERSION, "generation": generation, "chunks": stats.chunks,
                                "df": stats.df, "names": stats.names}, ensure_ascii=False))
    _CACHE.clear()
    _CACHE[key] = stats
    return stats


def _save(path: Path, data: str) -> None:
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp.write_text(data, encoding="utf-8")
        os.replace(tmp, path)
    except OSError as err:
        log.warning("term statistics not saved: %s", err)
        tmp.unlink(missing_ok=True)
