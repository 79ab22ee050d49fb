"""The `assistant` command line.

Commands of packages that build on the assistant (evaluation) come in through
the ``assistant.cli`` entry-point group, so this package never imports them.
"""

from __future__ import annotations

from importlib.metadata import entry_points

import typer

from assistant import cli_bureau, cli_draft, cli_kb, cli_parse, cli_web

app = typer.Typer(no_args_is_help=True, add_completion=False, rich_markup_mode=None, help="答复函助手: knowledge base, drafting, web app, evaluation")
app.callback()(cli_bureau.options)
cli_kb.register(app)
cli_draft.register(app)
cli_parse.register(app)
cli_web.register(app)
for _ep in entry_points(group="assistant.cli"):
    _ep.load()(app)


def main() -> None:
    app()


if __name__ == "__main__":
    main()
