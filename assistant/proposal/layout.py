"""What each line of a proposal is: a header field, a section heading, or text.

Real proposals come as forms (案由：… / 提案人：…), as forms flattened from tables (a label on one line,
its value on the next, labels even split over two lines: 领 衔 / 代 表), and as reports with headings
(【分析】, 二、存在问题, 具体建议（办法）：). Sections are *analysis* (背景, 现状, 存在问题, 原因分析,
提案理由 …), *suggestion* (建议, 对策, 具体建议（办法）, 解决方案 …) or *body* (内容, 建议全文, 议案内容:
the whole text, suggestions to be found inside).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from assistant.proposal.markers import LEVEL, line_marker

TITLE_LABELS = {"案由", "题目", "标题", "事由", "提案名称", "建议名称", "议案名称", "名称", "提案题目", "建议题目",
                "主题", "提案标题", "建议标题", "议案标题"}
NUMBER_LABELS = {"编号", "案号", "提案号", "建议号", "议案号", "提案编号", "建议编号", "议案编号", "序号"}
SESSION_LABELS = {"会议名称", "届次", "会议", "会次"}
PROPOSER_LABELS = {"提案人", "提案者", "提出人", "提出者", "领衔代表", "领衔人", "领衔委员", "建议人", "代表姓名", "代表",
                   "委员", "提案委员", "提案人姓名", "见案人", "提议案人", "提建议代表", "提案单位", "提出单位",
                   "提出代表", "提出委员", "第一提案人", "提议人", "姓名", "委员姓名"}
CO_LABELS = {"附议代表", "附议人", "联名人", "联名代表", "参与代表", "附议委员", "联名委员", "联名提案人", "附议", "联名",
             "其他提案人"}
FOOTER_LABELS = {"承办单位", "主办单位", "协办单位", "会办单位", "办理情况", "办理结果", "交办时间", "办结时间", "督办单位",
                 "联系电话", "联系方式", "联系人", "通讯地址", "通讯处", "通信地址", "联系地址", "工作单位", "单位",
                 "所属代表团", "代表团", "代表组", "界别", "类别", "提出时间", "提出日期", "提交日期", "提交时间",
                 "提出代表评价", "联系代表", "邮编", "邮政编码", "手机", "电话", "联系人及通讯地址", "单位及职务", "职务",
                 "分类", "日期", "时间", "答复", "答复内容", "办理答复", "附件", "备注", "提案类别", "建议类别"}
BODY_LABELS = {"内容", "建议内容", "议案内容", "提案内容", "建议全文", "提案全文", "议案全文", "正文", "主要内容", "全文"}

# Headings are a closed vocabulary: an item such as "（三）完善政策措施" must not read as a section.
_SUGGESTION_HEAD = re.compile(
    r"^(?:为此|因此|对此|故|特|现|我们?|本人)?(?:提出)?(?:以下|如下)?(?:几点|几条)?"
    r"(?:具体|主要|相关|有关|工作|政策|意见|对策|措施|问题|改进|解决|发展|我的|我们的)?"
    r"(?:和|与|及|及其)?(?:建议|对策|办法|措施|方案|意见)"
    r"(?:和|与|及)?(?:建议|对策|办法|措施|意见)?(?:如下)?$"
)
_ANALYSIS_HEAD = re.compile(
    r"^(?:[\u4e00-\u9fff]{0,6}?)(?:情况|问题|现状|背景|原因|理由|分析|不足|困难|挑战|意义|成效|做法|概况|短板|现象)"
    r"(?:分析|说明|及原因|与原因|和原因)?$"
)
# Longer numbered headings: "三、加快我市低空经济发展的几点建议", "二、当前我市科技金融面临的主要问题".
_LONG_SUGGESTION_HEAD = re.compile(r"(?:的)?(?:几点|若干|主要|具体|相关)?(?:建议|对策|对策建议|措施建议|意见建议|意见和建议)$")
_LONG_ANALYSIS_HEAD = re.compile(r"(?:存在|面临|主要|当前|目前)[\u4e00-\u9fff]{0,4}(?:问题|不足|困难|挑战|短板)(?:及原因|和原因|分析)?$")
LONG_HEADING_MAX = 30
_LABEL = re.compile(r"^(?P<label>[\u4e00-\u9fff][\u4e00-\u9fff （）()]{0,16}?)\s*[:：]\s*(?P<value>.*)$")
_BRACKET_HEAD = re.compile(r"^[【\[]\s*(?P<label>[^】\]]{1,12})\s*[】\]]\s*[:：]?\s*(?P<value>.*)$")
_PAREN = re.compile(r"[（(][^）)]{0,8}[）)]")
_SPLIT_LABEL_MAX = 3
HEADING_MAX = 16
LONG_LINE = 50


@dataclass
class Line:
    index: int
    text: str
    kind: str = "text"  # field | heading | value | text
    role: str = ""  # field: title/number/session/proposer/co/footer/other; heading: analysis/suggestion/body
    level: int = 0  # heading level: 0 for labels and 【】, else the marker's level (一、 1, （一） 2, …)
    label: str = ""
    value: str = ""  # a field's value, or the text after a heading's colon


@dataclass
class Layout:
    lines: list[Line]
    body_start: int = 0  # index of the first line of the body (after the header)

    @property
    def header(self) -> list[Line]:
        return self.lines[: self.body_start]

    def fields(self, role: str) -> list[Line]:
        return [ln for ln in self.lines if ln.kind == "field" and ln.role == role]


def compact(s: str) -> str:
    return re.sub(r"\s+", "", s)


def label_role(label: str) -> str:
    """field role (title/number/…), heading role (analysis/suggestion/body), or '' for an unknown label."""
    c = compact(label)
    bare = _PAREN.sub("", c)
    for role, names in (("title", TITLE_LABELS), ("number", NUMBER_LABELS), ("session", SESSION_LABELS),
                        ("proposer", PROPOSER_LABELS), ("co", CO_LABELS), ("footer", FOOTER_LABELS),
                        ("body", BODY_LABELS)):
        if c in names or bare in names:
            return role
    if bare.endswith(("单位", "电话", "地址", "时间", "日期")) and len(bare) <= 10:
        return "footer"
    return heading_role(c)


def heading_role(text: str) -> str:
    c = re.sub(r"[，,、\s]", "", _PAREN.sub("", text)).rstrip("：:")
    if not c or len(c) > HEADING_MAX or c.startswith("关于"):
        return ""
    if _SUGGESTION_HEAD.match(c):
        return "suggestion"
    if _ANALYSIS_HEAD.match(c) and not re.search(r"以下|如下", c):  # "存在以下问题：" leads into a list
        return "analysis"
    return ""


def _long_heading_role(text: str) -> str:
    c = compact(text).rstrip("：:")
    if len(c) > LONG_HEADING_MAX or re.search(r"[。；，,！？]", c) or c.startswith("关于"):
        return ""
    if _LONG_SUGGESTION_HEAD.search(c):
        return "suggestion"
    return "analysis" if _LONG_ANALYSIS_HEAD.search(c) else ""


def classify(raw: list[str]) -> Layout:
    out: list[Line] = []
    i = 0
    while i < len(raw):
        if _is_split_label(raw, i):
            label = compact(raw[i]) + compact(raw[i + 1])
            line = Line(i, raw[i].strip() + raw[i + 1].strip(), kind="field", role=label_role(label), label=label)
            i += 2
        else:
            line = _classify_one(i, raw[i].strip())
            i += 1
        out.append(line)
        if line.kind == "field" and not line.value:
            i = _take_value(raw, i, line, out)
    layout = Layout(out, _body_start(out))
    for ln in layout.lines[layout.body_start :]:
        if ln.kind == "field" and ln.role == "other":  # "如：…" in the body is text, not a form field
            ln.kind, ln.role, ln.label, ln.value = "text", "", "", ""
    return layout


def _take_value(raw: list[str], i: int, line: Line, out: list[Line]) -> int:
    """A lone label of a flattened table takes the next line as its value, unless that is a label too."""
    if i < len(raw) and line.role in ("title", "number", "session", "proposer", "co", "footer"):
        nxt = raw[i].strip()
        looks_like_title = re.match(r"^关于.*(?:提案|建议|议案)$", nxt) is not None
        if nxt and len(nxt) <= 60 and _classify_one(i, nxt).kind == "text" and not _is_split_label(raw, i) \
                and (line.role == "title" or not looks_like_title):
            line.value = nxt
            out.append(Line(i, nxt, kind="value"))
            return i + 1
    return i


def _is_split_label(raw: list[str], i: int) -> bool:
    """A label split over two lines of a flattened table: "领 衔" / "代 表"."""
    if i + 1 >= len(raw):
        return False
    a, b = compact(raw[i]), compact(raw[i + 1])
    return 0 < len(a) <= _SPLIT_LABEL_MAX and 0 < len(b) <= _SPLIT_LABEL_MAX and not label_role(a) \
        and label_role(a + b) in ("title", "number", "session", "proposer", "co", "footer")


def _classify_one(i: int, text: str) -> Line:
    m = _BRACKET_HEAD.match(text)
    if m:
        role = label_role(m.group("label"))
        if role in ("analysis", "suggestion", "body"):
            return Line(i, text, kind="heading", role=role, label=compact(m.group("label")), value=m.group("value"))
    marker = line_marker(text)
    if marker is not None and marker.family != "shi":
        rest = text[marker.end :].strip()
        head, _, value = rest.replace(":", "：").partition("：")
        role = label_role(head)
        if role not in ("analysis", "suggestion", "body") and marker.family in ("cn", "pcn") and not value:
            role = _long_heading_role(head)  # "三、加快我市……的几点建议"
        if role in ("analysis", "suggestion", "body"):
            return Line(i, text, kind="heading", role=role, level=LEVEL[marker.family],
                        label=compact(head), value=value.strip())
        return Line(i, text)
    m = _LABEL.match(text)
    if m and len(compact(m.group("label"))) <= 10:
        role = label_role(m.group("label"))
        label = compact(m.group("label"))
        value = m.group("value").strip()
        if role in ("analysis", "suggestion", "body"):
            return Line(i, text, kind="heading", role=role, label=label, value=value)
        if role:
            return Line(i, text, kind="field", role=role, label=label, value=_field_value(value))
        if len(value) < LONG_LINE and "。" not in value[:-1]:
            return Line(i, text, kind="field", role="other", label=label, value=value)
        return Line(i, text)
    bare = compact(text).rstrip("：:")
    role = label_role(bare) if len(bare) <= 10 and not re.search(r"[。；，]", bare) else ""
    if role in ("analysis", "suggestion", "body"):
        return Line(i, text, kind="heading", role=role, label=bare)
    if role:
        return Line(i, text, kind="field", role=role, label=bare)
    return Line(i, text)


def _field_value(value: str) -> str:
    """A value up to the next known "label：" on the same line (table cells run together)."""
    for m in re.finditer(r"([\u4e00-\u9fff]{2,10})\s*[:：]", value):
        word = m.group(1)
        for k in range(len(word) - 1):
            if label_role(word[k:]) in ("title", "number", "session", "proposer", "co", "footer"):
                return value[: m.start(1) + k].strip()
    return value


def _body_start(lines: list[Line]) -> int:
    """The first line that is body: a section heading, or the first line of text that has a sentence in it."""
    for n, ln in enumerate(lines):
        if ln.kind == "heading" or (ln.kind == "text" and is_prose(ln.text)):
            return n
    # no sentence anywhere (a bare list of items): the body starts at the first numbered line
    return next((n for n, ln in enumerate(lines) if ln.kind == "text" and line_marker(ln.text)), len(lines))


def is_prose(text: str) -> bool:
    """Sentences rather than a title, name or number line."""
    if len(text) >= LONG_LINE or re.search(r"[。；！？]", text):
        return True
    return "，" in text and not re.match(r"^(?:[一二三四五六七八九十]+、)?关于.*(?:提案|建议|议案)", text)
