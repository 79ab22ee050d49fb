"""Drafts and their versions: create from a proposal, edit, restore, compare, export."""

from __future__ import annotations

import difflib
import tempfile
from dataclasses import dataclass
from datetime import date, datetime, time
from pathlib import Path

from markupsafe import Markup, escape
from sqlalchemy import func, or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from assistant.drafting import Drafter, jurisdiction_for
from assistant.editing import EditError, apply_text_edit
from assistant.models import Draft, DraftOptions, Proposal, Source
from assistant.proposal import ProposalError, load_proposal, parse_proposal
from assistant.read_errors import reader_reason
from assistant.render import plain_text, to_docx, to_markdown
from assistant.render.docx import COPY_NAMES, Copy
from assistant.verify import verify
from assistant.web.deps import Services
from assistant.web.orm import DraftRecord, DraftVersion, ReviewEvent, User, draft_editors, utcnow
from assistant.web.services import access, reviews
from assistant.web.services.errors import NotFound, ServiceError
from assistant.web.services.uploads import PROPOSAL_TYPES, check_type
from assistant.web.tenants import Tenant
from vectorstore.kb import KnowledgeBase
from vectorstore.types import Document

CONTEXT_CHARS = 300
ENGINE_NAMES = {"compose": "组合引擎", "llm": "大模型"}


def parse_upload(filename: str, data: bytes) -> Proposal:
    """A proposal from an uploaded .txt or .docx; the parser recovers what it can, the rest stays empty."""
    suffix = check_type(filename, PROPOSAL_TYPES)
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / f"proposal{suffix}"
        path.write_bytes(data)
        try:
            return load_proposal(path)
        except (ProposalError, OSError) as err:
            # The reader names the temporary file; the user only needs the reason.
            message = str(err).replace(f"{path}：", "").replace(f"{path}: ", "").replace(str(path), "上传的文件")
            raise ServiceError(f"无法读取提案文件“{filename}”：{reader_reason(message)}。", 422) from err


def parse_text(text: str) -> Proposal:
    try:
        return parse_proposal(text)
    except ProposalError as err:
        raise ServiceError(str(err), 422) from err


def _drafter(svc: Services, tenant: Tenant) -> Drafter:
    return svc.tenants.drafter(tenant)


def _record_kb(svc: Services, record: DraftRecord) -> KnowledgeBase | None:
    """The knowledge base of the bureau the draft belongs to (an admin may open any bureau's draft)."""
    tenant = svc.tenants.tenant(record.bureau)
    if tenant is None:
        return None
    try:
        return svc.tenants.kb(tenant)
    except ServiceError:
        return None  # the page still shows the quotes saved with the draft


def kb_query(svc: Services, user: User, record: DraftRecord) -> str:
    """``bureau=<key>`` for an admin's links to the draft's documents, which live in the draft's bureau."""
    tenant = svc.tenants.tenant(record.bureau)
    return f"bureau={tenant.key}" if user.role == "admin" and svc.tenants.several and tenant else ""


def create_draft(svc: Services, db: Session, user: User, tenant: Tenant, proposal: Proposal,
                 options: DraftOptions) -> DraftRecord:
    """Draft a reply from ``tenant``'s knowledge base and store it as version 1; committed before returning."""
    if not proposal.title.strip() and not proposal.body.strip() and not proposal.suggestions:
        raise ServiceError("请先填写提案标题、正文或建议。", 422)
    # Drafting takes seconds under load: end the read transaction first, so that the pooled connection is
    # not held meanwhile (with the pool full, every other request waits 30 s and fails with a 500).
    db.commit()
    draft = _drafter(svc, tenant).draft(proposal, options)
    record = DraftRecord(bureau_id=tenant.bureau_id, title=proposal.title, number=proposal.number, session=proposal.session,
                         proposer=proposal.proposer, author_id=user.id, owner_id=user.id, current_version=1)
    db.add(record)
    db.flush()
    db.add(DraftVersion(draft_id=record.id, number=1, data=draft.model_dump_json(), note="生成", editor_id=user.id))
    db.add(ReviewEvent(draft_id=record.id, version=1, actor_id=user.id, action="created",
                       comment=f"起草方式：{ENGINE_NAMES.get(draft.engine, draft.engine)}"))
    reviews.refresh_status(db, record, draft)
    db.commit()
    return record


def get_record(db: Session, user: User, tenant: Tenant, draft_id: int) -> DraftRecord:
    record = db.get(DraftRecord, draft_id)
    # Another bureau's drafts are as good as absent (the tenant boundary).
    if record is None or (user.role != "admin" and record.bureau_id != tenant.bureau_id):
        raise NotFound("没有这份草稿。")
    return record


def get_version(db: Session, record: DraftRecord, number: int | None = None) -> DraftVersion:
    n = number or record.current_version
    version = db.scalar(select(DraftVersion).where(DraftVersion.draft_id == record.id, DraftVersion.number == n))
    if version is None:
        raise NotFound(f"没有第 {n} 版。")
    return version


