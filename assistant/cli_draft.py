"""`assistant draft`: a proposal in, a cited reply letter out (JSON, Markdown, .docx)."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.markup import escape

from assistant.cli_bureau import cli_settings
from assistant.models import DraftOptions
from assistant.proposal import ProposalError, load_proposal, parse_proposal
from assistant.services import open_kb

console = Console(stderr=True, soft_wrap=True)


def draft(
    proposal: Annotated[str, typer.Argument(help="Proposal file (.txt/.md/.docx/.json), or - to read text from stdin")],
    json_out: Annotated[Path | None, typer.Option("--json", help="Write the draft as JSON here")] = None,
    md_out: Annotated[Path | None, typer.Option("--md", help="Write Markdown (letter, sources, checks) here")] = None,
    docx_out: Annotated[Path | None, typer.Option(
        "--docx", help="Write the letter to send here (正式稿: GB/T 9704 layout, no [n] markers, no appendix)")] = None,
    review_docx_out: Annotated[Path | None, typer.Option(
        "--review-docx", help="Write the review copy here (审核稿: [n] markers, flagged sentences, sources appendix)")] = None,
    html_out: Annotated[Path | None, typer.Option("--html", help="Write a standalone HTML page here")] = None,
    reply_date: Annotated[str, typer.Option(help="Reply date YYYY-MM-DD; only sources dated on or before it are cited")] = "",
    layout: Annotated[str, typer.Option(help="thematic | per_suggestion")] = "thematic",
    category: Annotated[str, typer.Option(help="Answer category A, B or C")] = "",
    disclosure: Annotated[str, typer.Option(help="主动公开 | 依申请公开 | 不予公开")] = "主动公开",
    contact_person: Annotated[str, typer.Option(help="Contact person")] = "",
    contact_phone: Annotated[str, typer.Option(help="Contact phone")] = "",
    co_handler: Annotated[list[str] | None, typer.Option(help="Co-handling unit (会办单位); repeatable")] = None,
    communication: Annotated[str, typer.Option(help="How the proposer was consulted, e.g. 电话沟通")] = "",
    communication_date: Annotated[str, typer.Option(help="Date of that communication, YYYY-MM-DD")] = "",
    engine: Annotated[str, typer.Option(help="compose (offline, default) | llm")] = "compose",
    exclude: Annotated[list[str] | None, typer.Option(help="Document id never to cite; repeatable")] = None,
    bureau_name: Annotated[str, typer.Option(help="Override the bureau's full name")] = "",
    region: Annotated[str, typer.Option(help="Override the bureau's region")] = "",
) -> None:
    """Draft a reply letter with verified citations; prints the letter with [n] markers."""
    try:
        parsed = parse_proposal(sys.stdin.read()) if proposal == "-" else load_proposal(Path(proposal))
    except ProposalError as err:
        console.print(f"[red]提案无法读取[/red]: {err}")
        raise typer.Exit(2) from err
    for w in parsed.warnings:
        console.print(f"[yellow]提案解析提示[/yellow]: {escape(w)}（可先用 assistant parse 核对）")
    try:
        options = DraftOptions(
            reply_date=reply_date, layout=layout, category=category or None, disclosure=disclosure,  # type: ignore[arg-type]
            contact_person=contact_person, contact_phone=contact_phone, co_handlers=co_handler or [],
            communication=communication, communication_date=communication_date, engine=engine,  # type: ignore[arg-type]
            exclude_doc_ids=exclude or [], bureau_name=bureau_name, region=region,
        )
    except ValueError as err:
        console.print(f"[red]选项有误[/red]: {err}")
        raise typer.Exit(2) from err
    from assistant.drafting import Drafter

    settings = cli_settings()
    result = Drafter(settings, open_kb(settings)).draft(parsed, options)
    from assistant.render import to_docx, to_html, to_markdown

    if json_out:
        json_out.write_text(json.dumps(result.model_dump(), ensure_ascii=False, indent=2), encoding="utf-8")
    if md_out:
        md_out.write_text(to_markdown(result), encoding="utf-8")
    if html_out:
        html_out.write_text(to_html(result), encoding="utf-8")
    if docx_out:
        docx_out.write_bytes(to_docx(result, "letter"))
    if review_docx_out:
        review_docx_out.write_bytes(to_docx(result, "review"))
    typer.echo(result.text)
    c = result.checks
    console.print(
        f"核查：结构{'完整' if c.structure else '缺：' + '、'.join(c.structure_missing)}；引用有效 {c.citations_valid:.0%}；"
        f"数字可溯 {c.numbers_traceable:.0%}；建议覆盖 {sum(c.coverage)}/{len(c.coverage)}；"
        f"属地{'无误' if c.jurisdiction else '有误'}；需复核句子 {c.flagged_sentences}"
    )
    for w in result.warnings:
        console.print(f"[yellow]提示[/yellow]: {w}")


def register(app: typer.Typer) -> None:
    app.command()(draft)
