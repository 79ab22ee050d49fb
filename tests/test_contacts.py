"""The contact line of the bureau's past replies is offered as a hint, never written into the letter."""

from __future__ import annotations

from pathlib import Path

import pytest

from assistant.contacts import contact_in
from assistant.drafting import Drafter
from assistant.models import DraftOptions, Proposal
from assistant.settings import Settings
from conftest import past_reply_kb


@pytest.mark.parametrize(("text", "found"), [
    ("此复。\n甲市科学技术局\n2024年7月25日\n（联系人：许某某，联系电话：83124094、18620830861）", ("许某某", "83124094、18620830861")),
    ("（联系人：吴立群，联系电话：0000-6123401）", ("吴立群", "0000-6123401")),
    ("联系人：王某 电话：020-1234567，邮箱：a@b.cn", ("王某", "020-1234567")),
    ("（联系人：【请填写】，联系电话：【请填写】）", None),
    ("请与我局联系。", None),
])
def test_the_contact_a_letter_names(text: str, found: tuple[str, str] | None) -> None:
    assert contact_in(text) == found


def test_a_draft_without_a_contact_is_offered_the_past_reply_s_handler(tmp_path: Path) -> None:
    kb = past_reply_kb(tmp_path, "一、工作开展情况\n2022年，我局认定市级中试平台6家，给予建设补助1200万元。\n"
                                 "甲市科学技术局\n2022年7月1日\n（联系人：吴某某，联系电话：0000-6123401）\n")
    settings = Settings(_env_file=None, bureau_name="甲市科学技术局", region="乙省甲市")  # type: ignore[call-arg]
    proposal = Proposal(title="关于加快中试平台建设的提案", number="65", suggestions=["加快中试平台建设"])
    draft = Drafter(settings, kb).draft(proposal, DraftOptions(reply_date="2025-07-01"))
    assert any("吴某某" in w and "0000-6123401" in w and "2022年" in w for w in draft.warnings)
    assert "吴某某" not in draft.letter.contact  # a hint, not a fact of this letter
    given = Drafter(settings, kb).draft(proposal, DraftOptions(reply_date="2025-07-01", contact_person="李某",
                                                               contact_phone="0000-1"))
    assert not any("吴某某" in w for w in given.warnings)
