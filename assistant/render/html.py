"""The draft as HTML: the letter with linked citation markers, then sources, checks and warnings."""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from jinja2 import Environment

from assistant.models import Draft
from assistant.render.common import (
    check_lines,
    export_env,
    flagged_sentences,
    letter_blocks,
    review_notes,
    sorted_sources,
    source_ids,
)


@lru_cache(maxsize=1)
def _env() -> Environment:
    return export_env(autoescape=True)


def html_context(draft: Draft) -> dict[str, Any]:
    """Template variables for templates/export/letter.html.j2, also for pages that include it."""
    return {
        "blocks": letter_blocks(draft.letter),
        "known_ids": source_ids(draft),
        "sources": sorted_sources(draft),
        "checks": check_lines(draft.checks),
        "flagged": flagged_sentences(draft),
        "notes": review_notes(draft),
        "references": draft.references,
        "page_title": draft.letter.title,
    }


def to_html(draft: Draft, standalone: bool = True) -> str:
    """HTML of the draft; ``standalone`` wraps it in a page with inline CSS and no external assets.

    Every field is escaped, since proposals and crawled documents are untrusted text.
    """
    name = "export/page.html.j2" if standalone else "export/letter.html.j2"
    return _env().get_template(name).render(**html_context(draft))