def load_draft(version: DraftVersion) -> Draft:
    return Draft.model_validate_json(version.data)


def _add_version(db: Session, user: User, record: DraftRecord, draft: Draft, note: str, action: str,
                 comment: str = "") -> DraftVersion:
    number = record.current_version + 1
    version = DraftVersion(draft_id=record.id, number=number, data=draft.model_dump_json(), note=note,
                           editor_id=user.id)
    db.add(version)
    record.current_version = number
    record.updated_at = utcnow()
    db.add(ReviewEvent(draft_id=record.id, version=number, actor_id=user.id, action=action, comment=comment))
    try:
        db.flush()
    except IntegrityError as err:
        db.rollback()
        raise ServiceError("草稿刚被他人更新，请刷新页面后再保存。", 409) from err
    reviews.refresh_status(db, record, draft)
    db.commit()
    return version


def save_text_edit(svc: Services, db: Session, user: User, record: DraftRecord, text: str,
                   base_version: int | None = None) -> DraftVersion:
    """Parse the edited plain text back into the letter, re-verify it, and store it as a new version."""
    access.check_edit(user, record)
    if base_version is not None and base_version != record.current_version:
        raise ServiceError(f"草稿已更新到第 {record.current_version} 版，您编辑的是第 {base_version} 版；"
                           "请刷新页面后再修改，以免覆盖他人的修改。", 409)
    if not text.strip():
        raise ServiceError("正文不能为空。", 422)
    current = load_draft(get_version(db, record))
    tenant = svc.tenants.for_record(record)
    kb = svc.tenants.kb(tenant)
    try:
        edited = apply_text_edit(current, text)
    except EditError as err:
        raise ServiceError(str(err), 422) from err
    # Re-verified against the draft's own bureau: its sources and its name and region.
    edited = verify(edited, kb, tenant.settings, jurisdiction=jurisdiction_for(tenant.settings, edited.options))
    return _add_version(db, user, record, edited, "编辑", "edited")


def restore_version(db: Session, user: User, record: DraftRecord, number: int) -> DraftVersion:
    access.check_edit(user, record)
    if number == record.current_version:
        raise ServiceError("这已经是当前版本。", 409)
    draft = load_draft(get_version(db, record, number))
    return _add_version(db, user, record, draft, f"恢复自第 {number} 版", "restored", f"恢复自第 {number} 版")


@dataclass
class DraftQuery:
    q: str = ""
    number: str = ""
    status: str = ""
    author: str = ""  # the owner (负责人), by user name or display name
    mine: bool = False  # only drafts the user owns or co-edits
    date_from: date | None = None
    date_to: date | None = None


def list_drafts(db: Session, user: User, tenant: Tenant, f: DraftQuery, limit: int = 200) -> list[DraftRecord]:
    stmt = select(DraftRecord).join(DraftRecord.owner)
    if user.role != "admin":
        stmt = stmt.where(DraftRecord.bureau_id == tenant.bureau_id)
    if f.q.strip():
        like = f"%{f.q.strip()}%"
        stmt = stmt.where(or_(DraftRecord.title.like(like), DraftRecord.proposer.like(like),
                              DraftRecord.session.like(like)))
    if f.number.strip():
        stmt = stmt.where(DraftRecord.number.like(f"%{f.number.strip()}%"))
    if f.status:
        stmt = stmt.where(DraftRecord.review_status == f.status)
    if f.author.strip():
        stmt = stmt.where(or_(User.username == f.author.strip(), User.display_name == f.author.strip()))
    if f.mine:
        shared = select(draft_editors.c.draft_id).where(draft_editors.c.user_id == user.id)
        stmt = stmt.where(or_(DraftRecord.owner_id == user.id, DraftRecord.id.in_(shared)))
    if f.date_from:
        stmt = stmt.where(DraftRecord.created_at >= datetime.combine(f.date_from, time.min))
    if f.date_to:
        stmt = stmt.where(DraftRecord.created_at <= datetime.combine(f.date_to, time.max))
    return list(db.scalars(stmt.order_by(DraftRecord.updated_at.desc(), DraftRecord.id.desc()).limit(limit)))


def count_drafts(db: Session) -> int:
    return db.scalar(select(func.count(DraftRecord.id))) or 0


def diff_html(old: str, new: str) -> Markup:
    """Paragraph-by-paragraph comparison; changed paragraphs are compared character by character."""
    a, b = old.splitlines(), new.splitlines()
    out: list[str] = []
    for op, i1, i2, j1, j2 in difflib.SequenceMatcher(None, a, b, autojunk=False).get_opcodes():
        if op == "equal":
            out += [f'<p class="same">{escape(line)}</p>' for line in a[i1:i2]]
        elif op == "replace" and i2 - i1 == j2 - j1 and all(
                difflib.SequenceMatcher(None, x, y, autojunk=False).ratio() >= 0.5
                for x, y in zip(a[i1:i2], b[j1:j2], strict=True)):
            out += [f'<p class="changed">{_char_diff(x, y)}</p>' for x, y in zip(a[i1:i2], b[j1:j2], strict=True)]
        else:
            # Paragraphs rewritten beyond recognition read better whole than as a character soup.
            out += [f'<p class="removed"><del>{escape(line)}</del></p>' for line in a[i1:i2]]
            out += [f'<p class="added"><ins>{escape(line)}</ins></p>' for line in b[j1:j2]]
    return Markup("\n".join(out))


