"""`assistant --bureau KEY`: the bureau every knowledge-base and draft command works on.

The choice lives in a context variable that is reset when the invocation's context closes,
so one invocation never inherits the bureau of an earlier one (CliRunner runs many in one process).
"""

from __future__ import annotations

from contextvars import ContextVar
from typing import TYPE_CHECKING, Annotated

import typer
from rich.console import Console
from rich.markup import escape

from assistant.bureaus import BureauError, Bureaus, load_bureaus, settings_for
from assistant.settings import Settings

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

console = Console(stderr=True, soft_wrap=True)
BUREAU_EXIT = 2
_selected: ContextVar[str] = ContextVar("assistant_bureau", default="")


def _fail(message: str) -> typer.Exit:
    console.print(f"[red]{escape(message)}[/red]", highlight=False)
    return typer.Exit(BUREAU_EXIT)


def _bureaus(settings: Settings) -> Bureaus:
    try:
        return load_bureaus(settings)
    except BureauError as err:
        raise _fail(str(err)) from err


def load_or_exit(settings: Settings) -> Bureaus:
    """The bureaus of ``settings``; a bad bureaus file exits 2 with the reason."""
    return _bureaus(settings)


def options(
    ctx: typer.Context,
    bureau: Annotated[str, typer.Option(
        "--bureau", envvar="ASSISTANT_BUREAU", metavar="KEY",
        help="Bureau (key from ASSISTANT_BUREAUS_FILE) for ingest, search, show, list, delete, stats, check, draft, "
             "eval run, user create and user list; serve always serves every bureau")] = "",
) -> None:
    """Check the bureaus file and the chosen key before any command runs."""
    bureaus = _bureaus(Settings())
    if bureau:
        try:
            bureaus.require(bureau)
        except BureauError as err:
            raise _fail(str(err)) from err
    token = _selected.set(bureau.strip())
    ctx.call_on_close(lambda: _selected.reset(token))


def selected() -> str:
    """The key given with --bureau / ASSISTANT_BUREAU in this invocation ('' when none)."""
    return _selected.get()


def cli_settings() -> Settings:
    """The Settings of the selected bureau; the one code path every KB and draft command takes."""
    settings = Settings()
    bureaus = _bureaus(settings)
    key = selected()
    if not key:
        if len(bureaus.items) > 1:
            # Guessing would put documents into the wrong bureau's knowledge base.
            raise _fail(f"配置了多个单位，请用 --bureau 指定（或设置 ASSISTANT_BUREAU）：{bureaus.listing()}")
        key = bureaus.items[0].key
    try:
        return settings_for(settings, key, bureaus)
    except BureauError as err:
        raise _fail(str(err)) from err


def selected_key() -> str | None:
    """The key of the bureau chosen with --bureau (its full name is accepted there too); None when none was."""
    if not selected():
        return None
    bureaus = _bureaus(Settings())
    try:
        return bureaus.require(selected()).key
    except BureauError as err:
        raise _fail(str(err)) from err


def user_bureau(given: str | None) -> str:
    """The bureau key for `assistant user create`: --bureau of the command, else the global one.

    Checked against the bureaus table by the caller (a key from the bureaus file, or one kept from
    older accounts); here only the choice is made, refusing to guess among several bureaus.
    """
    if given is not None and given.strip():
        return given.strip()
    key = selected_key()
    if key is not None:
        return key
    bureaus = _bureaus(Settings())
    if len(bureaus.items) > 1:
        raise _fail(f"配置了多个单位，请用 --bureau 指定新用户的单位：{bureaus.listing()}")
    return bureaus.items[0].key


def bureau_id(db: Session, key: str) -> int:
    """The id of the active bureau ``key`` in the app database; exits 2 listing the keys when there is none."""
    from assistant.web.services import bureaus as svc_bureaus

    row = svc_bureaus.by_key(db, key)
    if row is None or not row.active:
        raise _fail(f"未配置单位“{key}”；可选：{svc_bureaus.listing(svc_bureaus.active(db))}")
    return row.id
