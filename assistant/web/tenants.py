"""Per-bureau knowledge bases and drafters for the web app, opened on first use and kept.

Every knowledge-base read or write and every draft generation goes through a :class:`Tenant`,
resolved from the logged-in user's bureau (a row of the ``bureaus`` table; for an admin, a
``bureau`` parameter naming another), so a user never reaches another bureau's documents. Drafts,
ingest jobs and users belong to a bureau by ``bureau_id``; scoping compares ids, never names.

With a bureaus file each configured bureau has its own knowledge base and letter profile. Without
one, the configured bureau is the table's only row on a new install; bureaus kept from older
free-text accounts work on the same one knowledge base, their drafts kept apart, as before.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from assistant.bureaus import Bureaus, settings_for
from assistant.settings import Settings
from assistant.web.orm import BureauRecord, DraftRecord, User
from assistant.web.services.errors import ServiceError

if TYPE_CHECKING:
    from assistant.drafting import Drafter
    from vectorstore.kb import KnowledgeBase


@dataclass(frozen=True)
class Tenant:
    bureau_id: int
    key: str
    name: str
    settings: Settings
    # Which knowledge base (and drafter, and write lock) the tenant works on: its own key with a bureaus
    # file; without one, every bureau shares the single configured knowledge base.
    kb_key: str


class Tenants:
    def __init__(self, settings: Settings, bureaus: Bureaus, rows: Iterable[BureauRecord]) -> None:
        self.settings = settings
        self.bureaus = bureaus
        self._shared = settings_for(settings, bureaus.items[0].key, bureaus) if not bureaus.configured else None
        self._lock = threading.Lock()
        self._by_id: dict[int, Tenant] = {}
        for row in rows:
            self.tenant(row)
        self._open_locks: dict[str, threading.Lock] = {}
        self._write_locks: dict[str, threading.Lock] = {}
        self._kbs: dict[str, KnowledgeBase] = {}
        self._drafters: dict[str, Drafter] = {}

    def provide(self, kb: KnowledgeBase | None, drafter: Drafter | None) -> None:
        """Ready-made services for the first bureau (tests pass their own)."""
        first = self.default().kb_key
        if kb is not None:
            self._kbs[first] = kb
        if drafter is not None:
            self._drafters[first] = drafter

    def _make(self, row: BureauRecord) -> Tenant | None:
        if not row.active:
            return None
        if self._shared is not None:
            return Tenant(row.id, row.key, row.name, self._shared, self.bureaus.items[0].key)
        bureau = self.bureaus.get(row.key)
        if bureau is None:
            return None
        return Tenant(row.id, bureau.key, bureau.name, settings_for(self.settings, bureau.key, self.bureaus),
                      bureau.key)

    def tenant(self, row: BureauRecord) -> Tenant | None:
        """The tenant serving bureau ``row``; None for a bureau this deployment does not serve (inactive)."""
        found = self._by_id.get(row.id)
        if found is None:
            found = self._make(row)
            if found is not None:
                with self._lock:
                    self._by_id[row.id] = found
        return found

    def _ordered(self) -> list[Tenant]:
        order = {key: i for i, key in enumerate(self.bureaus.keys())}
        return sorted(self._by_id.values(), key=lambda t: (order.get(t.key, len(order)), t.bureau_id))

    @property
    def several(self) -> bool:
        """Several knowledge bases to choose from (a bureaus file with more than one bureau)."""
        return self.bureaus.configured and len(self.bureaus.items) > 1

    def choices(self) -> list[tuple[str, str]]:
        return [(t.key, t.name) for t in self._ordered()]

    def listing(self) -> str:
        return "、".join(f"{key}（{name}）" for key, name in self.choices())

    def default(self) -> Tenant:
        first = self.bureaus.items[0].key
        found = next((t for t in self._by_id.values() if t.key == first), None)
        if found is None:
            raise RuntimeError(f"bureau {first} is missing from the bureaus table (not synced)")
        return found

    def by_key(self, key: str) -> Tenant | None:
        """The tenant whose key is exactly ``key``."""
        return next((t for t in self._by_id.values() if t.key == key), None)

    def find(self, value: str) -> Tenant | None:
        """The tenant a ``bureau`` parameter names: its key, or its full name."""
        value = value.strip()
        return self.by_key(value) or next((t for t in self._ordered() if t.name == value), None)

    def for_user(self, user: User) -> Tenant:
        tenant = self.tenant(user.bureau)
        if tenant is None:
            if user.role == "admin":
                return self.default()  # an admin can still reach every bureau, and fix the account
            raise ServiceError(f"您所属的单位“{user.bureau.name}”未在本系统配置，无法使用知识库和草稿；"
                               "请联系管理员。", 403)
        return tenant

    def chosen(self, user: User, key: str) -> Tenant:
        """An admin's ``bureau`` parameter picks the tenant; everyone else always gets their own."""
        if user.role != "admin" or not key.strip():
            return self.for_user(user)
        found = self.find(key)
        if found is None:
            raise ServiceError(f"未配置单位“{key.strip()}”；可选：{self.listing()}", 422)
        return found

    def for_record(self, record: DraftRecord) -> Tenant:
        tenant = self.tenant(record.bureau)
        if tenant is None:
            raise ServiceError(f"这份草稿所属的单位“{record.bureau.name}”未在本系统配置。", 409)
        return tenant

    def _open_lock(self, key: str) -> threading.Lock:
        with self._lock:
            return self._open_locks.setdefault(key, threading.Lock())

    def kb(self, tenant: Tenant) -> KnowledgeBase:
        key = tenant.kb_key
        found = self._kbs.get(key)
        if found is not None:
            return found
        # One lock per knowledge base: opening one bureau's index (a Chroma server round trip, a model load)
        # must not hold up requests of the others, and two requests must not open it twice.
        with self._open_lock(key):
            if key not in self._kbs:
                from assistant.services import open_kb

                try:
                    self._kbs[key] = open_kb(tenant.settings)
                except Exception as err:
                    raise ServiceError(f"“{tenant.name}”的知识库无法打开：{err}", 503) from err
            return self._kbs[key]

    def drafter(self, tenant: Tenant) -> Drafter:
        key = tenant.kb_key
        found = self._drafters.get(key)
        if found is not None:
            return found
        kb = self.kb(tenant)
        with self._open_lock(key):
            if key not in self._drafters:
                from assistant.drafting import Drafter

                self._drafters[key] = Drafter(tenant.settings, kb)
            return self._drafters[key]

    def write_lock(self, tenant: Tenant) -> threading.Lock:
        """Ingest and delete rewrite a knowledge base's indexes: one at a time per knowledge base."""
        with self._lock:
            return self._write_locks.setdefault(tenant.kb_key, threading.Lock())

    def display_name(self, user: User | None) -> str:
        if user is None:
            return "" if self.bureaus.configured else self.settings.bureau_name
        tenant = self.tenant(user.bureau)
        return tenant.name if tenant is not None else user.bureau.name
