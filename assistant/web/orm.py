"""Tables of the app database. The schema itself is created by the Alembic migrations."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import Column, ForeignKey, Integer, String, Table, Text, UniqueConstraint
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship


def utcnow() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)


class Base(DeclarativeBase):
    pass


class BureauRecord(Base):
    """A bureau (tenant) of the deployment; users, drafts and ingest jobs belong to one by foreign key.

    Synced from the bureaus file at start (see ``services.bureaus.sync``): the file says what a bureau is
    called and how it writes, this table is what every row points at. ``active`` is False for a bureau
    that left the file but still has rows; it is kept (never deleted under its users) and serves no one.
    """

    __tablename__ = "bureaus"

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(32), unique=True)
    name: Mapped[str] = mapped_column(String(128))
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class User(Base):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(64), unique=True)
    display_name: Mapped[str] = mapped_column(String(64), default="")
    role: Mapped[str] = mapped_column(String(16))  # drafter | reviewer | admin
    bureau_id: Mapped[int] = mapped_column(ForeignKey("bureaus.id", ondelete="RESTRICT"), index=True)
    password_hash: Mapped[str] = mapped_column(String(256))
    active: Mapped[bool] = mapped_column(default=True)
    # Bumped on a password change so that older session cookies stop working.
    session_version: Mapped[int] = mapped_column(Integer, default=1)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    bureau: Mapped[BureauRecord] = relationship(lazy="joined")

    @property
    def label(self) -> str:
        return self.display_name or self.username


# Colleagues assigned to co-edit a draft (协办人).
draft_editors = Table(
    "draft_editors", Base.metadata,
    Column("draft_id", ForeignKey("drafts.id", ondelete="CASCADE"), primary_key=True),
    Column("user_id", ForeignKey("users.id", ondelete="CASCADE"), primary_key=True, index=True),
)


class DraftRecord(Base):
    __tablename__ = "drafts"

    id: Mapped[int] = mapped_column(primary_key=True)
    bureau_id: Mapped[int] = mapped_column(ForeignKey("bureaus.id", ondelete="RESTRICT"), index=True)
    title: Mapped[str] = mapped_column(Text, default="")
    number: Mapped[str] = mapped_column(String(64), default="", index=True)
    session: Mapped[str] = mapped_column(String(128), default="")
    proposer: Mapped[str] = mapped_column(String(128), default="")
    author_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    # Who answers for the draft (负责人): its author until an admin hands it to someone else.
    owner_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    current_version: Mapped[int] = mapped_column(Integer, default=1)
    review_status: Mapped[str] = mapped_column(String(16), default="pending", index=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)

    bureau: Mapped[BureauRecord] = relationship(lazy="joined")
    author: Mapped[User] = relationship(lazy="joined", foreign_keys=[author_id])
    owner: Mapped[User] = relationship(lazy="joined", foreign_keys=[owner_id])
    # Colleagues assigned to edit it too (协办人).
    editors: Mapped[list[User]] = relationship(secondary=draft_editors, lazy="selectin",
                                               order_by=lambda: User.id)
    versions: Mapped[list[DraftVersion]] = relationship(
        back_populates="draft", order_by="DraftVersion.number", cascade="all, delete-orphan"
    )


class DraftVersion(Base):
    __tablename__ = "draft_versions"
    __table_args__ = (UniqueConstraint("draft_id", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    draft_id: Mapped[int] = mapped_column(ForeignKey("drafts.id", ondelete="CASCADE"), index=True)
    number: Mapped[int] = mapped_column(Integer)
    data: Mapped[str] = mapped_column(Text)  # the full Draft JSON
    note: Mapped[str] = mapped_column(String(128), default="")
    editor_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    draft: Mapped[DraftRecord] = relationship(back_populates="versions")
    editor: Mapped[User] = relationship(lazy="joined")


class CitationReview(Base):
    """The latest decision on one cited passage; keyed by the passage so it survives re-numbering."""

    __tablename__ = "reviews"
    __table_args__ = (UniqueConstraint("draft_id", "source_key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    draft_id: Mapped[int] = mapped_column(ForeignKey("drafts.id", ondelete="CASCADE"), index=True)
    source_key: Mapped[str] = mapped_column(String(256))
    decision: Mapped[str] = mapped_column(String(16))  # accepted | rejected
    comment: Mapped[str] = mapped_column(Text, default="")
    reviewer_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)

    reviewer: Mapped[User] = relationship(lazy="joined")


class ReviewEvent(Base):
    """The trail: every decision and every new version, never updated or deleted."""

    __tablename__ = "review_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    draft_id: Mapped[int] = mapped_column(ForeignKey("drafts.id", ondelete="CASCADE"), index=True)
    version: Mapped[int] = mapped_column(Integer)
    actor_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    action: Mapped[str] = mapped_column(String(32))  # created | edited | restored | accepted | rejected
    source_id: Mapped[int | None] = mapped_column(Integer, nullable=True)
    source_key: Mapped[str] = mapped_column(String(256), default="")
    comment: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    actor: Mapped[User] = relationship(lazy="joined")


class IngestJob(Base):
    """A knowledge-base upload being ingested; kept in the database so any worker can report on it."""

    __tablename__ = "ingest_jobs"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    # The bureau whose knowledge base the upload fills: an admin may upload into another bureau than their own.
    bureau_id: Mapped[int] = mapped_column(ForeignKey("bureaus.id", ondelete="RESTRICT"), index=True)
    status: Mapped[str] = mapped_column(String(16), default="queued")  # queued | running | done | failed | interrupted
    stage: Mapped[str] = mapped_column(String(32), default="")
    done: Mapped[int] = mapped_column(Integer, default=0)
    total: Mapped[int] = mapped_column(Integer, default=0)
    files: Mapped[str] = mapped_column(Text, default="[]")  # JSON list of {name, status, doc_id, reason}
    error: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    finished_at: Mapped[datetime | None] = mapped_column(nullable=True)

    user: Mapped[User] = relationship(lazy="joined")
    bureau: Mapped[BureauRecord] = relationship(lazy="joined")


class LoginSession(Base):
    """A login, held server-side so that logging out ends it even if someone kept the cookie."""

    __tablename__ = "login_sessions"

    # SHA-256 of the random id in the cookie: a copy of the database does not hand out live sessions.
    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_seen: Mapped[datetime] = mapped_column(default=utcnow)


class LoginThrottle(Base):
    """Failed logins per account name and per client address; in the database so every worker agrees."""

    __tablename__ = "login_throttle"

    key: Mapped[str] = mapped_column(String(200), primary_key=True)  # "user:<name>" | "addr:<ip>"
    failures: Mapped[int] = mapped_column(Integer, default=0)
    last_failure_at: Mapped[datetime] = mapped_column(default=utcnow)
    locked_until: Mapped[datetime | None] = mapped_column(nullable=True)
