"""Evaluation cases derived from the bureau's real replies: each reply is the gold answer to its own proposal.

The proposal is recovered from the reply itself (its acknowledgement, salutation and headings), because
the proposals are rarely published. A case file is JSONL, one case a line, meant to be read and corrected
by a person (the suggestions most of all) before a run.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path

from pydantic import BaseModel, Field

from assistant.models import DraftOptions, Proposal, ProposerType
from vectorstore.kb import doc_id_for
from vectorstore.metadata import classify_kind, load_manifest, region_of
from vectorstore.normalize import content_hash, normalize_text
from vectorstore.readers import SUPPORTED, ReadError, read_file
from vectorstore.reply import ReplyParts, parse_reply, parse_session_number
from vectorstore.types import DocMeta

_CO_HANDLING = re.compile(r"会办|协办")
_ITEM_MARKER = re.compile(r"^[（(][一二三四五六七八九十]+[）)]\s*")
_MANIFEST_TITLE = re.compile(r"^(关于(?!对).+?(?:提案|建议|意见))(?:[（(].*)?$")
_TITLE_PAREN = re.compile(r"[（(]((?:关于)[^（）()]*?(?:提案|建议|意见))[）)]")
_UNQUOTED_TITLE = re.compile(r"提出的\s*(关于.+?(?:提案|建议|意见))(?:已)?收悉")
_PAIRS = {"《": "》", "“": "”", "「": "」"}


class GoodFact(BaseModel):
    """A fact a good reply to suggestion ``suggestion`` states, with the passage of the archive it comes from."""

    suggestion: int
    fact: str = ""
    doc: str = Field(description="Document path relative to the manifest")
    quote: str = Field(description="Verbatim text of that document")
    role: str = "done"


class Never(BaseModel):
    """A sentence of the archive that is on the subject but must never appear in the reply's body."""

    doc: str
    text: str
    why: str = ""


class EvalCase(BaseModel):
    """One reply turned into a drafting task; ``gold_text`` is the reply as the knowledge base stores it.

    Cases from an annotated archive also carry the proposal as published (to score the parser), the facts a
    good reply states and the sentences it must never contain.
    """

    case_id: str
    gold_doc_id: str = Field(description="doc_id of the reply in the knowledge base; never citable in its own case")
    gold_date: str = Field(description="ISO date of the reply (YYYY-MM-DD, or coarser when only that is known)")
    proposal: Proposal
    options: DraftOptions
    gold_layout: str = ""
    gold_title: str = ""
    doc_source: str = Field("", description="Path of the reply file")
    source_key: str = Field("", description="Path relative to the manifest, as the knowledge base keys it")
    manifest: str = ""
    gold_text: str
    proposal_text: str = Field("", description="The proposal as published, when known (scores the parser)")
    good_facts: list[GoodFact] = Field(default_factory=list)
    never: list[Never] = Field(default_factory=list)


@dataclass
class BuildReport:
    cases: list[EvalCase] = field(default_factory=list)
    skipped: list[tuple[str, str]] = field(default_factory=list)  # (path, reason)
    not_replies: int = 0
    unlisted: int = 0

    def reasons(self) -> dict[str, int]:
        out: dict[str, int] = {}
        for _, reason in self.skipped:
            out[reason] = out.get(reason, 0) + 1
        return out


def day_before(iso: str) -> str:
    """The last day strictly before the period ``iso`` names (a day, a month or a year)."""
    parts = [int(p) for p in iso.split("-")]
    first = date(parts[0], parts[1] if len(parts) > 1 else 1, parts[2] if len(parts) > 2 else 1)
    return (first - timedelta(days=1)).isoformat()


