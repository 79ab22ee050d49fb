"""Document metadata: read from a manifest, or inferred from the text itself."""

from __future__ import annotations

import csv
import re
from pathlib import Path

from vectorstore.reply import SESSION_NUMBER, parse_date, parse_reply
from vectorstore.types import KINDS, DocMeta

MANIFEST_COLUMNS = ("file", "kind", "issuer", "region", "date", "proposal_number", "title", "source")
_DOC_NUMBER = re.compile(r"[\u4e00-\u9fff]{1,12}[〔\[［]\d{4}[〕\]］]\s*\d+\s*号")
_ISSUER_TAIL = re.compile(r"^[\u4e00-\u9fff（）()、]{2,40}(?:局|委员会|办公室|办公厅|人民政府|政府|厅|委|中心)$")
_DATE_ANY = re.compile(r"(\d{4})\s*[年\-./]\s*(\d{1,2})\s*[月\-./]\s*(\d{1,2})\s*日?")
_REGION_IN_NAME = re.compile(r"^(.{2,8}?(?:省|自治区))?(.{1,6}?市)?(.{1,6}?(?:区|县|旗))?")


class ManifestError(ValueError):
    """The manifest file is malformed; the message says which line and why."""


def load_manifest(path: Path) -> dict[str, tuple[DocMeta, bool]]:
    """Map each manifest ``file`` entry (relative to the manifest) to (metadata, kind given)."""
    try:
        raw = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as err:
        raise ManifestError(f"{path}: cannot read manifest ({err})") from err
    dialect = "excel-tab" if "\t" in raw.splitlines()[0] else "excel"
    rows = list(csv.DictReader(raw.splitlines(), dialect=dialect))
    if not rows or "file" not in rows[0]:
        raise ManifestError(f"{path}: manifest needs a header row with at least a 'file' column ({', '.join(MANIFEST_COLUMNS)})")
    out: dict[str, tuple[DocMeta, bool]] = {}
    for lineno, row in enumerate(rows, start=2):
        file = (row.get("file") or "").strip()
        if not file:
            raise ManifestError(f"{path}:{lineno}: empty 'file' value")
        kind = (row.get("kind") or "").strip()
        if kind and kind not in KINDS:
            raise ManifestError(f"{path}:{lineno}: unknown kind '{kind}' (use one of {', '.join(KINDS)})")
        date = (row.get("date") or "").strip()
        if date and not re.fullmatch(r"\d{4}(-\d{2}(-\d{2})?)?", date):
            raise ManifestError(f"{path}:{lineno}: date '{date}' is not YYYY, YYYY-MM or YYYY-MM-DD")
        meta = DocMeta.model_validate(
            {
                "kind": kind or "news",
                "issuer": (row.get("issuer") or "").strip(),
                "region": (row.get("region") or "").strip(),
                "date": date,
                "proposal_number": (row.get("proposal_number") or "").strip(),
                "title": (row.get("title") or "").strip(),
                "source": (row.get("source") or "").strip(),
            }
        )
        out[file] = (meta, bool(kind))
    return out


def infer_meta(text: str, base: DocMeta | None = None, explicit_kind: bool = False) -> DocMeta:
    """Fill whatever ``base`` leaves empty from the text."""
    meta = base.model_copy() if base else DocMeta()
    if not explicit_kind:
        meta.kind = classify_kind(text)  # type: ignore[assignment]
    lines = [x.strip() for x in text.split("\n") if x.strip()]
    if not meta.title:
        meta.title = infer_title(lines)
    if not meta.doc_number:
        m = _DOC_NUMBER.search(text[:1500])
        meta.doc_number = re.sub(r"\s+", "", m.group(0)) if m else ""
    if meta.kind == "reply":
        parts = parse_reply(text)
        if not meta.proposal_number and parts.number:
            meta.proposal_number = f"{parts.session}第{parts.number}号"
        if not meta.issuer and parts.signature is not None:
            meta.issuer = parts.signature.text
        if not meta.date and parts.date_iso:
            meta.date = parts.date_iso
    if not meta.issuer:
        meta.issuer = infer_issuer(lines)
    if not meta.date:
        meta.date = infer_date(lines)
    if not meta.region and meta.issuer:
        meta.region = region_of(meta.issuer)
    return meta


def classify_kind(text: str) -> str:
    head = text[:800]
    if re.search(r"收悉|答复如下|函复如下|答复的函|的答复|复函|会办意见|协办意见", text[:1500]):
        return "reply"
    if re.search(r"提案人|案由|提案单位|领衔代表|我建议|特提出如下建议|建议如下", head) and not re.search(r"答复", head):
        return "proposal"
    if re.search(r"办法|条例|规定|细则|实施方案|实施意见|通知|若干措施|指引", head) and re.search(
        r"第[一二三四五六七八九十]+条|第[一二三四五六七八九十]+章|印发|[〔\[]\d{4}[〕\]]", text[:3000]
    ):
        return "policy"
    return "news"


def infer_title(lines: list[str]) -> str:
    for line in lines[:8]:
        if 4 <= len(line) <= 80 and not re.match(r"^(?:索引号|发布|来源|时间|日期|[•\-])", line) and not re.search(r"[。：:]$", line):
            return re.sub(r"^#+\s*", "", line)
    return lines[0][:60] if lines else ""


def infer_issuer(lines: list[str]) -> str:
    for line in reversed(lines[-12:]):
        if _ISSUER_TAIL.match(line) and len(line) <= 40:
            return line
    for line in lines[:10]:
        m = re.search(r"(?:发布机构|发文单位|发文机关|制定机关|来源)[:：]\s*([\u4e00-\u9fff（）]{2,40})", line)
        if m:
            return m.group(1)
    return ""


def infer_date(lines: list[str]) -> str:
    for line in reversed(lines[-12:]):
        if len(line) <= 24 and (iso := parse_date(line)):
            return iso
    for line in lines[:10]:
        m = _DATE_ANY.search(line)
        if m:
            y, mo, d = (int(g) for g in m.groups())
            if 1 <= mo <= 12 and 1 <= d <= 31:
                return f"{y:04d}-{mo:02d}-{d:02d}"
    return ""


def region_of(issuer: str) -> str:
    """The place named at the start of an issuer, e.g. 泸州市科学技术局 → 泸州市."""
    m = _REGION_IN_NAME.match(issuer)
    if not m:
        return ""
    region = "".join(g for g in m.groups() if g)
    return region if len(region) >= 2 else ""


def session_number(text: str) -> tuple[str, str]:
    m = SESSION_NUMBER.search(text)
    return (m.group("session"), m.group("number")) if m else ("", "")
