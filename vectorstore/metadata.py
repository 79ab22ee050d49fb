"""Document metadata: read from a manifest, or inferred from the text itself."""

from __future__ import annotations

import csv
import re
from pathlib import Path

from vectorstore.reply import SESSION_NUMBER, parse_date, parse_reply
from vectorstore.types import KINDS, DocMeta

MANIFEST_COLUMNS = ("file", "kind", "issuer", "region", "date", "proposal_number", "title", "source", "status",
                    "completeness")
# What people write in a manifest's status column, and what it means.
STATUS_WORDS = {
    "": "", "in_force": "in_force", "有效": "in_force", "现行": "in_force", "现行有效": "in_force",
    "repealed": "repealed", "失效": "repealed", "已失效": "repealed", "废止": "repealed", "已废止": "repealed",
    "draft": "draft", "征求意见稿": "draft", "讨论稿": "draft", "草案": "draft", "送审稿": "draft",
}
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
        status = (row.get("status") or "").strip()
        if status not in STATUS_WORDS:
            raise ManifestError(f"{path}:{lineno}: unknown status '{status}' (use in_force, repealed or draft, "
                                "or 有效/失效/废止/征求意见稿/讨论稿)")
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
                "status": STATUS_WORDS[status],
                "completeness": (row.get("completeness") or "").strip(),
            }
        )
        out[file] = (meta, bool(kind))
    return out


def infer_meta(text: str, base: DocMeta | None = None, explicit_kind: bool = False) -> DocMeta:
    """Fill whatever ``base`` leaves empty from the text."""
    meta = base.model_copy() if base else DocMeta()
    lines = [x.strip() for x in text.split("\n") if x.strip()]
    if not meta.title:
        meta.title = infer_title(lines)
    if not explicit_kind:
        meta.kind = classify_kind(text)  # type: ignore[assignment]
    if meta.kind == "news" or (not explicit_kind and meta.kind == "policy"):
        # "news" is the catch-all, and a summary can read like a policy (印发, 〔2024〕): a work summary,
        # work plan or work-conference speech says what it is in its title.
        meta.kind = refine_news_kind(meta.title, meta.kind)  # type: ignore[assignment]
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
    status, valid_until = infer_validity(text, meta)
    if not meta.status:
        meta.status = status  # type: ignore[assignment]
    if not meta.valid_until:
        meta.valid_until = valid_until
    return meta


_SUMMARY_TITLE = re.compile(r"工作总结|年度总结|工作报告|工作情况(?:通报|汇报|报告)|总结和|总结及")
_PLAN_TITLE = re.compile(r"工作要点|工作计划|工作安排|工作思路|重点工作|工作部署|工作会议(?:上的)?讲话|在.{0,24}(?:工作会议|大会)上的(?:讲话|报告|发言)")


def refine_news_kind(title: str, default: str = "news") -> str:
    """summary, plan or ``default``, from a title (总结 wins over 计划: a 总结和计划 looks back first)."""
    if _SUMMARY_TITLE.search(title):
        return "summary"
    if _PLAN_TITLE.search(title):
        return "plan"
    return default


_DRAFT_TITLE = re.compile(r"征求意见稿|讨论稿|草案|送审稿|意见征集|公开征求")
_REPEALED_MARK = re.compile(r"已失效|已废止|[（(【\[](?:失效|废止)[）)】\]]|失效状态|时效性[:：]\s*(?:失效|废止)")
_EXPIRY_FIELD = re.compile(r"(?:失效日期|废止日期|失效时间)[:：]?\s*(\d{4}\s*[年\-./]\s*\d{1,2}\s*[月\-./]\s*\d{1,2}\s*日?)")
# The document's own term is stated with its entry into force (自…起施行，有效期5年); a 有效期 elsewhere in the
# text is usually a certificate's or a platform's.
_VALID_YEARS = re.compile(r"(?:自(?P<start>[^，。]{0,20}?)起?(?:施行|实施|执行)[，,]\s*)有效期(?:为)?(?P<n>[一二三四五六七八九十\d]{1,2})年")
_VALID_TO = re.compile(r"有效期至\s*(\d{4}\s*年\s*\d{1,2}\s*月\s*\d{1,2}\s*日)")
_PERIOD = re.compile(r"[（(]\s*(20\d{2})\s*[—–\-－~至到]+\s*(20\d{2})\s*年?\s*[）)]")
_CN_DIGITS = {c: i for i, c in enumerate("零一二三四五六七八九十")}


def infer_validity(text: str, meta: DocMeta) -> tuple[str, str]:
    """(status, valid_until) a document states about itself: 失效日期/废止, 有效期, 征求意见稿, a plan's period.

    A 失效日期 field on a regulation page marks the document as repealed from that day: a reply dated before
    it may still cite it, one dated after may not.
    """
    head = text[:600]
    if _DRAFT_TITLE.search(meta.title):
        return "draft", ""
    if m := _EXPIRY_FIELD.search(head):
        return "repealed", parse_date(m.group(1))
    if _REPEALED_MARK.search(head) or _REPEALED_MARK.search(meta.title):
        return "repealed", ""
    if found := list(_VALID_TO.finditer(text)):
        return "", parse_date(found[-1].group(1))
    if found := list(_VALID_YEARS.finditer(text)):
        m = found[-1]
        years = m.group("n")
        n = int(years) if years.isdigit() else _CN_DIGITS.get(years, 0)
        start = parse_date(m.group("start") or "") or (meta.date if re.fullmatch(r"\d{4}-\d{2}-\d{2}", meta.date or "") else "")
        if n and start:
            return "", f"{int(start[:4]) + n:04d}{start[4:]}"
    if m := _PERIOD.search(meta.title):
        return "", f"{m.group(2)}-12-31"
    return "", ""



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
