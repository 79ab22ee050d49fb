"""Citation review: the reviewer's queue, decisions on citations, and the trail."""

from __future__ import annotations

from typing import Annotated

from fastapi import Form, Request
from fastapi.responses import RedirectResponse, Response
from sqlalchemy.orm import Session

from assistant.web.deps import AnyUser, DbDep, ReviewerUser, TenantDep, render, router
from assistant.web.forms import ReviewIn
from assistant.web.orm import User
from assistant.web.schemas.common import error_responses
from assistant.web.schemas.reviews import ReviewOut
from assistant.web.services import drafts as svc_drafts
from assistant.web.services import reviews as svc_reviews
from assistant.web.services.errors import ServiceError
from assistant.web.tenants import Tenant

pages = router(tags=["pages"], include_in_schema=False)
api = router(prefix="/api", tags=["reviews"], responses=error_responses(401, 403, 404, 422))
routers = [pages, api]


@pages.get("/reviews")
def queue_page(request: Request, db: DbDep, user: AnyUser, t: TenantDep, status: str = "open") -> Response:
    """Drafts by review state; ``open`` means not yet approved."""
    rows = svc_drafts.list_drafts(db, user, t, svc_drafts.DraftQuery(status="" if status in ("open", "all") else status))
    if status == "open":
        rows = [r for r in rows if r.review_status != "approved"]
    return render(request, "reviews.html", rows=rows, status=status, status_names=svc_reviews.STATUS_NAMES)


def _decide(db: Session, user: User, t: Tenant, draft_id: int, body: ReviewIn) -> None:
    record = svc_drafts.get_record(db, user, t, draft_id)
    draft = svc_drafts.load_draft(svc_drafts.get_version(db, record))
    svc_reviews.decide(db, user, record, draft, svc_reviews.Decision(body.source_id, body.decision, body.comment))


@pages.post("/drafts/{draft_id}/reviews")
def decide_page(request: Request, draft_id: int, db: DbDep, user: ReviewerUser, t: TenantDep,
                source_id: Annotated[int, Form()], decision: Annotated[str, Form()],
                comment: Annotated[str, Form()] = "") -> Response:
    try:
        _decide(db, user, t, draft_id, ReviewIn.model_validate(
            {"source_id": source_id, "decision": decision, "comment": comment}))
    except ServiceError as err:
        if err.status == 404:
            raise
        return render(request, "error.html", status_code=err.status, status=err.status, message=str(err),
                      back=f"/drafts/{draft_id}")
    # No #fragment: it would jump the page to the source list; the page script restores the reviewer's place.
    return RedirectResponse(f"/drafts/{draft_id}?src={source_id}", status_code=303)


@api.get("/drafts/{draft_id}/reviews")
def get_reviews(draft_id: int, db: DbDep, user: AnyUser, t: TenantDep) -> ReviewOut:
    """Review state, the decision on each cited passage, and the trail of who did what when."""
    record = svc_drafts.get_record(db, user, t, draft_id)
    draft = svc_drafts.load_draft(svc_drafts.get_version(db, record))
    return svc_reviews.review_out(db, record, draft)


@api.post("/drafts/{draft_id}/reviews", status_code=201)
def post_review(draft_id: int, body: ReviewIn, db: DbDep, user: ReviewerUser, t: TenantDep) -> ReviewOut:
    """Accept or reject one cited passage of the current version (rejecting needs a comment)."""
    _decide(db, user, t, draft_id, body)
    return get_reviews(draft_id, db, user, t)
