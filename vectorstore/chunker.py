"""Cut a document into chunks that follow its structure, with exact offsets.

A chunk is an item or paragraph (short neighbours under the same heading are
merged); a long paragraph is split at 一是/二是 items, then at sentences.
Standalone headings are not chunks: they become the chunk's section path.
"""

from __future__ import annotations

import hashlib

from vectorstore.reply import ReplyParts, parse_reply
from vectorstore.sentences import split_sentences
from vectorstore.structure import Block, blocks, classify, ordinal_items, split_lines
from vectorstore.types import Chunk, Span

CHUNKER_VERSION = "1"


def chunk_document(doc_id: str, text: str, kind: str, max_chars: int = 400, min_chars: int = 80) -> list[Chunk]:
    if kind == "reply":
        parts = parse_reply(text)
        start, end = parts.body_range(len(text))
        if end <= start:  # parser found no body: fall back to the whole text
            start, end = 0, len(text)
        raw = _blocks_in(text, start, end)
        roles = _role_lookup(parts)
        if not raw:  # a misread header or tail left no body: chunk the whole text rather than nothing
            raw = _blocks_in(text, 0, len(text))
    else:
        raw = _blocks_in(text, 0, len(text))
        roles = {}
    merged = _merge_short(raw, max_chars, min_chars)
    chunks: list[Chunk] = []
    for block in merged:
        for s, e in _split_long(text, block.start, block.end, max_chars):
            piece = text[s:e]
            part = roles.get(block.path[0], "body") if block.path else "body"
            chunks.append(
                Chunk(
                    chunk_id=chunk_id(doc_id, s, piece),
                    doc_id=doc_id,
                    seq=len(chunks),
                    start=s,
                    end=e,
                    text=piece,
                    section_path=block.path,
                    part=part,
                    sentences=split_sentences(piece, offset=s),
                )
            )
    return chunks


def chunk_id(doc_id: str, start: int, text: str) -> str:
    digest = hashlib.sha256(f"{doc_id}\x00{start}\x00{text}".encode()).hexdigest()
    return f"{doc_id}:{digest[:16]}"


def _blocks_in(text: str, start: int, end: int) -> list[Block]:
    lines = [classify(x) for x in split_lines(text[start:end], offset=start)]
    return blocks(text, lines)


def _role_lookup(parts: ReplyParts) -> dict[str, str]:
    return {section.heading.text: section.role for section in parts.sections}


def _merge_short(items: list[Block], max_chars: int, min_chars: int) -> list[Block]:
    out: list[Block] = []
    for block in items:
        prev = out[-1] if out else None
        if (
            prev is not None
            and prev.path == block.path
            and (prev.end - prev.start < min_chars or block.end - block.start < min_chars)
            and block.end - prev.start <= max_chars
        ):
            out[-1] = Block(prev.start, block.end, "", prev.path, prev.levels)
        else:
            out.append(block)
    return out


def _split_long(text: str, start: int, end: int, max_chars: int) -> list[tuple[int, int]]:
    if end - start <= max_chars:
        return [(start, end)]
    body = text[start:end]
    pieces = [(start + s, start + e) for s, e in ordinal_items(body)] or [(start, end)]
    out: list[tuple[int, int]] = []
    for s, e in pieces:
        if e - s <= max_chars:
            out.append((s, e))
        else:
            out.extend(_pack_sentences(split_sentences(text[s:e], offset=s), max_chars))
    return [(s, e) for s, e in (_trim(text, s, e) for s, e in out) if e > s]


def _pack_sentences(sentences: list[Span], max_chars: int) -> list[tuple[int, int]]:
    out: list[tuple[int, int]] = []
    cur_s: int | None = None
    cur_e = 0
    for sent in sentences:
        if cur_s is not None and sent.end - cur_s > max_chars:
            out.append((cur_s, cur_e))
            cur_s = None
        if cur_s is None:
            cur_s = sent.start
        cur_e = sent.end
    if cur_s is not None:
        out.append((cur_s, cur_e))
    return out


def _trim(text: str, s: int, e: int) -> tuple[int, int]:
    while s < e and text[s].isspace():
        s += 1
    while e > s and text[e - 1].isspace():
        e -= 1
    return s, e
