"""Web-app commands: `serve`, and `user create|list|passwd` for accounts."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from assistant.settings import Settings

console = Console(stderr=True)
user_app = typer.Typer(no_args_is_help=True, help="Web-app accounts (roles: drafter, reviewer, admin)")


def serve(
    host: Annotated[str | None, typer.Option(help="Address to listen on (default: ASSISTANT_HOST)")] = None,
    port: Annotated[int | None, typer.Option(help="Port (default: ASSISTANT_PORT)")] = None,
    workers: Annotated[int | None, typer.Option(help="Worker processes (default: ASSISTANT_WORKERS)")] = None,
    reload: Annotated[bool, typer.Option(help="Restart on code changes (development)")] = False,
) -> None:
    """Run the web app with uvicorn; on the first start, creates the admin account and prints its password."""
    import uvicorn

    from assistant.web.app import announce_admin, prepare

    settings = Settings()
    # Migrate and make the first admin here, once, before any worker starts racing for it.
    _, password = prepare(settings)
    if password:
        announce_admin(settings, password)
    h, p = host or settings.host, port or settings.port
    console.print(f"答复函助手：http://{h}:{p}/  （API 说明：/api/openapi.json）")
    uvicorn.run("assistant.web.app:create_app", factory=True, host=h, port=p,
                workers=workers or settings.workers, reload=reload, proxy_headers=True)


def _sessions():  # type: ignore[no-untyped-def]
    from assistant.cli_bureau import load_or_exit
    from assistant.web.services.bureaus import open_database

    settings = Settings()
    # Migrated and the bureaus table synced from the file, as at the app's start: a key just added works.
    factory, _ = open_database(settings, load_or_exit(settings))
    return factory, settings


def _password(given: str | None) -> str:
    if given:
        return given
    value: str = typer.prompt("密码", hide_input=True, confirmation_prompt=True)
    return value


@user_app.command("create")
def user_create(
    name: Annotated[str, typer.Argument(help="User name (letters, digits, _ . -)")],
    role: Annotated[str, typer.Option(help="drafter | reviewer | admin")] = "drafter",
    password: Annotated[str | None, typer.Option(help="Password (prompted for when omitted)")] = None,
    display_name: Annotated[str, typer.Option(help="Name shown in the app")] = "",
    bureau: Annotated[str | None, typer.Option(
        help="Bureau key (from ASSISTANT_BUREAUS_FILE); default: the global --bureau, else the only bureau")] = None,
) -> None:
    """Create a user."""
    from assistant.cli_bureau import bureau_id, user_bureau
    from assistant.web.services.errors import ServiceError
    from assistant.web.services.users import create_user

    key = user_bureau(bureau)
    factory, _ = _sessions()
    with factory() as db:
        target = bureau_id(db, key)
        try:
            user = create_user(db, name, role, _password(password), target, display_name)
        except ServiceError as err:
            console.print(f"[red]{err}[/red]")
            raise typer.Exit(1) from err
    console.print(f"已创建用户 {user.username}（{user.role}）")


@user_app.command("list")
def user_list() -> None:
    """List users (only the bureau's when --bureau is given)."""
    from assistant.cli_bureau import selected_key
    from assistant.web.services.users import list_users

    key = selected_key()
    factory, _ = _sessions()
    table = Table("id", "用户名", "姓名", "角色", "单位", "状态", "创建时间")
    with factory() as db:
        for u in list_users(db):
            if key is not None and u.bureau.key != key:
                continue
            table.add_row(str(u.id), u.username, u.display_name, u.role, f"{u.bureau.name}（{u.bureau.key}）",
                          "启用" if u.active else "停用",
                          u.created_at.strftime("%Y-%m-%d %H:%M"))
    Console().print(table)


@user_app.command("passwd")
def user_passwd(
    name: Annotated[str, typer.Argument(help="User name")],
    password: Annotated[str | None, typer.Option(help="New password (prompted for when omitted)")] = None,
) -> None:
    """Set a user's password (and log out their open sessions)."""
    from assistant.web.services.errors import ServiceError
    from assistant.web.services.users import by_name, update_user

    factory, _ = _sessions()
    with factory() as db:
        try:
            update_user(db, by_name(db, name), password=_password(password))
        except ServiceError as err:
            console.print(f"[red]{err}[/red]")
            raise typer.Exit(1) from err
    console.print(f"已更新 {name} 的密码")


def register(app: typer.Typer) -> None:
    app.command()(serve)
    app.add_typer(user_app, name="user")
