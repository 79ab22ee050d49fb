"""Passwords (scrypt), the signed session cookie, and CSRF tokens."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import os
import secrets
import time
from pathlib import Path
from typing import Any

from assistant.settings import Settings

COOKIE = "dfh_session"
ROLES = ("drafter", "reviewer", "admin")
ROLE_NAMES = {"drafter": "起草人", "reviewer": "审核人", "admin": "管理员"}
_N, _R, _P = 2**14, 8, 1


def hash_password(password: str) -> str:
    salt = os.urandom(16)
    digest = hashlib.scrypt(password.encode("utf-8"), salt=salt, n=_N, r=_R, p=_P, dklen=32)
    return f"scrypt${_N}${_R}${_P}${_b64(salt)}${_b64(digest)}"


def verify_password(password: str, stored: str) -> bool:
    try:
        scheme, n, r, p, salt, digest = stored.split("$")
        if scheme != "scrypt":
            return False
        got = hashlib.scrypt(password.encode("utf-8"), salt=_unb64(salt), n=int(n), r=int(r), p=int(p),
                             dklen=len(_unb64(digest)))
    except (ValueError, TypeError):
        return False
    return hmac.compare_digest(got, _unb64(digest))


def load_secret(settings: Settings) -> bytes:
    """The signing key: from settings, else created once in var/secret_key (mode 600)."""
    if settings.secret_key:
        return settings.secret_key.encode("utf-8")
    path: Path = settings.var_dir / "secret_key"
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return path.read_bytes().strip()
    key = secrets.token_hex(32).encode()
    with os.fdopen(fd, "wb") as fh:
        fh.write(key)
    return key


class Signer:
    """Signs the session payload (JSON) with HMAC-SHA256; the cookie holds no secret but the CSRF token."""

    def __init__(self, key: bytes, max_age_s: float) -> None:
        self._key = hashlib.sha256(b"dfh-session|" + key).digest()
        self.max_age_s = max_age_s

    def dumps(self, payload: dict[str, Any]) -> str:
        body = _b64(json.dumps(payload, separators=(",", ":")).encode())
        return f"{body}.{self._sign(body)}"

    def loads(self, value: str) -> dict[str, Any] | None:
        body, _, sig = value.partition(".")
        if not body or not hmac.compare_digest(sig, self._sign(body)):
            return None
        try:
            payload = json.loads(_unb64(body))
        except ValueError:
            return None
        if not isinstance(payload, dict) or time.time() - float(payload.get("t", 0)) > self.max_age_s:
            return None
        return payload

    def _sign(self, body: str) -> str:
        return _b64(hmac.new(self._key, body.encode(), hashlib.sha256).digest())


def new_session(user_id: int | None = None, version: int = 0) -> dict[str, Any]:
    return {"u": user_id, "v": version, "c": secrets.token_urlsafe(24), "t": time.time()}


def csrf_ok(session: dict[str, Any], token: str | None) -> bool:
    return bool(token) and hmac.compare_digest(str(session.get("c", "")), str(token))


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


# Checked against when the user name is unknown, so a wrong name costs as long as a wrong password.
DUMMY_HASH = hash_password(secrets.token_hex(8))
