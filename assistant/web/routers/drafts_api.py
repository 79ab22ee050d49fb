"""The JSON API for proposals and drafts; it calls the same service functions as the pages."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, File, Path, Request, UploadFile
from fastapi.responses import Response

from assistant.models import Draft, Proposal
from assistant.render import plain_text
from assistant.web.deps import AnyUser, DbDep, DrafterUser, TenantDep, router, services
from assistant.web.forms import AssignmentIn, CreateDraft, ParseText, TextEdit
from assistant.web.orm import DraftRecord, DraftVersion, User
from assistant.web.routers.drafts import draft_query, export_response
from assistant.web.schemas.common import error_responses
from assistant.web.schemas.drafts import (
    DiffOut,
    DraftOut,
    DraftRecordOut,
    EditorOut,
    SourceContextOut,
    VersionDetailOut,
    VersionOut,
)
from assistant.web.services import access
from assistant.web.services import drafts as svc_drafts
from assistant.web.services import reviews as svc_reviews
from assistant.web.services.errors import NotFound
from assistant.web.services.uploads import read_limited

api = router(prefix="/api", tags=["drafts"], responses=error_responses(401, 403, 422))
routers = [api]
# A draft named in the path may be missing, or belong to another bureau (the same to the caller).
MISSING = error_responses(404)
# Drafting searches the knowledge base, which may be unreachable.
KB_DOWN = error_responses(503)
EXPORT_FORMATS = "One of " + ", ".join(svc_drafts.EXPORTS) + " (an unknown one answers 404)"


def record_out(record: DraftRecord, user: User) -> DraftRecordOut:
    return DraftRecordOut(
        id=record.id, title=record.title, number=record.number, session=record.session, proposer=record.proposer,
        author=record.author.username, author_name=record.author.label, owner=record.owner.username,
        owner_name=record.owner.label, editors=[EditorOut(username=u.username, name=u.label) for u in record.editors],
        bureau=record.bureau.key, current_version=record.current_version, review_status=record.review_status,
        review_status_name=svc_reviews.STATUS_NAMES[record.review_status], created_at=record.created_at,
        updated_at=record.updated_at, can_edit=access.can_edit(user, record),
    )


def draft_out(record: DraftRecord, user: User, draft: Draft) -> DraftOut:
    return DraftOut(**dict(record_out(record, user)), draft=draft, text=plain_text(draft))


def version_out(v: DraftVersion) -> VersionOut:
    return VersionOut(number=v.number, note=v.note, editor=v.editor.username, editor_name=v.editor.label,
                      created_at=v.created_at)


def version_detail(v: DraftVersion) -> VersionDetailOut:
    return VersionDetailOut(**dict(version_out(v)), draft=svc_drafts.load_draft(v))


@api.post("/proposals/parse")
def parse_text(body: ParseText, user: DrafterUser) -> Proposal:
    """Recover title, number, session, proposer and suggestions from pasted text."""
    return svc_drafts.parse_text(body.text)


@api.post("/proposals/parse-file", responses=error_responses(413, 415))
async def parse_file(request: Request, user: DrafterUser, file: Annotated[UploadFile, File()]) -> Proposal:
    """The same from an uploaded .txt or .docx file."""
    data = await read_limited(file, services(request).settings.max_upload_bytes)
    return svc_drafts.parse_upload(file.filename or "", data)


@api.get("/drafts")
def list_drafts(db: DbDep, user: AnyUser, t: TenantDep,
                f: Annotated[svc_drafts.DraftQuery, Depends(draft_query)]) -> list[DraftRecordOut]:
    """Drafts of the user's bureau; filter with q, number, status, author (owner), mine, date_from, date_to."""
    return [record_out(r, user) for r in svc_drafts.list_drafts(db, user, t, f)]


@api.post("/drafts", status_code=201, responses=KB_DOWN)
def create_draft(request: Request, body: CreateDraft, db: DbDep, user: DrafterUser, t: TenantDep) -> DraftOut:
    """Draft a reply letter from a proposal and store it as version 1."""
    record = svc_drafts.create_draft(services(request), db, user, t, body.proposal, body.options)
    return draft_out(record, user, svc_drafts.load_draft(svc_drafts.get_version(db, record)))


