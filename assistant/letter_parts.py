"""The fixed parts of a reply letter (title, salutation, opening, closing, …) from templates/letter/*.j2.

Everything here is derived from the proposal and the options only. A missing fact becomes the visible
placeholder 【请填写】 so a reviewer sees the gap; nothing is guessed.
"""

from __future__ import annotations

import re
from datetime import date, datetime
from functools import lru_cache
from typing import Any

from jinja2 import Environment, FileSystemLoader, StrictUndefined

from assistant.models import PLACEHOLDER, DraftOptions, Proposal, ProposerType
from assistant.resources import resource_dir

TEMPLATES = resource_dir("templates")

PART_NAMES = (
    "title", "salutation", "opening", "closing", "signature", "date", "contact", "category", "disclosure",
)

# Words that only occur in the names of organisations (democratic parties, CPPCC committees, people's
# organisations); a proposer of unknown type whose name carries one is answered as a body (贵单位).
_BODY_MARKERS = (
    "委员会", "市委", "区委", "县委", "省委", "民革", "民盟", "民建", "民进", "农工党", "致公党", "九三学社",
    "台盟", "工商联", "界别", "小组", "协会", "学会", "联合会", "总工会", "妇联", "科协", "支部", "党组",
)
_HONORIFIC = {"member": "委员", "deputy": "代表", "body": ""}
# Whitespace is not a separator: two-character names are often padded (王  芳) in lists of members.
_NAME_SEPARATORS = re.compile(r"[、，,;；/]")


@lru_cache(maxsize=1)
def _env() -> Environment:
    # Plain text, not HTML: escaping here would put &lt; into the letter. HTML output escapes later.
    return Environment(
        loader=FileSystemLoader(str(TEMPLATES)), autoescape=False, undefined=StrictUndefined,
        keep_trailing_newline=False,
    )


def _render(name: str, **context: Any) -> str:
    return _env().get_template(f"letter/{name}.j2").render(**context).strip()


def parse_iso_date(value: str) -> date | None:
    """The date in an ISO string (``2024-07-09``, ``20240709`` or a datetime), or None when unreadable."""
    text = value.strip()
    if not text:
        return None
    try:
        return datetime.fromisoformat(text).date() if "T" in text else date.fromisoformat(text)
    except ValueError:
        return None


def chinese_date(value: date) -> str:
    """``2024年7月9日``: year in full, month and day without leading zeros, as GB/T 9704 wants."""
    return _render("date", year=value.year, month=value.month, day=value.day)


def month_day(value: str) -> str:
    """``7月19日`` from an ISO date, or the placeholder when it is missing or unreadable."""
    parsed = parse_iso_date(value)
    return f"{parsed.month}月{parsed.day}日" if parsed else PLACEHOLDER


def clean_title(title: str) -> str:
    """A proposal title without the book-title marks users often type around it.

    Inner 《》 become 〈〉, since a title quoted inside 《》 takes single marks in Chinese typography.
    """
    text = title.strip()
    while text.startswith("《") and text.endswith("》"):
        text = text[1:-1].strip()
    return text.replace("《", "〈").replace("》", "〉")


def clean_number(number: str) -> str:
    """The bare number: users type 第114号, 114号 or ＃114 as often as 114."""
    return number.strip().removeprefix("第").removesuffix("号").strip().lstrip("#＃").strip()


def proposer_names(proposer: str) -> tuple[list[str], bool]:
    """Names of the proposers without honorifics, and whether the list ends with 等 (and others)."""
    text = proposer.strip().rstrip("：:")
    with_others = False
    for _ in range(2):
        # Users write both 张三等委员 and 张三委员等.
        if text.endswith("等"):
            text, with_others = text[:-1], True
        text = _strip_honorific(text)
    names = ["".join(_strip_honorific(n).split()) for n in _NAME_SEPARATORS.split(text)]
    return [n for n in names if n], with_others


def _strip_honorific(name: str) -> str:
    for honorific in ("委员", "代表"):
        if name.endswith(honorific) and len(name) > len(honorific):
            return name[: -len(honorific)]
    return name


def resolve_proposer_type(proposal: Proposal) -> ProposerType:
    """The proposer type, inferred when the proposal says ``unknown``.

    Organisations are recognised by their name; otherwise a 建议 comes from an NPC deputy and a 提案 from a
    CPPCC member, which is who submits each of them.
    """
    if proposal.proposer_type != "unknown":
        return proposal.proposer_type
    if any(marker in proposal.proposer for marker in _BODY_MARKERS):
        return "body"
    return "deputy" if proposal.kind == "suggestion" else "member"


def _addressee(proposal: Proposal) -> tuple[str, str, str, str]:
    """(name, honorific, 等 mark, pronoun) for the salutation and the sentences that address the proposer."""
    kind = resolve_proposer_type(proposal)
    raw = proposal.proposer.strip()
    if not raw:
        return PLACEHOLDER, "", "", "贵单位" if kind == "body" else "您"
    if kind == "body":
        return raw.rstrip("：:"), "", "", "贵单位"
    names, with_others = proposer_names(raw)
    if not names:
        return PLACEHOLDER, "", "", "您"
    several = len(names) > 1 or with_others
    return "、".join(names), _HONORIFIC[kind], "等" if with_others else "", "你们" if several else "您"


def _filled(value: str) -> str:
    return value.strip() or PLACEHOLDER


def fixed_parts(proposal: Proposal, options: DraftOptions, *, today: date | None = None,
                session: str | None = None) -> dict[str, str]:
    """The letter's fixed parts, keyed by ``PART_NAMES``.

    ``options`` must already carry the bureau profile (bureau_name, bureau_short, city_short, region);
    empty ones show as placeholders. ``today`` dates the letter when ``options.reply_date`` is empty;
    ``session`` is the proposal's session as the bureau writes it (default: as the proposal gives it).
    """
    name, honorific, plural_mark, you = _addressee(proposal)
    number = _filled(clean_number(proposal.number))
    bureau_name = _filled(options.bureau_name)
    if options.reply_date.strip():
        reply = parse_iso_date(options.reply_date)
        letter_date = chinese_date(reply) if reply else PLACEHOLDER
    else:
        letter_date = chinese_date(today or date.today())
    communication = options.communication.strip().removeprefix("进行了").removeprefix("进行")
    return {
        "title": _render(
            "title", bureau_name=bureau_name, session=_filled(proposal.session if session is None else session),
            number=number,
            kind_word="建议" if proposal.kind == "suggestion" else "提案",
        ),
        "salutation": _render("salutation", proposer=name, honorific=honorific, plural_mark=plural_mark),
        "opening": _render(
            "opening", you=you, title=_filled(clean_title(proposal.title)), number=number,
            bureau_short=_filled(options.bureau_short),
            co_handlers=[h.strip() for h in options.co_handlers if h.strip()],
            communication=communication, communication_date=month_day(options.communication_date),
        ),
        "closing": _render("closing", you=you, city_short=_filled(options.city_short)),
        "signature": _render("signature", bureau_name=bureau_name),
        "date": letter_date,
        "contact": _render(
            "contact", person=_filled(options.contact_person), phone=_filled(options.contact_phone),
        ),
        "category": _render("category", category=options.category or ""),
        "disclosure": _render("disclosure", disclosure=options.disclosure),
    }
