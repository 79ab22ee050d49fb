"""What a parameter of a measure is: an ask to change one, and a sentence that states one.

A suggestion such as 适当提高中试平台运营补助和概念验证项目资助标准 asks about a parameter; the reply states
what the parameter is today (按其建设投入的30%给予补助，最高200万元) and what the bureau will do about it.
Evidence search ranks sentences that state a parameter higher for such an ask, and the Compose engine
leaves a visible gap when no plan speaks to it.
"""

from __future__ import annotations

import re

from vectorstore.tokenize import words

# An ask to change a parameter: 适当提高…奖励的比例和上限, 扩大科技创新券的使用范围.
PARAMETER_ASK = re.compile(r"(?:适当|进一步|逐步)?(?:提高|提升|上调|扩大|放宽|降低|下调)(?P<what>[^，。；;]{2,30}"
                           r"(?:标准|比例|上限|额度|范围|覆盖面|门槛|补助|补贴|奖励))")

# A sentence stating one: 按…的30%给予补助, 最高200万元, 每家每年最高100万元, 不超过50万元.
_STATED = re.compile(r"按[^。；]{0,24}?\d+(?:\.\d+)?%|最高(?:不超过|支持|资助|补助|奖励|给予)?\d+(?:\.\d+)?(?:万元|亿元|元)|"
                     # a quota (资助数量原则上不低于…总数的40%)
                     r"(?:不低于|不少于|不超过|不高于)[^，。；\d]{0,20}?\d+(?:\.\d+)?%|"
                     r"(?:不超过|不少于|不低于)\d+(?:\.\d+)?(?:万元|亿元)|(?:补助|资助|奖励|补贴)(?:标准)?(?:为|提高到|提高至)\d|"
                     # a fixed amount each (一次性奖励30万元, 给予50万元建设补助, 每人每年10万元生活补助)
                     r"(?:一次性|每[人家项个年]+)?(?:奖励|补助|资助|补贴|给予)\d+(?:\.\d+)?(?:万元|元)(?![^，。；]{0,4}(?:资金|经费))")


# A cap per unit (每项最高支持100万元, 每家每年最高30万元): a rule of a programme even where no policy is named.
PER_UNIT_CAP = re.compile(r"每(?:项|家|人|个|年)[^，。；]{0,6}最高[^，。；\d]{0,4}\d+(?:\.\d+)?(?:万元|亿元|元)")


# A change of a value (由50%提高到60%, 由3000万元扩大至6000万元): its verb, and the change with its old value.
CHANGE = re.compile(r"(?:提高|提升|降低|扩大|增加|调整|上调|下调|增至|降至|放宽)")


def changed_from(value: str) -> re.Pattern[str]:
    """A statement that ``value`` was (or is to be) changed: 由每项5万元提高到8万元 for 5万元."""
    return re.compile(rf"由[^，。；]{{0,6}}{re.escape(value)}[^，。；]{{0,4}}{CHANGE.pattern}")


def reports_change(text: str) -> bool:
    """Whether the sentence reports a value changed, as done (已由每项5万元提高到8万元), not as a plan."""
    return bool(re.search(rf"由[^，。；]{{0,10}}{CHANGE.pattern}(?:到|至)?", text)) and "将" not in text


def asks_parameter(suggestion: str) -> bool:
    return bool(PARAMETER_ASK.search(suggestion))


# A suggestion asking for money: 加大资金支持力度, 提高…资助标准, 设立…专项资金, 对…给予奖励.
_MONEY_ASK = re.compile(r"资金|经费|资助|补助|补贴|奖励|额度")


def asks_for_money(suggestion: str) -> bool:
    return bool(_MONEY_ASK.search(suggestion))


# An amount of money given for a purpose (安排经费1900万元, 资助资金1150万元, 1000万元专项资金).
_MONEY = re.compile(r"(?:资金|经费|资助|补助|补贴|奖励)[^，。；\d]{0,8}\d[\d.]*(?:万元|亿元)|"
                    r"\d[\d.]*(?:万元|亿元)[^，。；\d]{0,4}(?:资金|经费|资助|补助|补贴|奖励)")


def speaks_of_money(text: str) -> bool:
    """A parameter (最高100万元) or money spent on the measure (安排经费1900万元): what a money ask wants to see."""
    return states_parameter(text) or bool(_MONEY.search(text))


# Money paid out (兑现运营补助300万元, 拨付资助资金1.66亿元) is a result, not what each one gets.
_PAID_OUT = re.compile(r"(?:兑现|发放|拨付|下达|安排|累计|共|获得|落实)[^，。；\d]{0,6}$")


def states_parameter(text: str) -> bool:
    return any(not _PAID_OUT.search(text[: m.start()]) for m in _STATED.finditer(text))


# The parts of one ask (运营补助和概念验证项目资助标准 → 运营补助 / 项目资助) and the words that only frame them.
_ASK_PARTS = re.compile(r"以及|[和及与、]")
_FRAME = frozenset({"标准", "比例", "上限", "额度", "范围", "覆盖面", "门槛", "力度", "适当"})


def asked_parameters(suggestion: str) -> list[tuple[str, ...]]:
    """What each parameter the suggestion asks to change pays for: the last two words of each part of the ask
    (中试平台运营补助 → 运营, 补助), which a sentence stating that very parameter repeats."""
    out = []
    for m in PARAMETER_ASK.finditer(suggestion):
        for part in _ASK_PARTS.split(m.group("what")):
            named = [w for w in words(part) if len(w) >= 2 and w not in _FRAME]
            if named:
                out.append(tuple(named[-2:]))
    return out


def states_asked_parameter(text: str, asked: list[tuple[str, ...]]) -> bool:
    """Whether ``text`` states the very parameter an ask names (项目资助 for 概念验证项目资助标准), not another
    parameter of the same programme (the centre's 建设补助)."""
    own = re.sub(r"《[^》]*》", "", text)  # the policy's name (《…建设与运营管理办法》) is not what it pays for
    return states_parameter(own) and any(all(w in own for w in part) for part in asked)
