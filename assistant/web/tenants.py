"""Per-bureau knowledge bases and drafters for the web app, opened on first use and kept.

Every knowledge-base read or write and every draft generation goes through a :class:`Tenant`,
resolved from the logged-in user's ``bureau`` (or, for an admin, a ``bureau`` parameter), so a
user never reaches another bureau's documents. Without a bureaus file there is one tenant and
the app behaves exactly as before: every account shares the one knowledge base, and drafts stay
separated by the ``bureau`` text stored on each account.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from typing import TYPE_CHECKING

from assistant.bureaus import Bureau, BureauError, Bureaus, settings_for
from assistant.settings import Settings
from assistant.web.orm import User
from assistant.web.services.errors import ServiceError

if TYPE_CHECKING:
    from assistant.drafting import Drafter
    from vectorstore.kb import KnowledgeBase


@dataclass(frozen=True)
class Tenant:
    key: str
    name: str
    settings: Settings
    # Stored ``bureau`` values (users, drafts) that belong to this bureau; None: every value
    # (single-bureau deployment, where the knowledge base is shared by all accounts).
    members: tuple[str, ...] | None

    def draft_scope(self, user: User) -> tuple[str, ...]:
        """The ``drafts.bureau`` values ``user`` may see (admins are not limited by callers)."""
        return self.members if self.members is not None else (user.bureau,)

    def stamp(self, user: User) -> str:
        """The ``bureau`` written on a draft ``user`` creates in this tenant."""
        return self.key if self.members is not None else user.bureau

    def owns(self, stored: str) -> bool:
        return self.members is None or stored in self.members


class Tenants:
    def __init__(self, settings: Settings, bureaus: Bureaus) -> None:
        self.settings = settings
        self.bureaus = bureaus
        self._tenants = {b.key: self._make(b) for b in bureaus.items}
        self._lock = threading.Lock()
        self._open_locks: dict[str, threading.Lock] = {}
        self._write_locks: dict[str, threading.Lock] = {}
        self._kbs: dict[str, KnowledgeBase] = {}
        self._drafters: dict[str, Drafter] = {}

    def provide(self, kb: KnowledgeBase | None, drafter: Drafter | None) -> None:
        """Ready-made services for the first bureau (tests pass their own)."""
        first = self.bureaus.items[0].key
        if kb is not None:
            self._kbs[first] = kb
        if drafter is not None:
            self._drafters[first] = drafter

    def _make(self, bureau: Bureau) -> Tenant:
        members = self.bureaus.aliases(bureau) if self.bureaus.configured else None
        return Tenant(bureau.key, bureau.name, settings_for(self.settings, bureau.key, self.bureaus), members)

    @property
    def several(self) -> bool:
        return len(self.bureaus.items) > 1

    def choices(self) -> list[tuple[str, str]]:
        return [(b.key, b.name) for b in self.bureaus.items]

    def default(self) -> Tenant:
        return self._tenants[self.bureaus.items[0].key]

    def find(self, stored: str) -> Tenant | None:
        """The tenant a stored ``bureau`` value (a key, or a full name) belongs to."""
        if not self.bureaus.configured:
            return self.default()
        bureau = self.bureaus.resolve(stored)
        return self._tenants[bureau.key] if bureau else None

    def for_user(self, user: User) -> Tenant:
        tenant = self.find(user.bureau)
        if tenant is None:
            if user.role == "admin":
                return self.default()  # an admin can still reach every bureau, and fix the account
            raise ServiceError(f"您所属的单位“{user.bureau or '（未填写）'}”未在本系统配置，无法使用知识库和草稿；"
                               "请联系管理员。", 403)
        return tenant

    def chosen(self, user: User, key: str) -> Tenant:
        """An admin's ``bureau`` parameter picks the tenant; everyone else always gets their own."""
        if user.role != "admin" or not key.strip():
            return self.for_user(user)
        try:
            bureau = self.bureaus.require(key)
        except BureauError as err:
            raise ServiceError(str(err), 422) from err
        return self._tenants[bureau.key]

    def for_record(self, stored: str) -> Tenant:
        tenant = self.find(stored)
        if tenant is None:
            raise ServiceError(f"这份草稿所属的单位“{stored}”未在本系统配置。", 409)
        return tenant

    def assign(self, value: str | None, default: str) -> str:
        try:
            return self.bureaus.assign(value, default)
        except BureauError as err:
            raise ServiceError(str(err), 422) from err

    def _open_lock(self, key: str) -> threading.Lock:
        with self._lock:
            return self._open_locks.setdefault(key, threading.Lock())

    def kb(self, tenant: Tenant) -> KnowledgeBase:
        found = self._kbs.get(tenant.key)
        if found is not None:
            return found
        # One lock per bureau: opening one bureau's index (a Chroma server round trip, a model load)
        # must not hold up requests of the others, and two requests must not open it twice.
        with self._open_lock(tenant.key):
            if tenant.key not in self._kbs:
                from assistant.services import open_kb

                try:
                    self._kbs[tenant.key] = open_kb(tenant.settings)
                except Exception as err:
                    raise ServiceError(f"“{tenant.name}”的知识库无法打开：{err}", 503) from err
            return self._kbs[tenant.key]

    def drafter(self, tenant: Tenant) -> Drafter:
        found = self._drafters.get(tenant.key)
        if found is not None:
            return found
        kb = self.kb(tenant)
        with self._open_lock(tenant.key):
            if tenant.key not in self._drafters:
                from assistant.drafting import Drafter

                self._drafters[tenant.key] = Drafter(tenant.settings, kb)
            return self._drafters[tenant.key]

    def write_lock(self, tenant: Tenant) -> threading.Lock:
        """Ingest and delete rewrite a bureau's indexes: one at a time per bureau."""
        with self._lock:
            return self._write_locks.setdefault(tenant.key, threading.Lock())

    def display_name(self, user: User | None) -> str:
        if user is None:
            return "" if self.bureaus.configured else self.settings.bureau_name
        tenant = self.find(user.bureau)
        if tenant is not None and self.bureaus.configured:
            return tenant.name
        return user.bureau or self.settings.bureau_name
