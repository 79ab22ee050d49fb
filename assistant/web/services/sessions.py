"""Server-side logins: the signed cookie names a session row, and logging out deletes the row.

A cookie alone would stay valid until it expires even after 退出 (someone who copied it, or a shared
PC's browser, could replay it); with the row gone the cookie is worthless.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta
from typing import Any

from sqlalchemy import delete
from sqlalchemy.orm import Session

from assistant.settings import Settings
from assistant.web.orm import LoginSession, User, utcnow
from assistant.web.security import new_session

# How often a live session's last_seen is written (a write per request would be wasted).
TOUCH_EVERY = timedelta(minutes=5)


def _row_id(sid: str) -> str:
    return hashlib.sha256(sid.encode("utf-8")).hexdigest()


def start(db: Session, settings: Settings, user: User) -> dict[str, Any]:
    """A new session for ``user``; returns the cookie payload. Sessions idle too long are cleared on the way."""
    sid = secrets.token_urlsafe(24)
    at = utcnow()
    db.execute(delete(LoginSession).where(LoginSession.last_seen < at - timedelta(hours=settings.session_hours)))
    db.add(LoginSession(id=_row_id(sid), user_id=user.id, created_at=at, last_seen=at))
    db.commit()
    return {**new_session(user.id, user.session_version), "s": sid}


def is_live(db: Session, settings: Settings, payload: dict[str, Any], user: User) -> bool:
    sid = payload.get("s")
    if not isinstance(sid, str):
        return False
    row = db.get(LoginSession, _row_id(sid))
    at = utcnow()
    if row is None or row.user_id != user.id or row.last_seen < at - timedelta(hours=settings.session_hours):
        return False
    if at - row.last_seen > TOUCH_EVERY:
        row.last_seen = at
        db.commit()
    return True


def end(db: Session, payload: dict[str, Any]) -> None:
    sid = payload.get("s")
    if isinstance(sid, str):
        db.execute(delete(LoginSession).where(LoginSession.id == _row_id(sid)))
        db.commit()


def end_all(db: Session, user_id: int) -> None:
    """Every session of a user (password changed, account deactivated); the caller commits."""
    db.execute(delete(LoginSession).where(LoginSession.user_id == user_id))