def build_cases(corpus: list[Path], manifests: list[Path], bureau_name: str = "", region: str = "",
                max_file_bytes: int = 20 * 1024 * 1024) -> BuildReport:
    report = BuildReport()
    listed = [(m.parent.resolve(), m, load_manifest(m)) for m in manifests]
    # Deeper manifests win, as a more specific listing of the same file.
    listed.sort(key=lambda t: len(t[0].parts), reverse=True)
    hashes: dict[str, list[str]] = {}
    for path, root in _files(corpus):
        resolved = path.resolve()
        entry: tuple[DocMeta, bool] | None = None
        manifest: Path | None = None
        key = ""
        for base, mpath, entries in listed:
            try:
                rel = resolved.relative_to(base).as_posix()
            except ValueError:
                continue
            if rel in entries:
                entry, manifest, key = entries[rel], mpath, rel
                break
        if listed and entry is None:
            # A manifest-driven ingest leaves unlisted files out of the knowledge base; so do we.
            report.unlisted += 1
            continue
        if not key:
            key = resolved.relative_to(root.resolve()).as_posix() if root != path else path.name
        try:
            text = normalize_text(read_file(path, max_file_bytes))
        except ReadError as err:
            report.skipped.append((str(path), f"unreadable: {err}"))
            continue
        meta, explicit = entry if entry is not None else (DocMeta(), False)
        kind = meta.kind if explicit else classify_kind(text)
        if kind != "reply":
            report.not_replies += 1
            continue
        case = _case(text, path, key, manifest, meta, bureau_name, region)
        if isinstance(case, str):
            report.skipped.append((str(path), case))
            continue
        hashes.setdefault(content_hash(text), []).append(case.gold_doc_id)
        report.cases.append(case)
    for case in report.cases:
        # The same text listed twice is stored once, under whichever id came first: exclude both.
        twins = hashes.get(content_hash(case.gold_text), [])
        case.options.exclude_doc_ids = sorted({*case.options.exclude_doc_ids, *twins})
    return report


def _files(corpus: list[Path]) -> list[tuple[Path, Path]]:
    seen: set[Path] = set()
    out: list[tuple[Path, Path]] = []
    for root in corpus:
        found = sorted(root.rglob("*")) if root.is_dir() else [root]
        for f in found:
            if f.is_file() and f.suffix.lower() in SUPPORTED and not f.name.startswith(".") and f.resolve() not in seen:
                seen.add(f.resolve())
                out.append((f, root))
    return out


def _case(text: str, path: Path, key: str, manifest: Path | None, meta: DocMeta, bureau_name: str,
          region: str) -> EvalCase | str:
    """The case for one reply, or the reason it cannot be one."""
    parts = parse_reply(text)
    heading = parts.title.text if parts.title else ""
    ack = parts.acknowledgement.text if parts.acknowledgement else ""
    if _CO_HANDLING.search(heading) or _CO_HANDLING.search(meta.title) or "会办意见" in ack or "协办意见" in ack:
        return "co-handling opinion (会办/协办) sent to the lead unit, not a reply to the proposer"
    gold_date = _gold_date(meta.date, parts.date_iso)
    if not gold_date:
        return "no reply date (the run caps sources at the day before it)"
    try:
        reply_date = day_before(gold_date)
    except ValueError:
        return f"unusable reply date {gold_date!r}"
    title = proposal_title(ack) or _paren_title(heading) or _paren_title(meta.title) or _manifest_title(meta.title)
    suggestions = derive_suggestions(parts, text, title)
    if not title and not suggestions:
        return "no proposal title or suggestions found"
    session, number = parts.session, parts.number
    if not number and meta.proposal_number:
        session, number = parse_session_number(meta.proposal_number)
    proposer, ptype = proposer_of(parts.addressee)
    # Manifests put notes in brackets after names (issuer, region); the letter wants the bare name.
    issuer = re.sub(r"[（(].*$", "", meta.issuer).strip() or (parts.signature.text if parts.signature else "")
    meta_region = re.sub(r"[（(].*$", "", meta.region).strip()
    doc_id = doc_id_for(key)
    proposal = Proposal(
        title=title, number=number, session=session, proposer=proposer, proposer_type=ptype,
        kind=_kind(session, heading, ack, title, ptype), suggestions=suggestions,
    )
    options = DraftOptions(
        bureau_name=bureau_name or issuer, region=region or meta_region or region_of(issuer),
        reply_date=reply_date, layout="per_suggestion" if parts.layout == "per_suggestion" else "thematic",
        exclude_doc_ids=[doc_id],
    )
    return EvalCase(
        case_id=doc_id, gold_doc_id=doc_id, gold_date=gold_date, proposal=proposal, options=options,
        gold_layout=parts.layout, gold_title=heading or meta.title, doc_source=str(path), source_key=key,
        manifest=str(manifest) if manifest else "", gold_text=text,
    )


