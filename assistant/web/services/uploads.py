"""Limits on uploaded files: size (413) and type (415), with messages a user can act on."""

from __future__ import annotations

import re
from pathlib import PurePath

from fastapi import UploadFile

from assistant.web.services.errors import ServiceError

PROPOSAL_TYPES = (".txt", ".docx")
KB_TYPES = (".txt", ".md", ".html", ".htm", ".docx", ".pdf")


def human_size(n: int) -> str:
    return f"{n / 1024 / 1024:.1f} MB" if n >= 1024 * 1024 else f"{max(1, n // 1024)} KB"


def check_type(filename: str, allowed: tuple[str, ...]) -> str:
    if re.search(r"[\x00-\x1f\x7f]", filename):
        # No browser sends these; a NUL could cut the name short in some lower layer, so refuse outright.
        raise ServiceError("文件名含有控制字符（如 NUL），请改名后再上传。", 422)
    suffix = PurePath(filename).suffix.lower()
    if suffix not in allowed:
        shown = suffix or "（无扩展名）"
        raise ServiceError(f"不支持的文件类型 {shown}：只接受 {'、'.join(allowed)} 文件。", 415)
    return suffix


async def read_limited(upload: UploadFile, limit: int) -> bytes:
    """Read an upload, refusing it as soon as it passes ``limit`` bytes."""
    data = await upload.read(limit + 1)
    if len(data) > limit:
        raise ServiceError(f"文件“{upload.filename}”太大：上限为 {human_size(limit)}。", 413)
    return data


def safe_name(filename: str) -> str:
    """A plain file name: no folders, no control or separator characters."""
    name = PurePath(filename.replace("\\", "/")).name
    name = re.sub(r"[\x00-\x1f\t/:*?\"<>|]", "_", name).strip(" .")
    return name[:120] or "upload"
