"""Throttling of password guessing: per account name and per client address, kept in the app database.

Policy (``login_max_failures`` = N, ``login_lock_minutes`` = T):

- An account name gets N wrong passwords in a row; then it is locked for T minutes, during which every
  attempt is refused without looking at the password (the right one too, or a guesser would learn it).
  After the lock, one more wrong password locks it again at once, so a guesser gets one try per T
  minutes; a successful login clears the count, and so does a day without failures.
- An address gets 4·N wrong passwords within T minutes (across any names, as in password spraying);
  then it is locked for T minutes. Its count restarts when T minutes pass without a failure, so a busy
  office behind one proxy address is not locked by a few typos.

Unknown names are counted like real ones, so the answers do not tell which accounts exist. The counters
live in the database: every worker process sees the same counts and locks.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import case, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from assistant.settings import Settings
from assistant.web.orm import LoginThrottle, utcnow
from assistant.web.services.errors import ServiceError

log = logging.getLogger("assistant.web.login")
ADDRESS_FACTOR = 4
ACCOUNT_MEMORY = timedelta(days=1)


def now() -> datetime:
    """The clock (naive UTC, like the database columns); tests move it forward."""
    return utcnow()


@dataclass(frozen=True)
class Rule:
    key: str
    limit: int
    # A failure longer ago than this no longer counts: the count starts again at 1.
    memory: timedelta


def account_key(username: str) -> str:
    return f"user:{username.strip()[:64]}"


def rules(settings: Settings, username: str, address: str) -> list[Rule]:
    lock = timedelta(minutes=settings.login_lock_minutes)
    return [Rule(account_key(username), settings.login_max_failures, ACCOUNT_MEMORY),
            Rule(f"addr:{address[:64]}", settings.login_max_failures * ADDRESS_FACTOR, lock)]


class LoginLocked(ServiceError):
    """Too many failed logins; ``retry_after`` is in seconds."""

    def __init__(self, until: datetime, at: datetime) -> None:
        self.retry_after = max(1, int((until - at).total_seconds() + 0.999))
        minutes = max(1, round(self.retry_after / 60))
        local = (until.replace(tzinfo=UTC)).astimezone().strftime("%H:%M")
        super().__init__(f"登录失败次数过多，已暂时停止接受此账号或此电脑的登录。请在 {local} 以后（约 {minutes} 分钟后）"
                         "再试；如果忘记了密码，请联系管理员重设。", 429)


def check(db: Session, settings: Settings, username: str, address: str) -> None:
    """Refuse the attempt (LoginLocked) while the account name or the address is locked."""
    at = now()
    keys = [r.key for r in rules(settings, username, address)]
    locks = [t for t in db.scalars(select(LoginThrottle.locked_until).where(LoginThrottle.key.in_(keys)))
             if t is not None and t > at]
    if locks:
        log.warning("login refused (locked until %s UTC) for user %r from %s", max(locks).isoformat(timespec="seconds"),
                    username, address)
        raise LoginLocked(max(locks), at)


def failed(db: Session, settings: Settings, username: str, address: str) -> None:
    """Count a wrong password for the name and the address; lock whichever reached its limit."""
    at = now()
    lock_for = timedelta(minutes=settings.login_lock_minutes)
    counts = []
    for rule in rules(settings, username, address):
        _ensure_row(db, rule.key, at)
        # One UPDATE, so that two workers counting at once cannot both read the old count.
        db.execute(update(LoginThrottle).where(LoginThrottle.key == rule.key).values(
            failures=case((LoginThrottle.last_failure_at < at - rule.memory, 1), else_=LoginThrottle.failures + 1),
            last_failure_at=at))
        count = db.scalar(select(LoginThrottle.failures).where(LoginThrottle.key == rule.key)) or 0
        if count >= rule.limit:
            db.execute(update(LoginThrottle).where(LoginThrottle.key == rule.key).values(locked_until=at + lock_for))
            log.warning("login locked for %s after %d failures (until %s UTC)", rule.key, count,
                        (at + lock_for).isoformat(timespec="seconds"))
        counts.append(count)
    db.commit()
    log.warning("failed login for user %r from %s (%d in a row for this name, %d from this address)",
                username, address, counts[0], counts[1])


def succeeded(db: Session, settings: Settings, username: str, address: str) -> None:
    """A right password clears the account's count (not the address's: a guesser may own one account)."""
    key = rules(settings, username, address)[0].key
    row = db.get(LoginThrottle, key)
    if row is not None:
        db.delete(row)
        db.commit()


def _ensure_row(db: Session, key: str, at: datetime) -> None:
    if db.get(LoginThrottle, key) is not None:
        return
    try:
        with db.begin_nested():
            db.add(LoginThrottle(key=key, failures=0, last_failure_at=at))
    except IntegrityError:
        pass  # another worker made it first
