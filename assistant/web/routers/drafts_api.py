"""The JSON API for proposals and drafts; it calls the same service functions as the pages."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import Depends, File, Request, UploadFile
from fastapi.responses import Response
from sqlalchemy.orm import Session

from assistant.models import Draft, Proposal
from assistant.render import plain_text
from assistant.web.deps import TenantDep, get_db, need, router, services
from assistant.web.forms import AssignmentIn, CreateDraft, ParseText, TextEdit
from assistant.web.orm import DraftRecord, DraftVersion, User
from assistant.web.routers.drafts import draft_query, export_response
from assistant.web.services import access
from assistant.web.services import drafts as svc_drafts
from assistant.web.services import reviews as svc_reviews
from assistant.web.services.errors import NotFound
from assistant.web.services.uploads import read_limited

api = router(prefix="/api", tags=["drafts"])
routers = [api]
DbDep = Annotated[Session, Depends(get_db)]
AnyUser = Annotated[User, Depends(need())]
DrafterUser = Annotated[User, Depends(need("drafter"))]


def record_json(record: DraftRecord, user: User | None = None) -> dict[str, Any]:
    out = {
        "id": record.id, "title": record.title, "number": record.number, "session": record.session,
        "proposer": record.proposer, "author": record.author.username, "author_name": record.author.label,
        "owner": record.owner.username, "owner_name": record.owner.label,
        "editors": [{"username": u.username, "name": u.label} for u in record.editors], "bureau": record.bureau.key,
        "current_version": record.current_version, "review_status": record.review_status,
        "review_status_name": svc_reviews.STATUS_NAMES[record.review_status],
        "created_at": record.created_at.isoformat(), "updated_at": record.updated_at.isoformat(),
    }
    if user is not None:
        out["can_edit"] = access.can_edit(user, record)
    return out


def version_json(v: DraftVersion, with_draft: bool = False) -> dict[str, Any]:
    out: dict[str, Any] = {"number": v.number, "note": v.note, "editor": v.editor.username,
                           "editor_name": v.editor.label, "created_at": v.created_at.isoformat()}
    if with_draft:
        out["draft"] = svc_drafts.load_draft(v).model_dump()
    return out


@api.post("/proposals/parse", response_model=Proposal)
def parse_text(body: ParseText, user: DrafterUser) -> Proposal:
    """Recover title, number, session, proposer and suggestions from pasted text."""
    return svc_drafts.parse_text(body.text)


@api.post("/proposals/parse-file", response_model=Proposal)
async def parse_file(request: Request, user: DrafterUser, file: Annotated[UploadFile, File()]) -> Proposal:
    """The same from an uploaded .txt or .docx file."""
    data = await read_limited(file, services(request).settings.max_upload_bytes)
    return svc_drafts.parse_upload(file.filename or "", data)


@api.get("/drafts")
def list_drafts(db: DbDep, user: AnyUser, t: TenantDep,
                f: Annotated[svc_drafts.DraftQuery, Depends(draft_query)]) -> list[dict[str, Any]]:
    """Drafts of the user's bureau; filter with q, number, status, author (owner), mine, date_from, date_to."""
    return [record_json(r, user) for r in svc_drafts.list_drafts(db, user, t, f)]


@api.post("/drafts", status_code=201)
def create_draft(request: Request, body: CreateDraft, db: DbDep, user: DrafterUser, t: TenantDep) -> dict[str, Any]:
    """Draft a reply letter from a proposal and store it as version 1."""
    record = svc_drafts.create_draft(services(request), db, user, t, body.proposal, body.options)
    return {**record_json(record, user), "draft": svc_drafts.load_draft(svc_drafts.get_version(db, record)).model_dump()}


@api.get("/drafts/{draft_id}")
def get_draft(draft_id: int, db: DbDep, user: AnyUser, t: TenantDep) -> dict[str, Any]:
    """The draft: record, owner and editors, the current version and its letter as plain text."""
    record = svc_drafts.get_record(db, user, t, draft_id)
    draft = svc_drafts.load_draft(svc_drafts.get_version(db, record))
    return {**record_json(record, user), "draft": draft.model_dump(), "text": plain_text(draft)}


