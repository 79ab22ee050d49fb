"""Which stored documents a later one repealed, read from the knowledge base's own policies.

A rule is often repealed not by a note on its own page but by the closing article of the rule that replaces
it (本办法自2022年10月1日起施行。《…暂行办法》（青科规〔2019〕2号）同时废止). What counts as such a repeal is
:func:`assistant.rules.validity.repeals_in`; this module reads every policy once per knowledge-base
generation and gives drafting and verification the same list.
"""

from __future__ import annotations

import threading

from assistant.rules.validity import Repeal, repealed_at, repeals_in
from vectorstore.kb import KnowledgeBase
from vectorstore.types import DocFilter, DocMeta

_MARKS = ("废止", "停止执行", "不再执行")
_CACHE: dict[tuple[str, int], list[Repeal]] = {}
_LOCK = threading.Lock()


def known_repeals(kb: KnowledgeBase) -> list[Repeal]:
    """Every repeal a stored policy states, for the knowledge base as it is now."""
    key = (str(kb.config.kb_dir), kb.generation())
    with _LOCK:
        if key in _CACHE:
            return _CACHE[key]
    found: list[Repeal] = []
    for summary in kb.documents(DocFilter(kinds=["policy"])):
        doc = kb.get(summary.doc_id)
        if doc is not None and any(m in doc.text for m in _MARKS):
            found += repeals_in(doc.text, doc.meta.date)
    with _LOCK:
        _CACHE.clear()
        _CACHE[key] = found
    return found


def as_repealed(meta: DocMeta, repeals: list[Repeal], at: str) -> DocMeta:
    """The document's metadata with a later document's repeal of it recorded, when one is in force on ``at``."""
    found = repealed_at(meta, repeals, at)
    if found is None or meta.status == "repealed":
        return meta
    return meta.model_copy(update={"status": "repealed", "valid_until": found.since})
