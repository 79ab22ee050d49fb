"""`assistant parse`: what the reader recovered from a proposal, to check before drafting."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.markup import escape

from assistant.models import Proposal
from assistant.proposal import ProposalError, load_proposal, parse_proposal

console = Console(stderr=True, soft_wrap=True)

PROPOSER_TYPES = {"member": "政协委员", "deputy": "人大代表", "body": "单位/党派/专委会", "unknown": "未确定"}
KINDS = {"proposal": "提案（政协）", "suggestion": "建议（人大）"}
MISSING = "（未识别）"


def parse(
    proposal: Annotated[str, typer.Argument(help="Proposal file (.txt/.md/.docx/.json), or - to read text from stdin")],
    as_json: Annotated[bool, typer.Option("--json", help="Print the recovered proposal as JSON")] = False,
) -> None:
    """Show what was read from a proposal (title, number, proposer, suggestions, warnings) without drafting."""
    try:
        parsed = parse_proposal(sys.stdin.read()) if proposal == "-" else load_proposal(Path(proposal))
    except ProposalError as err:
        console.print(f"[red]提案无法读取[/red]：{escape(str(err))}")
        raise typer.Exit(2) from err
    if as_json:
        typer.echo(json.dumps(parsed.model_dump(), ensure_ascii=False, indent=2))
        return
    typer.echo(render(parsed))


def render(p: Proposal) -> str:
    lines = [
        f"标题：{p.title or MISSING}",
        f"编号：{p.number or MISSING}",
        f"会议届次：{p.session or MISSING}",
        f"提出人：{p.proposer or MISSING}（{PROPOSER_TYPES[p.proposer_type]}）",
        f"类型：{KINDS[p.kind]}",
        f"提交日期：{p.date or MISSING}",
        f"建议（{len(p.suggestions)} 条）：",
        *(f"  {n}. {s}" for n, s in enumerate(p.suggestions, start=1)),
    ]
    if p.warnings:
        lines.append("请核对：")
        lines.extend(f"  - {w}" for w in p.warnings)
    return "\n".join(lines)


def register(app: typer.Typer) -> None:
    app.command()(parse)
