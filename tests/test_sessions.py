"""Sessions: the same one however written, and the letter's title in the bureau's own form."""

from __future__ import annotations

from pathlib import Path

import pytest

from assistant.drafting import Drafter
from assistant.models import DraftOptions, Proposal
from assistant.sessions import counted_on, in_house_form, same_session, session_of
from assistant.settings import Settings
from conftest import past_reply_kb


@pytest.mark.parametrize(("got", "gold", "same"), [
    ("青岚市第十八届人民代表大会第二次会议", "市十八届人大二次会议", True),
    ("政协青岚市第十五届委员会第二次会议", "市政协十五届二次会议", True),
    ("政协青岚市第十五届委员会第二次会议", "市十五届人大二次会议", False),  # another body
    ("市十八届人大三次会议", "市十八届人大二次会议", False),  # another sitting
    ("", "市十八届人大二次会议", False),
])
def test_a_session_written_in_full_or_short_is_the_same(got: str, gold: str, same: bool) -> None:
    assert same_session(got, gold) is same


SHORT = ["市政协十一届三次会议", "市十六届人大四次会议", "市政协十一届五次会议"]
GUANGZHOU = ["政协十三届广州市委员会第二次会议", "政协十四届广州市委员会第一次会议", "市十五届人大五次会议"]


@pytest.mark.parametrize(("session", "past", "expected"), [
    ("政协澄江市第十二届委员会第四次会议", SHORT, "市政协十二届四次会议"),
    ("青岚市第十八届人民代表大会第二次会议", SHORT, "市十八届人大二次会议"),
    ("市政协十二届四次会议", SHORT, "市政协十二届四次会议"),
    ("政协广州市第十四届委员会第三次会议", GUANGZHOU, "政协十四届广州市委员会第三次会议"),
    ("政协澄江市第十二届委员会第四次会议", [], "政协澄江市第十二届委员会第四次会议"),  # no past letter: as given
    ("政协澄江市第十二届委员会第四次会议", ["市十六届人大四次会议"], "政协澄江市第十二届委员会第四次会议"),  # other body
    ("", SHORT, ""),
])
def test_a_session_is_written_as_the_bureau_writes_it(session: str, past: list[str], expected: str) -> None:
    assert in_house_form(session, past) == expected


def test_the_session_of_a_stored_replys_number() -> None:
    assert session_of("政协十三届广州市委员会第二次会议第1005号提案（穗科创函〔2018〕1131号）") == "政协十三届广州市委员会第二次会议"
    assert session_of("第1005号") == ""


def test_the_letters_title_takes_the_bureaus_form(tmp_path: Path) -> None:
    kb = past_reply_kb(tmp_path, "一、工作开展情况\n2022年，全市新增科技型企业120家。\n")
    settings = Settings(_env_file=None, bureau_name="甲市科学技术局", region="乙省甲市")  # type: ignore[call-arg]
    proposal = Proposal(title="关于加强科技型企业培育的提案", number="65", session="政协甲市第十二届委员会第四次会议",
                        suggestions=["加强科技型企业培育"])
    draft = Drafter(settings, kb).draft(proposal, DraftOptions(reply_date="2025-07-01"))
    assert draft.letter.title == "甲市科学技术局关于市政协十二届四次会议第65号提案答复的函"
    assert draft.proposal.session == "政协甲市第十二届委员会第四次会议"  # what the proposal says is kept
    # A proposal that does not say its session: counted on from the past reply (2022: 十一届三次), and said so.
    unsaid = proposal.model_copy(update={"session": "", "date": "2025-01-12"})
    counted = Drafter(settings, kb).draft(unsaid, DraftOptions(reply_date="2025-07-01"))
    assert counted.letter.title == "甲市科学技术局关于市政协十二届一次会议第65号提案答复的函"
    assert any("届次" in w and "推算" in w for w in counted.warnings)
    # An NPC suggestion is not counted from a CPPCC session: the title leaves it to fill in.
    npc = unsaid.model_copy(update={"kind": "suggestion"})
    assert "【请填写】" in Drafter(settings, kb).draft(npc, DraftOptions(reply_date="2025-07-01")).letter.title


@pytest.mark.parametrize(("body", "year", "past", "expected"), [
    ("政协", 2027, [("市政协十四届三次会议", "2023-07-10")], "市政协十五届二次会议"),  # into the next term
    ("政协", 2024, [("政协十四届广州市委员会第一次会议", "2022-08-02"),
                    ("政协十三届广州市委员会第二次会议", "2018-08-01")], "政协十四届广州市委员会第三次会议"),
    ("人大", 2026, [("市十七届人大四次会议", "2025-07-08"), ("市政协十四届四次会议", "2025-07-01")],
     "市十七届人大五次会议"),
    ("人大", 2026, [("市政协十四届四次会议", "2025-07-01")], ""),  # no session of the body
    ("政协", 2027, [("市政协十一届三次会议", "2019-07-10")], ""),  # too far back to count on
])
def test_a_session_the_proposal_does_not_say_is_counted_on_from_past_replies(
        body: str, year: int, past: list[tuple[str, str]], expected: str) -> None:
    assert counted_on(body, year, past) == expected
