"""Draft pages: list, new (parse then generate), view with sources, edit, versions, diff, export."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import Depends, File, Form, Request, UploadFile
from fastapi.responses import RedirectResponse, Response
from markupsafe import Markup
from sqlalchemy.orm import Session

from assistant.render import plain_text, to_html
from assistant.web.deps import AnyUser, DbDep, DrafterUser, TenantDep, render, router, services
from assistant.web.forms import DraftForm, ProposalFields
from assistant.web.orm import User
from assistant.web.security import ROLE_NAMES
from assistant.web.services import access
from assistant.web.services import drafts as svc_drafts
from assistant.web.services import reviews as svc_reviews
from assistant.web.services.errors import ServiceError
from assistant.web.services.uploads import read_limited
from assistant.web.tenants import Tenant

pages = router(tags=["pages"], include_in_schema=False)
routers = [pages]


def draft_query(q: str = "", number: str = "", status: str = "", author: str = "", mine: bool = False,
                date_from: date | None = None, date_to: date | None = None) -> svc_drafts.DraftQuery:
    return svc_drafts.DraftQuery(q=q, number=number, status=status, author=author, mine=mine, date_from=date_from,
                                 date_to=date_to)


@pages.get("/")
def home() -> Response:
    return RedirectResponse("/drafts", status_code=303)


@pages.get("/drafts")
def list_page(request: Request, db: DbDep, user: AnyUser, t: TenantDep,
              f: Annotated[svc_drafts.DraftQuery, Depends(draft_query)]) -> Response:
    rows = svc_drafts.list_drafts(db, user, t, f)
    return render(request, "drafts_list.html", rows=rows, f=f, status_names=svc_reviews.STATUS_NAMES)


def _new_page(request: Request, fields: ProposalFields | None, error: str = "", status_code: int = 200,
              form: DraftForm | None = None, pasted: str = "", warnings: list[str] | None = None) -> Response:
    form = form or DraftForm(**(fields.model_dump() if fields else {}), reply_date=date.today().isoformat())
    return render(request, "draft_new.html", status_code=status_code, form=form, parsed=fields is not None,
                  error=error, pasted=pasted, warnings=warnings or [])


@pages.get("/drafts/new")
def new_page(request: Request, user: DrafterUser) -> Response:
    return _new_page(request, None)


@pages.post("/drafts/parse")
async def parse_page(request: Request, user: DrafterUser, text: Annotated[str, Form()] = "",
                     file: Annotated[UploadFile | None, File()] = None) -> Response:
    limit = services(request).settings.max_upload_bytes
    try:
        if file is not None and file.filename:
            proposal = svc_drafts.parse_upload(file.filename, await read_limited(file, limit))
        elif text.strip():
            proposal = svc_drafts.parse_text(text)
        else:
            return _new_page(request, None, "请粘贴提案全文，或选择 .txt / .docx 文件。", 422)
    except ServiceError as err:
        return _new_page(request, None, str(err), err.status, pasted=text)
    if not proposal.body:
        proposal.body = text
    return _new_page(request, ProposalFields.from_proposal(proposal), pasted=proposal.body, warnings=proposal.warnings)


@pages.post("/drafts")
def create_page(request: Request, db: DbDep, user: DrafterUser, t: TenantDep,
                form: Annotated[DraftForm, Form()]) -> Response:
    try:
        record = svc_drafts.create_draft(services(request), db, user, t, form.to_proposal(), form.to_options())
    except ServiceError as err:
        return _new_page(request, form, str(err), err.status, form=form, pasted=form.body)
    return RedirectResponse(f"/drafts/{record.id}", status_code=303)


@pages.get("/drafts/{draft_id}")
def view_page(request: Request, draft_id: int, db: DbDep, user: AnyUser, t: TenantDep,
              v: int | None = None) -> Response:
    svc = services(request)
    record = svc_drafts.get_record(db, user, t, draft_id)
    version = svc_drafts.get_version(db, record, v)
    draft = svc_drafts.load_draft(version)
    current = svc_drafts.load_draft(svc_drafts.get_version(db, record)) if v and v != record.current_version else draft
    # As the API answers it: the template cuts the ISO time strings.
    review = svc_reviews.review_out(db, record, current).model_dump(mode="json")
    return render(
        request, "draft_view.html", record=record, version=version, draft=draft,
        letter_html=Markup(to_html(draft, standalone=False)),
        contexts=svc_drafts.source_contexts(svc, record, draft), bq=svc_drafts.kb_query(svc, user, record),
        decisions={c["source_id"]: c for c in review["citations"]} if version.number == record.current_version else {},
        review=review, plain=plain_text(draft), status_names=svc_reviews.STATUS_NAMES,
        decision_names=svc_reviews.DECISION_NAMES, versions=record.versions, role_names=ROLE_NAMES,
        can_edit=access.can_edit(user, record), can_review=user.role in ("reviewer", "admin"),
        is_current=version.number == record.current_version, can_assign=access.can_assign(user, record),
        candidates=access.candidates(db, svc.tenants, record) if access.can_assign(user, record) else [],
        unfilled=svc_drafts.unfilled(draft), cited=len(svc_reviews.cited_sources(draft)),
        plan_gap_year=svc_drafts.plan_gap_year(draft),
    )


@pages.post("/drafts/{draft_id}/assignment")
def assignment_page(request: Request, draft_id: int, db: DbDep, user: DrafterUser, t: TenantDep,
                    owner: Annotated[str, Form()] = "", editors: Annotated[list[str] | None, Form()] = None) -> Response:
    record = svc_drafts.get_record(db, user, t, draft_id)
    access.assign(db, services(request).tenants, user, record, owner or None, editors or [])
    return RedirectResponse(f"/drafts/{draft_id}#assignment", status_code=303)


@pages.post("/drafts/{draft_id}/edit")
def edit_page(request: Request, draft_id: int, db: DbDep, user: DrafterUser, t: TenantDep,
              text: Annotated[str, Form()], base_version: Annotated[int | None, Form()] = None) -> Response:
    record = svc_drafts.get_record(db, user, t, draft_id)
    try:
        svc_drafts.save_text_edit(services(request), db, user, record, text, base_version)
    except ServiceError as err:
        if err.status == 404:
            raise
        return render(request, "error.html", status_code=err.status, status=err.status, message=str(err),
                      back=f"/drafts/{draft_id}")
    return RedirectResponse(f"/drafts/{draft_id}#letter", status_code=303)


@pages.post("/drafts/{draft_id}/restore")
def restore_page(draft_id: int, db: DbDep, user: DrafterUser, t: TenantDep,
                 version: Annotated[int, Form()]) -> Response:
    record = svc_drafts.get_record(db, user, t, draft_id)
    svc_drafts.restore_version(db, user, record, version)
    return RedirectResponse(f"/drafts/{draft_id}", status_code=303)


@pages.get("/drafts/{draft_id}/diff")
def diff_page(request: Request, draft_id: int, db: DbDep, user: AnyUser, t: TenantDep, a: int | None = None,
              b: int | None = None) -> Response:
    record = svc_drafts.get_record(db, user, t, draft_id)
    b = b or record.current_version
    a = a or max(1, b - 1)
    old = svc_drafts.load_draft(svc_drafts.get_version(db, record, a))
    new = svc_drafts.load_draft(svc_drafts.get_version(db, record, b))
    return render(request, "draft_diff.html", record=record, a=a, b=b, versions=record.versions,
                  diff=svc_drafts.diff_html(plain_text(old), plain_text(new)))


@pages.get("/drafts/{draft_id}/export/{fmt}")
def export_page(draft_id: int, fmt: str, db: DbDep, user: AnyUser, t: TenantDep, v: int | None = None) -> Response:
    return export_response(db, user, t, draft_id, fmt, v)


def export_response(db: Session, user: User, t: Tenant, draft_id: int, fmt: str, v: int | None) -> Response:
    from urllib.parse import quote

    record = svc_drafts.get_record(db, user, t, draft_id)
    version = svc_drafts.get_version(db, record, v)
    data, media, filename = svc_drafts.export(svc_drafts.load_draft(version), record, version.number, fmt)
    ascii_name = f"draft-{record.id}-v{version.number}-{fmt}.{filename.rsplit('.', 1)[1]}"
    disposition = f"attachment; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(filename)}"
    return Response(data, media_type=media, headers={"Content-Disposition": disposition})
