"""What a parameter of a measure is: an ask to change one, and a sentence that states one.

A suggestion such as 适当提高中试平台运营补助和概念验证项目资助标准 asks about a parameter; the reply states
what the parameter is today (按其建设投入的30%给予补助，最高200万元) and what the bureau will do about it.
Evidence search ranks sentences that state a parameter higher for such an ask, and the Compose engine
leaves a visible gap when no plan speaks to it.
"""

from __future__ import annotations

import re

# An ask to change a parameter: 适当提高…奖励的比例和上限, 扩大科技创新券的使用范围.
PARAMETER_ASK = re.compile(r"(?:适当|进一步|逐步)?(?:提高|提升|上调|扩大|放宽|降低|下调)(?P<what>[^，。；;]{2,30}"
                           r"(?:标准|比例|上限|额度|范围|覆盖面|门槛|补助|补贴|奖励))")

# A sentence stating one: 按…的30%给予补助, 最高200万元, 每家每年最高100万元, 不超过50万元.
_STATED = re.compile(r"按[^。；]{0,24}?\d+(?:\.\d+)?%|最高(?:不超过)?\d+(?:\.\d+)?(?:万元|亿元|元)|"
                     r"不超过\d+(?:\.\d+)?(?:万元|亿元)|(?:补助|资助|奖励|补贴)(?:标准)?(?:为|提高到|提高至)\d")


def asks_parameter(suggestion: str) -> bool:
    return bool(PARAMETER_ASK.search(suggestion))


def states_parameter(text: str) -> bool:
    return bool(_STATED.search(text))