def _char_diff(x: str, y: str) -> str:
    parts = []
    for op, i1, i2, j1, j2 in difflib.SequenceMatcher(None, x, y, autojunk=False).get_opcodes():
        if op == "equal":
            parts.append(str(escape(x[i1:i2])))
            continue
        if i2 > i1:
            parts.append(f"<del>{escape(x[i1:i2])}</del>")
        if j2 > j1:
            parts.append(f"<ins>{escape(y[j1:j2])}</ins>")
    return "".join(parts)


def source_contexts(svc: Services, record: DraftRecord, draft: Draft) -> list[dict[str, object]]:
    """Every source's context, reading each cited document once."""
    kb = _record_kb(svc, record)
    docs: dict[str, Document | None] = {}
    out = []
    for source in sorted(draft.sources, key=lambda s: s.id):
        if source.doc_id not in docs:
            docs[source.doc_id] = kb.get(source.doc_id) if kb is not None else None
        out.append(_context(source, docs[source.doc_id]))
    return out


def source_context(svc: Services, record: DraftRecord, source: Source) -> dict[str, object]:
    """The cited passage inside its surrounding text, read from the draft's bureau's knowledge base."""
    kb = _record_kb(svc, record)
    return _context(source, kb.get(source.doc_id) if kb is not None else None)


def _context(source: Source, doc: Document | None, radius: int = CONTEXT_CHARS) -> dict[str, object]:
    base = {"id": source.id, "doc_id": source.doc_id, "title": source.title, "issuer": source.issuer,
            "region": source.region, "date": source.date, "own": source.own}
    if doc is None:
        return {**base, "before": "", "passage": source.quote, "after": "", "found": False,
                "note": "原文档已不在知识库中，仅显示引用时保存的原文。", "start": source.start, "end": source.end}
    text, start, end = doc.text, source.start, source.end
    note = ""
    if not (0 <= start <= end <= len(text)) or text[start:end] != source.quote:
        at = text.find(source.quote) if source.quote else -1
        if at < 0:
            return {**base, "before": "", "passage": source.quote, "after": "", "found": False,
                    "note": "原文档已更新，找不到这段引文，仅显示引用时保存的原文。", "start": start, "end": end}
        start, end, note = at, at + len(source.quote), "原文档已更新，引文位置已重新定位。"
    a, b = max(0, start - radius), min(len(text), end + radius)
    return {**base, "before": ("…" if a > 0 else "") + text[a:start], "passage": text[start:end],
            "after": text[end:b] + ("…" if b < len(text) else ""), "found": True, "note": note,
            "start": start, "end": end, "doc_title": doc.meta.title}


DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
EXPORTS = {
    "docx": DOCX,  # the letter to send (正式稿)
    "review-docx": DOCX,  # the review copy (审核稿): markers and the sources appendix
    "md": "text/markdown; charset=utf-8",
    "json": "application/json",
    "txt": "text/plain; charset=utf-8",
}


def export(draft: Draft, record: DraftRecord, version: int, fmt: str) -> tuple[bytes, str, str]:
    """(content, media type, file name) of the draft in ``fmt``."""
    if fmt not in EXPORTS:
        raise NotFound(f"不支持导出为 {fmt}：可选 docx（正式稿）、review-docx（审核稿）、md、json、txt。")
    suffix = ""
    if fmt in ("docx", "review-docx"):
        copy: Copy = "review" if fmt == "review-docx" else "letter"
        data, suffix, ext = to_docx(draft, copy), f"-{COPY_NAMES[copy]}", "docx"
    elif fmt == "md":
        data, ext = to_markdown(draft).encode("utf-8"), fmt
    elif fmt == "json":
        data, ext = draft.model_dump_json(indent=2).encode("utf-8"), fmt
    else:
        data, ext = plain_text(draft).encode("utf-8"), fmt
    stem = f"答复函-第{record.number}号" if record.number else f"答复函-草稿{record.id}"
    return data, EXPORTS[fmt], f"{stem}-v{version}{suffix}.{ext}"


def unfilled(draft: Draft) -> list[str]:
    """Placeholders still in the letter (【请填写】, 【待补充】): the letter is not ready to send."""
    text = plain_text(draft)
    return [mark for mark in ("【请填写】", "【待补充】") if mark in text]


def plan_gap_year(draft: Draft) -> int | None:
    """The reply year when the 下一步工作打算 section is left 【待补充】 (no plan of that year was found)."""
    gap = any(section.role == "plan" and any("【待补充】" in s.text for item in section.items for s in item.sentences)
              for section in draft.letter.sections)
    year = draft.options.reply_date[:4]
    return int(year) if gap and year.isdigit() else None
