"""A citation is valid when its quote still equals the stored document text at its offsets."""

from __future__ import annotations


def quote_valid(quote: str, start: int, end: int, doc_text: str | None) -> bool:
    return doc_text is not None and 0 <= start < end <= len(doc_text) and doc_text[start:end] == quote
