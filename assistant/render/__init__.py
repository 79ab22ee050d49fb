"""Renderings of a Draft: plain text, Markdown, HTML (escaped) and an official-layout .docx."""

from assistant.render.docx import to_docx
from assistant.render.html import to_html
from assistant.render.markdown import to_markdown
from assistant.render.text import plain_text

__all__ = ["plain_text", "to_docx", "to_html", "to_markdown"]