def _gold_date(manifest_date: str, parsed: str) -> str:
    """The date the knowledge base files the reply under (the manifest's), made precise by the letter."""
    if parsed and (not manifest_date or parsed.startswith(manifest_date)):
        return parsed
    return manifest_date


def _outermost_quotes(text: str) -> list[str]:
    out: list[str] = []
    stack: list[tuple[str, int]] = []
    for i, ch in enumerate(text):
        if stack and ch == stack[-1][0]:
            _, start = stack.pop()
            if not stack:
                out.append(text[start:i])
        elif ch in _PAIRS:
            stack.append((_PAIRS[ch], i + 1))
    return [q.strip() for q in out if q.strip()]


def proposal_title(ack: str) -> str:
    """The proposal's title from the acknowledgement: 《…》 or “…”, preferring one that reads as a title."""
    quoted = _outermost_quotes(ack)
    for q in quoted:
        if q.startswith("关于") or re.search(r"(?:提案|建议|意见)$", q):
            return q
    if quoted:
        return quoted[0]
    m = _UNQUOTED_TITLE.search(ack)
    return m.group(1) if m else ""


def _manifest_title(text: str) -> str:
    m = _MANIFEST_TITLE.match(text)
    return m.group(1) if m and "号" not in m.group(1) else ""


def _paren_title(text: str) -> str:
    m = _TITLE_PAREN.search(text)
    return m.group(1) if m else ""


def derive_suggestions(parts: ReplyParts, text: str, title: str) -> list[str]:
    """Per-suggestion headings; else the work items' headings; else the proposal's topic."""
    quoted = [s.suggestion.strip() for s in parts.sections if s.role == "suggestion" and s.suggestion.strip()]
    if quoted:
        return quoted
    for roles in (("work",), ("work", "plan", "other")):
        items = [
            _clean_item(i.text) for s in parts.sections if s.role in roles
            for i in s.items if _ITEM_MARKER.match(i.text)
        ]
        items = [i for i in items if 4 <= len(i) <= 60]
        if items:
            return items
    topic = re.sub(r"^关于", "", title)
    topic = re.sub(r"的(?:提案|建议|意见)$", "", topic).strip()
    return [topic] if topic else []


def _clean_item(heading: str) -> str:
    return _ITEM_MARKER.sub("", heading).strip().rstrip("。；;，,：:")


def proposer_of(addressee: str) -> tuple[str, ProposerType]:
    """Name and type from the salutation: …委员 → member, …代表 → deputy, anything else → body."""
    name = re.sub(r"^尊敬的|[:：]$", "", addressee.strip())
    if not name:
        return "", "unknown"
    for suffix, kind in (("委员", "member"), ("代表", "deputy")):
        m = re.fullmatch(rf"(.*?)(?:政协|人大)?{suffix}(等.*)?", name)
        if m and not name.endswith("委员会"):
            who = re.sub(rf"(?:政协|人大)?{suffix}(?=、)", "", m.group(1) + (m.group(2) or "")).rstrip("、")
            return who, kind  # type: ignore[return-value]
    return name, "body"


def _kind(session: str, heading: str, ack: str, title: str, ptype: str) -> str:
    for text in (session, heading):
        if "政协" in text or "提案" in text:
            return "proposal"
        if "人大" in text or "建议" in text:
            return "suggestion"
    if ptype == "deputy":
        return "suggestion"
    if ptype == "member":
        return "proposal"
    return "suggestion" if re.search(r"建议$", title) and "提案" not in ack else "proposal"


def write_cases(cases: list[EvalCase], path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8") as fh:
        for case in cases:
            fh.write(json.dumps(case.model_dump(mode="json"), ensure_ascii=False) + "\n")


def load_cases(path: Path) -> list[EvalCase]:
    """Read a case file; blank lines and lines starting with # are ignored (room for notes)."""
    cases: list[EvalCase] = []
    for lineno, line in enumerate(path.read_text(encoding="utf-8-sig").splitlines(), start=1):
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        try:
            cases.append(EvalCase.model_validate_json(line))
        except ValueError as err:
            raise ValueError(f"{path}:{lineno}: not a valid case ({err})") from err
    ids = [c.case_id for c in cases]
    dupes = sorted({i for i in ids if ids.count(i) > 1})
    if dupes:
        raise ValueError(f"{path}: duplicate case_id {', '.join(dupes)}")
    return cases
