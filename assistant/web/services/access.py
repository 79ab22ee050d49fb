"""Who may change a draft, and handing a draft to colleagues.

The rule, as a bureau works: a draft has one owner (负责人, its author to begin with) and may have
assigned editors (协办人). The owner, the editors and admins may edit it and restore its versions;
everyone else of the bureau may read, compare and export it, and reviewers review its citations.
An admin may hand a draft to another owner and change its editors; the owner may change its editors.
Owner and editors are active drafters (or admins) of the draft's bureau.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from assistant.web.orm import DraftRecord, ReviewEvent, User, utcnow
from assistant.web.services.errors import ServiceError
from assistant.web.tenants import Tenants

EDIT_ROLES = ("drafter", "admin")


def can_edit(user: User, record: DraftRecord) -> bool:
    if user.role == "admin":
        return True
    return user.role == "drafter" and (user.id == record.owner_id or any(e.id == user.id for e in record.editors))


def check_edit(user: User, record: DraftRecord) -> None:
    if not can_edit(user, record):
        raise ServiceError(f"只有这份草稿的负责人（{record.owner.label}）、被指派的协办人和管理员可以修改或恢复版本；"
                           "您可以查看、比较和导出。如需修改，请联系负责人把您加为协办人，或请管理员指派。", 403)


def can_assign(user: User, record: DraftRecord) -> bool:
    """Editors: the owner or an admin. The owner: an admin only (see :func:`assign`)."""
    return user.role == "admin" or (user.role == "drafter" and user.id == record.owner_id)


def candidates(db: Session, tenants: Tenants, record: DraftRecord) -> list[User]:
    """Who may own or co-edit ``record``: active drafters and admins of its bureau."""
    return list(db.scalars(select(User).where(User.active.is_(True), User.role.in_(EDIT_ROLES),
                                              User.bureau_id == record.bureau_id).order_by(User.id)))


def assign(db: Session, tenants: Tenants, actor: User, record: DraftRecord, owner: str | None,
           editors: list[str]) -> DraftRecord:
    """Set the owner (``None``: unchanged) and the editors (user names); logged in the draft's trail."""
    if not can_assign(actor, record):
        raise ServiceError(f"只有负责人（{record.owner.label}）和管理员可以指派协办人。", 403)
    allowed = {u.username: u for u in candidates(db, tenants, record)}
    wanted = [name.strip() for name in editors if name.strip()]
    unknown = [name for name in [*(wanted), *([owner] if owner else [])] if name not in allowed]
    if unknown:
        raise ServiceError(f"不能指派：{'、'.join(unknown)}（须为本单位在用的起草人或管理员）。", 422)
    if owner and allowed[owner].id != record.owner_id:
        if actor.role != "admin":
            raise ServiceError("只有管理员可以更换负责人。", 403)
        record.owner_id = allowed[owner].id
        record.owner = allowed[owner]
    record.editors = [allowed[name] for name in dict.fromkeys(wanted) if allowed[name].id != record.owner_id]
    record.updated_at = utcnow()
    names = "、".join(u.label for u in record.editors) or "无"
    db.add(ReviewEvent(draft_id=record.id, version=record.current_version, actor_id=actor.id, action="assigned",
                       comment=f"负责人：{record.owner.label}；协办人：{names}"))
    db.commit()
    return record
