"""Who answered a similar proposal before: a hint for the contact line the clerk fills in.

A reply letter ends with its handler (（联系人：吴某，联系电话：0000-6123401）). The letter's contact is the
user's to give; when it is not given, the bureau's own most relevant past reply that names one is offered in a
warning (never written into the letter: people move on).
"""

from __future__ import annotations

import re

from pydantic import BaseModel

_CONTACT = re.compile(r"联系人[：:]\s*(?P<person>[\u4e00-\u9fff·]{2,8})[，,；;\s]*(?:联系)?电话[：:]\s*"
                      r"(?P<phone>\d[\d\-－、，, ]{3,40}\d)")


class PastContact(BaseModel):
    person: str
    phone: str
    title: str
    date: str


def contact_in(text: str) -> tuple[str, str] | None:
    """The (person, phone) a letter's contact line names, the last one in the text; None when there is none."""
    found = list(_CONTACT.finditer(text))
    if not found:
        return None
    m = found[-1]
    return m.group("person"), m.group("phone").strip("，, ")


def hint(contact: PastContact) -> str:
    when = f"{contact.date[:4]}年" if contact.date[:4].isdigit() else ""
    return (f"以往同类答复（{when}《{contact.title}》）的联系人为{contact.person}（电话{contact.phone}），"
            "如仍由其承办，请填入联系人/电话。")
