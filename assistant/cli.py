"""The `assistant` command line."""

from __future__ import annotations

import typer

from assistant import cli_kb

app = typer.Typer(no_args_is_help=True, add_completion=False, help="答复函助手: knowledge base, drafting, web app, evaluation")
cli_kb.register(app)


def main() -> None:
    app()