@api.put("/drafts/{draft_id}/assignment")
def assign(request: Request, draft_id: int, body: AssignmentIn, db: DbDep, user: DrafterUser,
           t: TenantDep) -> dict[str, Any]:
    """Hand the draft to another owner (admins) or set who may co-edit it (its owner or an admin)."""
    record = svc_drafts.get_record(db, user, t, draft_id)
    return record_json(access.assign(db, services(request).tenants, user, record, body.owner, body.editors), user)


@api.get("/drafts/{draft_id}/versions")
def list_versions(draft_id: int, db: DbDep, user: AnyUser, t: TenantDep) -> list[dict[str, Any]]:
    """The draft's versions, newest last."""
    record = svc_drafts.get_record(db, user, t, draft_id)
    return [version_json(v) for v in record.versions]


@api.get("/drafts/{draft_id}/versions/{number}")
def get_version(draft_id: int, number: int, db: DbDep, user: AnyUser, t: TenantDep) -> dict[str, Any]:
    """One version with its full draft."""
    record = svc_drafts.get_record(db, user, t, draft_id)
    return version_json(svc_drafts.get_version(db, record, number), with_draft=True)


@api.post("/drafts/{draft_id}/versions", status_code=201)
def save_edit(request: Request, draft_id: int, body: TextEdit, db: DbDep, user: DrafterUser,
              t: TenantDep) -> dict[str, Any]:
    """Save the edited plain text (with [n] markers) as a new, re-verified version (owner, editors, admins)."""
    record = svc_drafts.get_record(db, user, t, draft_id)
    version = svc_drafts.save_text_edit(services(request), db, user, record, body.text, body.base_version)
    return version_json(version, with_draft=True)


@api.post("/drafts/{draft_id}/versions/{number}/restore", status_code=201)
def restore(draft_id: int, number: int, db: DbDep, user: DrafterUser, t: TenantDep) -> dict[str, Any]:
    """Make an earlier version the current one, as a new version (owner, editors, admins)."""
    record = svc_drafts.get_record(db, user, t, draft_id)
    return version_json(svc_drafts.restore_version(db, user, record, number))


@api.get("/drafts/{draft_id}/diff")
def diff(draft_id: int, db: DbDep, user: AnyUser, t: TenantDep, a: int, b: int) -> dict[str, Any]:
    """Compare two versions, paragraph by paragraph (HTML)."""
    record = svc_drafts.get_record(db, user, t, draft_id)
    old, new = (svc_drafts.load_draft(svc_drafts.get_version(db, record, n)) for n in (a, b))
    return {"a": a, "b": b, "html": str(svc_drafts.diff_html(plain_text(old), plain_text(new)))}


@api.get("/drafts/{draft_id}/sources/{source_id}")
def source(request: Request, draft_id: int, source_id: int, db: DbDep, user: AnyUser, t: TenantDep,
           v: int | None = None) -> dict[str, Any]:
    """The cited passage with ±300 characters of its document around it."""
    record = svc_drafts.get_record(db, user, t, draft_id)
    draft: Draft = svc_drafts.load_draft(svc_drafts.get_version(db, record, v))
    src = next((s for s in draft.sources if s.id == source_id), None)
    if src is None:
        raise NotFound(f"没有来源 [{source_id}]。")
    svc = services(request)
    ctx = svc_drafts.source_context(svc, record, src)
    bq = svc_drafts.kb_query(svc, user, record)
    extra = f"&{bq}" if bq else ""
    return {**ctx, "url": f"/kb/docs/{src.doc_id}?start={ctx['start']}&end={ctx['end']}{extra}#passage"}


@api.get("/drafts/{draft_id}/export/{fmt}", responses={200: {"description": "docx, md, json or txt file"}})
def export(draft_id: int, fmt: str, db: DbDep, user: AnyUser, t: TenantDep, v: int | None = None) -> Response:
    """Download a version: docx (the letter to send), review-docx (review copy), md, json or txt."""
    return export_response(db, user, t, draft_id, fmt, v)

