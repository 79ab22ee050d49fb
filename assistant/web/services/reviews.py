"""Citation review: accept or reject each cited passage, the draft's review state, and the trail."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from assistant.models import Draft, Source
from assistant.web.orm import CitationReview, DraftRecord, ReviewEvent, User, utcnow
from assistant.web.schemas.reviews import CitationReviewOut, ReviewEventOut, ReviewOut
from assistant.web.services.errors import NotFound, ServiceError

STATUS_NAMES = {"pending": "待审核", "in_review": "审核中", "approved": "已通过", "changes": "需修改"}
DECISION_NAMES = {"accepted": "采纳", "rejected": "不采纳"}
ACTION_NAMES = {
    "created": "生成草稿", "edited": "保存修改", "restored": "恢复版本",
    "accepted": "采纳引用", "rejected": "不采纳引用", "assigned": "指派",
}


def source_key(source: Source) -> str:
    """Identifies the passage itself, so a decision still applies after the sources are re-numbered."""
    return f"{source.doc_id}:{source.start}:{source.end}"


def cited_sources(draft: Draft) -> list[Source]:
    """The sources the letter cites (all of them when no sentence cites any)."""
    used = {n for sec in draft.letter.sections for item in sec.items for s in item.sentences for n in s.citations}
    sources = [s for s in draft.sources if s.id in used]
    return sources or list(draft.sources)


def decisions(db: Session, record: DraftRecord) -> dict[str, CitationReview]:
    rows = db.scalars(select(CitationReview).where(CitationReview.draft_id == record.id))
    return {r.source_key: r for r in rows}


def status_for(draft: Draft, decided: dict[str, CitationReview]) -> str:
    keys = [source_key(s) for s in cited_sources(draft)]
    states = [decided[k].decision for k in keys if k in decided]
    if "rejected" in states:
        return "changes"
    if keys and len(states) == len(keys):
        return "approved"
    return "in_review" if states else "pending"


def refresh_status(db: Session, record: DraftRecord, draft: Draft) -> str:
    record.review_status = status_for(draft, decisions(db, record))
    return record.review_status


@dataclass
class Decision:
    source_id: int
    decision: str
    comment: str = ""


def decide(db: Session, user: User, record: DraftRecord, draft: Draft, d: Decision) -> CitationReview:
    """Record a reviewer's decision on one citation of the current version, and log it."""
    if d.decision not in DECISION_NAMES:
        raise ServiceError("审核结论只能是“采纳”或“不采纳”。", 422)
    source = next((s for s in draft.sources if s.id == d.source_id), None)
    if source is None:
        raise NotFound(f"当前版本没有来源 [{d.source_id}]。")
    comment = d.comment.strip()[:2000]
    if d.decision == "rejected" and not comment:
        raise ServiceError("不采纳引用时请填写意见，说明原因。", 422)
    key = source_key(source)
    row = db.scalar(select(CitationReview).where(CitationReview.draft_id == record.id,
                                                 CitationReview.source_key == key))
    if row is None:
        row = CitationReview(draft_id=record.id, source_key=key, decision=d.decision, comment=comment,
                             reviewer_id=user.id)
        db.add(row)
    row.decision, row.comment, row.reviewer_id, row.updated_at = d.decision, comment, user.id, utcnow()
    db.add(ReviewEvent(draft_id=record.id, version=record.current_version, actor_id=user.id, action=d.decision,
                       source_id=source.id, source_key=key, comment=comment))
    db.flush()
    refresh_status(db, record, draft)
    record.updated_at = utcnow()
    db.commit()
    return row


def trail(db: Session, record: DraftRecord) -> list[ReviewEvent]:
    return list(db.scalars(select(ReviewEvent).where(ReviewEvent.draft_id == record.id).order_by(ReviewEvent.id)))


def review_out(db: Session, record: DraftRecord, draft: Draft) -> ReviewOut:
    decided = decisions(db, record)
    by_source = []
    for s in cited_sources(draft):
        r = decided.get(source_key(s))
        by_source.append(CitationReviewOut(
            source_id=s.id, source_key=source_key(s), decision=r.decision if r else None,
            comment=r.comment if r else "", reviewer=r.reviewer.username if r else None,
            reviewer_name=r.reviewer.label if r else None, updated_at=r.updated_at if r else None,
        ))
    return ReviewOut(status=record.review_status, status_name=STATUS_NAMES[record.review_status],
                     citations=by_source, trail=[event_out(e) for e in trail(db, record)])


# Drafts made before the engine was named in Chinese carry "引擎：compose" in their trail.
_LEGACY_COMMENTS = {"引擎：compose": "起草方式：组合引擎", "引擎：llm": "起草方式：大模型"}


def event_out(e: ReviewEvent) -> ReviewEventOut:
    return ReviewEventOut(at=e.created_at, who=e.actor.username, who_name=e.actor.label, action=e.action,
                          action_name=ACTION_NAMES.get(e.action, e.action), version=e.version,
                          source_id=e.source_id, comment=_LEGACY_COMMENTS.get(e.comment, e.comment))
