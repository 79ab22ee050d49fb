"""Whose work a source (or a sentence) is: the bureau's, its city's, its province's, or elsewhere's.

Only the bureau's and its city's own material may be written as "what we did" (我局/我市). A provincial
document is not another city's, but it is not the bureau's work either; other places' practice is shown
to reviewers as reference only. A bureau keeps its old documents under former names
(科技创新委员会 → 科学技术局); those, and the city's other bodies, count as its own.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Literal, Protocol

Scope = Literal["bureau", "city", "province", "elsewhere"]
OWN_SCOPES: frozenset[str] = frozenset({"bureau", "city"})

_CITY = re.compile(r"([^省区]{1,8}?(?:市|州|盟|县|区|旗))$")
# Long official words and the short forms letters and news use for them.
_ABBREVIATIONS = (("科学技术", "科技"), ("科技创新委员会", "科创委"), ("科学技术委员会", "科委"),
                  ("委员会", "委"), ("和", ""))


class HasIssuerRegion(Protocol):
    @property
    def issuer(self) -> str: ...
    @property
    def region(self) -> str: ...


def name_forms(full_name: str, city: str) -> list[str]:
    """The ways a body's name is written: full, without the city (市科技局), abbreviated (科技局).

    Longest first, so that replacing them in a sentence never leaves half a name behind.
    """
    base = full_name.strip()
    if not base:
        return []
    forms = {base}
    for short, long in ((a, b) for a, b in _ABBREVIATIONS):
        for f in list(forms):
            if short in f:
                forms.add(f.replace(short, long))
    bare_city = city[:-1] if len(city) > 2 else city
    for f in list(forms):
        for prefix in (city, bare_city):
            if prefix and f.startswith(prefix) and len(f) > len(prefix) + 2:
                rest = f[len(prefix):]
                forms.add(rest if rest.startswith("市") else "市" + rest)
    # A bare 科技局 could be any city's; only forms that still say 市 (or the city) are kept.
    return sorted((f for f in forms if len(f) >= 4), key=len, reverse=True)


@dataclass
class Jurisdiction:
    """The bureau's names and region, and the decision of whose a source is."""

    bureau_name: str
    region: str
    former_names: list[str] = field(default_factory=list)
    own_bodies: list[str] = field(default_factory=list)

    def __post_init__(self) -> None:
        m = _CITY.search(self.region)
        self.city = m.group(1) if m else self.region
        self.province = self.region[: len(self.region) - len(self.city)] if self.region.endswith(self.city) else ""
        names = [self.bureau_name, *self.former_names]
        self.bureau_forms = sorted({f for n in names if n for f in name_forms(n, self.city)}, key=len, reverse=True)
        self._full_names = [n for n in names if n]

    def scope(self, meta: HasIssuerRegion) -> Scope:
        issuer, region = meta.issuer or "", meta.region or ""
        if any(n in issuer for n in self._full_names):
            return "bureau"
        in_city = bool(self.region) and (region.startswith(self.region) or (bool(self.city) and region == self.city))
        if not region and self.city and (issuer.startswith(self.city) or any(b and b in issuer for b in self.own_bodies)):
            in_city = True
        if in_city:
            return "bureau" if any(f in issuer for f in self.bureau_forms) else "city"
        if self.province and ((region and self.province.startswith(region)) or (not region and issuer.startswith(self.province))):
            return "province"
        return "elsewhere"

    def is_own(self, meta: HasIssuerRegion) -> bool:
        """True when the source may be written as the bureau's (or its city's) own work."""
        return self.scope(meta) in OWN_SCOPES
