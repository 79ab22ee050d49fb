"""The draft as Markdown: the letter with linked [n] markers, then sources, checks, warnings, references."""

from __future__ import annotations

import re
from functools import lru_cache

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

# Inline syntax anywhere in a value. '<' and '&' are included so text from a proposal or a crawled page
# can never become live HTML (or an entity) in a Markdown viewer. A backslash before ASCII punctuation is
# always literal in CommonMark, so escaping is safe even where it was not needed.
_INLINE = re.compile(r"([\\`*_\[\]<>!|~&])")
# Block syntax only matters where a value may begin a line: headings, quotes, lists, rules.
_BLOCK_START = re.compile(r"^([#>+=-]|\d+(?=[.)]))")
_SPACES = re.compile(r"\s*\n\s*")


def md_escape(text: str) -> str:
    """Text made literal inside a Markdown line; line breaks become spaces so it cannot start a block."""
    return _INLINE.sub(r"\\\1", _SPACES.sub(" ", text.strip()))


def md_line(text: str) -> str:
    """``md_escape`` for a value that begins a line, where 1. or # or - would start a list or heading."""
    flat = md_escape(text)
    match = _BLOCK_START.match(flat)
    if match and match.group(1).isdigit():
        end = match.end()
        return flat[:end] + "\\" + flat[end:]
    return "\\" + flat if match else flat


@lru_cache(maxsize=1)
def _env() -> Environment:
    env = export_env(autoescape=False)
    env.filters["md"] = md_escape
    env.filters["md_line"] = md_line
    return env


def to_markdown(draft: Draft) -> str:
    """Markdown of the draft: the letter, 参考来源, 核查结果, 提示 and 其他地区参考做法 (if any)."""
    text = _env().get_template("export/letter.md.j2").render(
        blocks=letter_blocks(draft.letter),
        known_ids=source_ids(draft),
        sources=sorted_sources(draft),
        checks=check_lines(draft.checks),
        flagged=flagged_sentences(draft),
        notes=review_notes(draft),
        references=draft.references,
    )
    return re.sub(r"\n{3,}", "\n\n", text).strip() + "\n"
