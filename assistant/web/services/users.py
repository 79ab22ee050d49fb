"""Users: create, change, authenticate; and the first admin made on the very first start."""

from __future__ import annotations

import os
import re
import secrets
from pathlib import Path
from typing import Any

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from assistant.settings import Settings
from assistant.web.orm import BureauRecord, LoginThrottle, User
from assistant.web.schemas.users import UserOut
from assistant.web.security import DUMMY_HASH, ROLE_NAMES, ROLES, hash_password, verify_password
from assistant.web.services import sessions, throttle
from assistant.web.services.errors import NotFound, ServiceError
from assistant.web.tenants import Tenants

_NAME = re.compile(r"^[A-Za-z0-9_.\-]{2,32}$")
MIN_PASSWORD = 8
INITIAL_PASSWORD_FILE = "initial_admin_password.txt"


def check_password_rules(password: str) -> None:
    if len(password) < MIN_PASSWORD:
        raise ServiceError(f"密码至少 {MIN_PASSWORD} 位。", 422)


def create_user(db: Session, username: str, role: str, password: str, bureau_id: int,
                display_name: str = "") -> User:
    username = username.strip()
    if not _NAME.match(username):
        raise ServiceError("用户名须为 2–32 位字母、数字、下划线、点或连字符。", 422)
    if role not in ROLES:
        raise ServiceError(f"角色只能是：{'、'.join(f'{k}（{v}）' for k, v in ROLE_NAMES.items())}。", 422)
    check_password_rules(password)
    if db.scalar(select(User).where(User.username == username)) is not None:
        raise ServiceError(f"用户名“{username}”已存在。", 409)
    bureau = db.get(BureauRecord, bureau_id)
    if bureau is None or not bureau.active:
        raise ServiceError("所选单位不存在或已停用，请从列表中选择单位。", 422)
    user = User(username=username, role=role, bureau_id=bureau.id, display_name=display_name.strip()[:64],
                password_hash=hash_password(password))
    db.add(user)
    db.commit()
    return user


def get_user(db: Session, user_id: int) -> User:
    user = db.get(User, user_id)
    if user is None:
        raise NotFound("没有这个用户。")
    return user


def by_name(db: Session, username: str) -> User:
    user = db.scalar(select(User).where(User.username == username))
    if user is None:
        raise NotFound(f"没有用户“{username}”。")
    return user


def list_users(db: Session) -> list[User]:
    return list(db.scalars(select(User).order_by(User.id)))


def update_user(db: Session, user: User, *, role: str | None = None, active: bool | None = None,
                password: str | None = None, display_name: str | None = None) -> User:
    if role is not None:
        if role not in ROLES:
            raise ServiceError("未知角色。", 422)
        if user.role == "admin" and role != "admin" and _other_admins(db, user) == 0:
            raise ServiceError("不能取消最后一位管理员的管理员角色。", 409)
        user.role = role
    if active is not None:
        if not active and user.role == "admin" and _other_admins(db, user) == 0:
            raise ServiceError("不能停用最后一位管理员。", 409)
        user.active = active
        if not active:
            sessions.end_all(db, user.id)
    if password:
        check_password_rules(password)
        user.password_hash = hash_password(password)
        user.session_version += 1
        sessions.end_all(db, user.id)
        # A new password (often set by an admin for a locked-out colleague) lifts the lock on the name.
        db.execute(delete(LoginThrottle).where(LoginThrottle.key == throttle.account_key(user.username)))
    if display_name is not None:
        user.display_name = display_name.strip()[:64]
    db.commit()
    return user


def _other_admins(db: Session, user: User) -> int:
    return db.scalar(select(func.count(User.id)).where(User.role == "admin", User.active.is_(True),
                                                       User.id != user.id)) or 0


def authenticate(db: Session, username: str, password: str) -> User | None:
    user = db.scalar(select(User).where(User.username == username.strip()))
    if user is None:
        verify_password(password, DUMMY_HASH)
        return None
    if not verify_password(password, user.password_hash) or not user.active:
        return None
    return user


def ensure_first_admin(db: Session, settings: Settings, bureau_id: int) -> str | None:
    """On a database without users, create ``admin`` with a random password; return it (else None).

    The password is printed by the caller once and kept in var/initial_admin_password.txt (mode 600)
    so that ``make run`` leaves a usable login even when the console scrolled away.
    """
    if db.scalar(select(func.count(User.id))):
        return None
    password = secrets.token_urlsafe(12)
    create_user(db, "admin", "admin", password, bureau_id, display_name="管理员")
    path: Path = settings.var_dir / INITIAL_PASSWORD_FILE
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as fh:
        fh.write(f"用户名: admin\n密码: {password}\n")
    os.chmod(path, 0o600)
    return password


def new_user_bureau(tenants: Tenants, admin: User, key: str | None) -> int:
    """The bureau (id) of a user an admin creates: the one whose key is given, else the admin's own.

    Only keys of the bureaus this deployment serves are accepted; anything else is a 422 listing them.
    """
    if key is None or not key.strip():
        return tenants.for_user(admin).bureau_id
    found = tenants.by_key(key.strip())
    if found is None:
        raise ServiceError(f"未配置单位“{key.strip()}”；可选：{tenants.listing()}", 422)
    return found.bureau_id


def bureau_form(tenants: Tenants, admin: User) -> dict[str, Any]:
    """The user page's bureau choices and the admin's own (preselected)."""
    return {"bureau_choices": tenants.choices(), "own_bureau": tenants.for_user(admin).key}


def user_out(user: User) -> UserOut:
    return UserOut(id=user.id, username=user.username, display_name=user.display_name, role=user.role,
                   role_name=ROLE_NAMES.get(user.role, user.role), bureau=user.bureau.key,
                   bureau_name=user.bureau.name, active=user.active,
                   created_at=user.created_at)
