"""Mine (query → relevant chunks) pairs from the structure of the stored documents.

The labels come from the documents themselves, so no one has to judge
relevance by hand:

* suggestion: in a per-suggestion reply (一、对“…”建议的回复) the quoted suggestion
  is answered by every chunk of its section;
* item_heading: a standalone item heading inside a reply section (（一）…) names
  what the chunks under it are about;
* section_heading: a reply's top-level heading that is neither a suggestion nor
  a generic 工作开展情况/下一步工作打算 (those name no topic);
* doc_heading: a standalone heading in a policy or news document;
* proposal_title: the proposal title quoted in a reply's acknowledgement line
  (outside the chunked body) → every chunk of the reply, which is the
  assistant's real task: a new proposal in, earlier replies on its topic out.

A pair whose query occurs verbatim in one of its relevant chunks is trivial
(any substring matcher would find it) and is dropped, as is a query that is
too short or generic to have a unique answer.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field

from vectorstore.kb import KnowledgeBase
from vectorstore.reply import ReplySection, parse_reply
from vectorstore.structure import CN_NUM
from vectorstore.tokenize import STOPWORDS, words
from vectorstore.types import Chunk, Document

KINDS = ("suggestion", "item_heading", "section_heading", "doc_heading", "proposal_title")
MIN_QUERY_CHARS = 4
_MARKER = re.compile(
    rf"^(?:第[{CN_NUM}\d]+[编章节]\s*|[{CN_NUM}]+(?:、|[．.])|[（(][{CN_NUM}\d]+[）)]|\d{{1,2}}(?:[、．]|\.(?!\d))|[{CN_NUM}]+是)\s*"
)
_ARTICLE = re.compile(rf"^第[{CN_NUM}\d]+条$")
_GENERIC_ROLES = ("work", "plan")
# The stock section names of official documents (保障措施, 申报条件, 总体要求, 2024年工作计划 ...):
# a heading made only of these words names a slot every policy has, not a topic, so
# no search could tell which document's slot is meant.
_STRUCTURAL = frozenset(
    "保障 措施 目标 支持 政策 重点 任务 基本 思路 基本思路 原则 基本原则 申请 程序 绩效 评价 绩效评价 管理 认定 "
    "申报 条件 审核 项目 应当 符合 下列 要求 总体 发展 指导 思想 指导思想 设置 组织 主要 监督 监督管理 存在 问题 "
    "年 总结 计划 考核 范围 标准 附则 总则 职责 分工 实施 组织实施 内容 对象 方式 情况 意义 背景 其他 说明".split()
)


@dataclass
class Pair:
    query: str
    relevant: frozenset[str]
    kind: str
    doc_ids: tuple[str, ...]


@dataclass
class DocView:
    doc: Document
    chunks: list[Chunk]


@dataclass
class MiningReport:
    pairs: list[Pair] = field(default_factory=list)
    dropped: Counter[str] = field(default_factory=Counter)

    def by_kind(self) -> dict[str, int]:
        counts = Counter(p.kind for p in self.pairs)
        return {k: counts[k] for k in KINDS if counts[k]}

    def by_doc(self) -> Counter[str]:
        return Counter(d for p in self.pairs for d in p.doc_ids)


def strip_marker(label: str) -> str:
    """The heading's words without its ordinal (（一）, 1., 第二章 ...) and trailing punctuation."""
    return _MARKER.sub("", label.strip()).strip().rstrip("。；，：:")


def is_generic(query: str) -> bool:
    content = [w for w in words(query) if w not in STOPWORDS and not w.isdigit()]
    return all(w in _STRUCTURAL for w in content)


def squash(text: str) -> str:
    return re.sub(r"\s+", "", text)


def is_trivial(query: str, chunk_text: str) -> bool:
    return squash(query) in squash(chunk_text)


def docs_of(kb: KnowledgeBase) -> list[DocView]:
    views = []
    for summary in kb.documents():
        doc = kb.get(summary.doc_id)
        if doc is not None:
            views.append(DocView(doc, kb.chunks(doc.doc_id)))
    return views


def mine(docs: Iterable[DocView]) -> MiningReport:
    report = MiningReport()
    merged: dict[str, Pair] = {}
    for view in docs:
        for pair in _pairs_of(view, report.dropped):
            _merge(merged, pair)
    report.pairs = sorted(merged.values(), key=lambda p: (KINDS.index(p.kind), p.doc_ids, p.query))
    return report


def _merge(merged: dict[str, Pair], pair: Pair) -> None:
    """Identical queries from several documents become one query with the union of relevant chunks."""
    key = squash(pair.query)
    old = merged.get(key)
    if old is None:
        merged[key] = pair
        return
    doc_ids = tuple(dict.fromkeys(old.doc_ids + pair.doc_ids))
    merged[key] = Pair(old.query, old.relevant | pair.relevant, old.kind, doc_ids)


def _pairs_of(view: DocView, dropped: Counter[str]) -> Iterable[Pair]:
    doc, chunks = view.doc, view.chunks
    sections: list[ReplySection] = []
    if doc.meta.kind == "reply":
        parts = parse_reply(doc.text)
        sections = parts.sections
        for section in sections:
            if section.role == "suggestion" and section.suggestion:
                rel = [c for c in chunks if c.section_path and _same_heading(c.section_path[0], section.heading.text)]
                yield from _checked(section.suggestion, rel, "suggestion", doc.doc_id, dropped)
        if parts.proposal_title:
            yield from _checked(parts.proposal_title, chunks, "proposal_title", doc.doc_id, dropped)
    yield from _heading_pairs(doc, chunks, sections, dropped)


def _heading_pairs(doc: Document, chunks: list[Chunk], sections: list[ReplySection],
                   dropped: Counter[str]) -> Iterable[Pair]:
    under: dict[tuple[str, ...], list[Chunk]] = {}
    for c in chunks:
        for depth in range(1, len(c.section_path) + 1):
            under.setdefault(tuple(c.section_path[:depth]), []).append(c)
    for path, rel in under.items():
        label = path[-1]
        if _ARTICLE.match(label):
            continue  # 第X条 names only its position
        if doc.meta.kind != "reply":
            kind = "doc_heading"
        elif len(path) > 1:
            kind = "item_heading"
        else:
            role = next((s.role for s in sections if _same_heading(label, s.heading.text)), "other")
            if role == "suggestion":
                continue  # its quoted suggestion is the query (see above)
            if role in _GENERIC_ROLES:
                dropped["generic"] += 1
                continue
            kind = "section_heading"
        query = strip_marker(label)
        if is_generic(query):
            dropped["generic"] += 1
            continue
        yield from _checked(query, rel, kind, doc.doc_id, dropped)


def _checked(query: str, rel: list[Chunk], kind: str, doc_id: str, dropped: Counter[str]) -> Iterable[Pair]:
    query = query.strip()
    if not rel:
        return
    if len(squash(query)) < MIN_QUERY_CHARS:
        dropped["short"] += 1
        return
    if any(is_trivial(query, c.text) for c in rel):
        dropped[f"trivial:{kind}"] += 1
        return
    yield Pair(query, frozenset(c.chunk_id for c in rel), kind, (doc_id,))


def _same_heading(label: str, heading: str) -> bool:
    """A chunk's path holds the heading's label: the whole line, or its lead sentence when inline."""
    label, heading = label.strip(), heading.strip()
    return label == heading or label == heading.rstrip("。；") or (len(label) >= 6 and heading.startswith(label))