@api.get("/drafts/{draft_id}", responses=MISSING)
def get_draft(draft_id: int, db: DbDep, user: AnyUser, t: TenantDep) -> DraftOut:
    """The draft: record, owner and editors, the current version and its letter as plain text."""
    record = svc_drafts.get_record(db, user, t, draft_id)
    return draft_out(record, user, svc_drafts.load_draft(svc_drafts.get_version(db, record)))


@api.put("/drafts/{draft_id}/assignment", responses=MISSING)
def assign(request: Request, draft_id: int, body: AssignmentIn, db: DbDep, user: DrafterUser,
           t: TenantDep) -> DraftRecordOut:
    """Hand the draft to another owner (admins) or set who may co-edit it (its owner or an admin)."""
    record = svc_drafts.get_record(db, user, t, draft_id)
    return record_out(access.assign(db, services(request).tenants, user, record, body.owner, body.editors), user)


@api.get("/drafts/{draft_id}/versions", responses=MISSING)
def list_versions(draft_id: int, db: DbDep, user: AnyUser, t: TenantDep) -> list[VersionOut]:
    """The draft's versions, newest last."""
    record = svc_drafts.get_record(db, user, t, draft_id)
    return [version_out(v) for v in record.versions]


@api.get("/drafts/{draft_id}/versions/{number}", responses=MISSING)
def get_version(draft_id: int, number: int, db: DbDep, user: AnyUser, t: TenantDep) -> VersionDetailOut:
    """One version with its full draft."""
    record = svc_drafts.get_record(db, user, t, draft_id)
    return version_detail(svc_drafts.get_version(db, record, number))


@api.post("/drafts/{draft_id}/versions", status_code=201, responses={**MISSING, **error_responses(409)})
def save_edit(request: Request, draft_id: int, body: TextEdit, db: DbDep, user: DrafterUser,
              t: TenantDep) -> VersionDetailOut:
    """Save the edited plain text (with [n] markers) as a new, re-verified version (owner, editors, admins)."""
    record = svc_drafts.get_record(db, user, t, draft_id)
    return version_detail(svc_drafts.save_text_edit(services(request), db, user, record, body.text,
                                                    body.base_version))


@api.post("/drafts/{draft_id}/versions/{number}/restore", status_code=201,
          responses={**MISSING, **error_responses(409)})
def restore(draft_id: int, number: int, db: DbDep, user: DrafterUser, t: TenantDep) -> VersionOut:
    """Make an earlier version the current one, as a new version (owner, editors, admins)."""
    record = svc_drafts.get_record(db, user, t, draft_id)
    return version_out(svc_drafts.restore_version(db, user, record, number))


@api.get("/drafts/{draft_id}/diff", responses=MISSING)
def diff(draft_id: int, db: DbDep, user: AnyUser, t: TenantDep, a: int, b: int) -> DiffOut:
    """Compare two versions, paragraph by paragraph (HTML)."""
    record = svc_drafts.get_record(db, user, t, draft_id)
    old, new = (svc_drafts.load_draft(svc_drafts.get_version(db, record, n)) for n in (a, b))
    return DiffOut(a=a, b=b, html=str(svc_drafts.diff_html(plain_text(old), plain_text(new))))


@api.get("/drafts/{draft_id}/sources/{source_id}", responses=MISSING)
def source(request: Request, draft_id: int, source_id: int, db: DbDep, user: AnyUser, t: TenantDep,
           v: int | None = None) -> SourceContextOut:
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
    return SourceContextOut.model_validate(
        {**ctx, "url": f"/kb/docs/{src.doc_id}?start={ctx['start']}&end={ctx['end']}{extra}#passage"})


@api.get("/drafts/{draft_id}/export/{fmt}", response_class=Response, responses={
    200: {"description": "The file, with its name in Content-Disposition",
          "content": {media: {"schema": {"type": "string", "format": "binary"}}
                      for media in dict.fromkeys(svc_drafts.EXPORTS.values())}},
    **MISSING})
def export(draft_id: int, fmt: Annotated[str, Path(description=EXPORT_FORMATS)], db: DbDep, user: AnyUser,
           t: TenantDep, v: int | None = None) -> Response:
    """Download a version: docx (the letter to send), review-docx (review copy), md, json or txt."""
    return export_response(db, user, t, draft_id, fmt, v)
