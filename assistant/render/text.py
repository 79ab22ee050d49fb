"""The letter as plain text, one block a line, with [n] citation markers after each sentence."""

from __future__ import annotations

from assistant.models import Draft
from assistant.render.common import letter_blocks, sentence_text


def plain_text(draft: Draft) -> str:
    """The whole letter in reading order; an item's sentences form one paragraph under its heading."""
    lines = []
    for block in letter_blocks(draft.letter):
        if block.kind == "paragraph":
            lines.append("".join(sentence_text(s) for s in block.sentences))
        else:
            lines.append(block.text)
    return "\n".join(lines) + "\n"
