"""Read a file of any supported format into raw text, detecting its encoding.

Every failure raises :class:`ReadError` with a reason a user can act on.
"""

from __future__ import annotations

import html
import io
import re
import zipfile
from html.parser import HTMLParser
from pathlib import Path
from typing import ClassVar

SUPPORTED = {".txt", ".md", ".html", ".htm", ".docx", ".pdf"}
# A docx whose parts inflate beyond this is treated as a zip bomb.
MAX_UNZIPPED = 200 * 1024 * 1024


class ReadError(Exception):
    """A file could not be read; ``str(err)`` says why."""


def read_file(path: Path, max_bytes: int) -> str:
    """Return the text of ``path``; raise ReadError for anything unusable."""
    suffix = path.suffix.lower()
    if suffix not in SUPPORTED:
        raise ReadError(f"unsupported file type '{suffix or '(none)'}'; supported: {', '.join(sorted(SUPPORTED))}")
    try:
        size = path.stat().st_size
        if size > max_bytes:
            raise ReadError(f"file too large ({size} bytes > limit {max_bytes}); split it or raise ASSISTANT_MAX_FILE_BYTES")
        data = path.read_bytes()
    except OSError as err:
        raise ReadError(f"cannot read file: {err.strerror or err}") from err
    if not data.strip():
        raise ReadError("file is empty")
    if suffix == ".docx":
        return read_docx(data)
    if suffix == ".pdf":
        return read_pdf(data)
    text = decode_bytes(data)
    if suffix in {".html", ".htm"} or _looks_like_html(text):
        text = html_to_text(text)
    return text


def decode_bytes(data: bytes) -> str:
    """Decode text bytes: UTF-8 (with or without BOM), UTF-16 with BOM, else GB18030.

    GB18030 is a superset of GBK/GB2312, so it is tried before any guess; a file
    that is neither valid UTF-8 nor GB18030 is refused rather than mis-decoded.
    """
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    elif data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return data.decode("utf-16")
        except UnicodeDecodeError as err:
            raise ReadError("invalid UTF-16 text") from err
    if _is_binary(data):
        raise ReadError("binary content (not a text document)")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    try:
        text = data.decode("gb18030")
    except UnicodeDecodeError as err:
        raise ReadError(
            "unknown text encoding (neither UTF-8 nor GB18030/GBK); re-save the file as UTF-8"
        ) from err
    if not _plausible_chinese(text):
        raise ReadError("text decodes as GB18030 but does not look like Chinese text; re-save the file as UTF-8")
    return text


def _is_binary(data: bytes) -> bool:
    sample = data[:8192]
    if b"\x00" in sample:
        return True
    controls = sum(1 for b in sample if b < 32 and b not in (9, 10, 12, 13, 27))
    return controls > max(8, len(sample) // 50)


def _plausible_chinese(text: str) -> bool:
    """GB18030 decodes almost any byte string; real Chinese text is mostly common CJK."""
    cjk = sum(1 for ch in text if "\u4e00" <= ch <= "\u9fff")
    rare = sum(1 for ch in text if "\u4e00" <= ch <= "\u9fff" and ord(ch) > 0x9a00)
    odd = sum(1 for ch in text if "\ue000" <= ch <= "\uf8ff" or ch == "\ufffd")
    if odd:
        return False
    return cjk == 0 or rare / cjk < 0.2


def _looks_like_html(text: str) -> bool:
    head = text[:2000].lower()
    return "<html" in head or "<body" in head or ("<p>" in head and "</p>" in head)


class _TextExtractor(HTMLParser):
    BLOCK: ClassVar[set[str]] = {"p", "div", "br", "li", "tr", "h1", "h2", "h3", "h4", "h5", "h6", "section", "article", "table", "ul", "ol"}
    SKIP: ClassVar[set[str]] = {"script", "style", "nav", "header", "footer", "noscript", "iframe", "form", "button", "select"}

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.skip_depth = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in self.SKIP:
            self.skip_depth += 1
        elif tag in self.BLOCK:
            self.parts.append("\n")

    def handle_endtag(self, tag: str) -> None:
        if tag in self.SKIP:
            self.skip_depth = max(0, self.skip_depth - 1)
        elif tag in self.BLOCK:
            self.parts.append("\n")

    def handle_data(self, data: str) -> None:
        if not self.skip_depth:
            self.parts.append(data)


def html_to_text(text: str) -> str:
    """Strip tags, scripts and navigation blocks; keep block boundaries as line breaks."""
    text = re.sub(r"^---\n.*?\n---\n", "", text, count=1, flags=re.S)  # Markdown front matter
    parser = _TextExtractor()
    parser.feed(text)
    parser.close()
    return html.unescape("".join(parser.parts))


def read_docx(data: bytes) -> str:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as zf:
            total = sum(info.file_size for info in zf.infolist())
            if total > MAX_UNZIPPED:
                raise ReadError(f"docx expands to {total} bytes (possible zip bomb); refused")
            if "word/document.xml" not in zf.namelist():
                raise ReadError("not a Word document (word/document.xml missing)")
    except zipfile.BadZipFile as err:
        raise ReadError("corrupt or truncated .docx (not a valid zip archive)") from err
    try:
        import docx

        document = docx.Document(io.BytesIO(data))
    except Exception as err:  # python-docx raises many types for broken files
        raise ReadError(f"corrupt .docx: {err}") from err
    lines = [p.text for p in document.paragraphs]
    for table in document.tables:
        for row in table.rows:
            lines.append("\t".join(cell.text for cell in row.cells))
    return "\n".join(lines)


def read_pdf(data: bytes) -> str:
    try:
        from pypdf import PdfReader

        reader = PdfReader(io.BytesIO(data))
        pages = [page.extract_text() or "" for page in reader.pages]
    except Exception as err:  # pypdf raises many types for broken files
        raise ReadError(f"corrupt or unreadable PDF: {err}") from err
    text = "\n".join(pages)
    if not text.strip():
        raise ReadError("PDF has no extractable text (scanned image?); run OCR first")
    return text
