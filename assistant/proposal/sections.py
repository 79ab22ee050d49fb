"""The body of a proposal cut into sections: analysis, suggestion, or plain body.

A section runs from its heading to the next heading of the same or an outer level, a form field
(承办单位：…, 领衔代表：…) or a closing line (以上建议…, 特此提案). Headings nested deeper than the
section's own heading (an item "（三）解决融资难问题" under "三、对策建议") stay inside it as text.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from assistant.proposal.layout import Layout, Line

CLOSING = re.compile(
    r"^(?:以上(?:建议|意见|提案|几点)|特此(?:提案|建议|报告|提出)?[。！]?$|妥否|当否|此致|敬礼|"
    r"(?:请|恳请|敬请|望)(?:予|审议|研究|批示|采纳|参阅|酌处)|附件[:：\d一二三]|"
    r"【[^】]*】$|\d{4}\s*年\s*\d{1,2}\s*月\s*\d{1,2}\s*日$)"
)

_DATE_LINE = re.compile(r"^\d{4}\s*年\s*\d{1,2}\s*月\s*\d{1,2}\s*日$")
_SIGNATURE = re.compile(r"^[^。；，：:,;]{2,24}$")


@dataclass
class Section:
    role: str  # analysis | suggestion | body
    level: int = 0
    heading: Line | None = None
    lines: list[str] = field(default_factory=list)

    @property
    def text(self) -> str:
        return "\n".join(self.lines)


def sections(layout: Layout) -> list[Section]:
    out: list[Section] = [Section("body")]
    for ln in layout.lines[layout.body_start :]:
        cur = out[-1]
        if ln.kind == "heading":
            if _nested(cur, ln):
                cur.lines.append(ln.text)
                continue
            cur = Section(ln.role, ln.level, ln)
            out.append(cur)
            if ln.value:
                cur.lines.append(ln.value)
        elif ln.kind in ("field", "value"):
            if cur.lines or cur.heading is not None:
                out.append(Section("end"))
        elif CLOSING.match(ln.text):
            if _DATE_LINE.match(ln.text) and cur.lines and _SIGNATURE.match(cur.lines[-1]):
                cur.lines.pop()  # the signature above the date
            out.append(Section("end"))
        elif ln.text:
            cur.lines.append(ln.text)
    return [s for s in out if s.role != "end" and s.lines]


def _nested(cur: Section, heading: Line) -> bool:
    """A heading deeper than the open suggestion or analysis section's own heading belongs inside it."""
    if cur.heading is None or cur.role not in ("suggestion", "analysis"):
        return False
    if cur.role == "analysis" and heading.role == "suggestion":
        return False
    return heading.level > cur.level
