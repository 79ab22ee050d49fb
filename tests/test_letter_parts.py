"""Fixed letter parts: placeholders instead of invented facts, salutations, dates, notes."""

from __future__ import annotations

import re
from datetime import date

import pytest

from assistant.letter_parts import PART_NAMES, chinese_date, fixed_parts, parse_iso_date
from assistant.models import PLACEHOLDER, DraftOptions, Proposal


def options(**overrides: object) -> DraftOptions:
    base: dict[str, object] = {
        "bureau_name": "示例市科学技术局", "bureau_short": "我局", "city_short": "我市",
        "region": "示例省示例市", "reply_date": "2024-07-29",
    }
    base.update(overrides)
    return DraftOptions.model_validate(base)


def proposal(**overrides: object) -> Proposal:
    base: dict[str, object] = {
        "title": "关于加快中试平台建设的提案", "number": "114", "session": "市政协九届三次会议",
        "proposer": "张三", "proposer_type": "member",
    }
    base.update(overrides)
    return Proposal.model_validate(base)


def test_all_parts_are_returned() -> None:
    assert set(fixed_parts(proposal(), options())) == set(PART_NAMES)


def test_title_of_a_proposal_and_of_a_suggestion() -> None:
    assert fixed_parts(proposal(), options())["title"] == "示例市科学技术局关于市政协九届三次会议第114号提案答复的函"
    suggestion = proposal(kind="suggestion", session="市十七届人大三次会议", number="第56号", proposer_type="deputy")
    assert fixed_parts(suggestion, options())["title"] == "示例市科学技术局关于市十七届人大三次会议第56号建议答复的函"


def test_missing_session_and_number_become_placeholders_not_numbers() -> None:
    parts = fixed_parts(proposal(session="", number=""), options())
    assert parts["title"] == f"示例市科学技术局关于{PLACEHOLDER}第{PLACEHOLDER}号提案答复的函"
    assert f"（第{PLACEHOLDER}号）" in parts["opening"]
    for name in ("title", "opening"):
        assert not re.search(r"\d", parts[name]), parts[name]


def test_missing_bureau_and_title_are_placeholders() -> None:
    parts = fixed_parts(proposal(title=""), options(bureau_name="", city_short=""))
    assert parts["title"].startswith(f"{PLACEHOLDER}关于")
    assert parts["signature"] == PLACEHOLDER
    assert f"《{PLACEHOLDER}》" in parts["opening"]
    assert f"对{PLACEHOLDER}科技工作" in parts["closing"]


@pytest.mark.parametrize(
    ("proposer", "proposer_type", "kind", "expected"),
    [
        ("张三", "member", "proposal", "张三委员："),
        ("李四", "deputy", "suggestion", "李四代表："),
        ("民建示例市委", "body", "proposal", "民建示例市委："),
        ("张三、李四", "member", "proposal", "张三、李四委员："),
        ("张三，李四委员", "member", "proposal", "张三、李四委员："),
        ("张三等", "member", "proposal", "张三委员等："),
        ("张三委员", "member", "proposal", "张三委员："),
        ("", "member", "proposal", f"{PLACEHOLDER}："),
        # Unknown type: an organisation by its name, else whoever submits that kind of document.
        ("九三学社示例市委", "unknown", "proposal", "九三学社示例市委："),
        ("王五", "unknown", "suggestion", "王五代表："),
        ("王五", "unknown", "proposal", "王五委员："),
    ],
)
def test_salutation(proposer: str, proposer_type: str, kind: str, expected: str) -> None:
    p = proposal(proposer=proposer, proposer_type=proposer_type, kind=kind)
    assert fixed_parts(p, options())["salutation"] == expected


def test_opening_with_co_handlers_and_communication() -> None:
    opts = options(co_handlers=["市财政局", "市市场监管局", "市经济和信息化局"],
                   communication="电话沟通", communication_date="2024-07-09")
    assert fixed_parts(proposal(title="《关于加快中试平台建设的提案》"), opts)["opening"] == (
        "您提出的《关于加快中试平台建设的提案》（第114号）收悉。我局高度重视，"
        "会同市财政局、市市场监管局、市经济和信息化局认真研究办理，并于7月9日与您进行了电话沟通。现答复如下："
    )


def test_opening_without_handling_details() -> None:
    assert fixed_parts(proposal(), options())["opening"] == (
        "您提出的《关于加快中试平台建设的提案》（第114号）收悉。经研究，现答复如下："
    )


def test_opening_addresses_a_body_and_never_guesses_the_talk_date() -> None:
    p = proposal(proposer="民建示例市委", proposer_type="body")
    opening = fixed_parts(p, options(communication="座谈交流"))["opening"]
    assert opening.startswith("贵单位提出的《")
    assert f"并于{PLACEHOLDER}与贵单位进行了座谈交流。现答复如下：" in opening


def test_title_keeps_untrusted_text_verbatim_in_plain_parts() -> None:
    # Plain-text parts must not be HTML-escaped; the HTML renderer escapes them once, later.
    opening = fixed_parts(proposal(title="关于R&D投入<加大>的提案"), options())["opening"]
    assert "《关于R&D投入<加大>的提案》" in opening


def test_inner_book_title_marks_become_single() -> None:
    opening = fixed_parts(proposal(title="《关于落实《示例条例》的提案》"), options())["opening"]
    assert "《关于落实〈示例条例〉的提案》" in opening


def test_closing_for_a_person_and_for_a_body() -> None:
    assert fixed_parts(proposal(), options(city_short="我区"))["closing"] == (
        "感谢您对我区科技工作的关心和支持，希望继续对我们的工作提出宝贵意见和建议。"
    )
    body = proposal(proposer="民建示例市委", proposer_type="body")
    assert fixed_parts(body, options())["closing"].startswith("感谢贵单位对我市")


@pytest.mark.parametrize(
    ("iso", "expected"),
    [("2024-07-09", "2024年7月9日"), ("2024-12-31", "2024年12月31日"), ("2025-01-01T10:30:00", "2025年1月1日")],
)
def test_reply_date_in_chinese_without_leading_zeros(iso: str, expected: str) -> None:
    assert fixed_parts(proposal(), options(reply_date=iso))["date"] == expected


def test_empty_reply_date_uses_today_and_bad_one_is_a_placeholder() -> None:
    assert fixed_parts(proposal(), options(reply_date=""), today=date(2023, 3, 5))["date"] == "2023年3月5日"
    assert fixed_parts(proposal(), options(reply_date="下周一"))["date"] == PLACEHOLDER


def test_date_helpers() -> None:
    assert chinese_date(date(2024, 7, 9)) == "2024年7月9日"
    assert parse_iso_date("2024-07-09") == date(2024, 7, 9)
    assert parse_iso_date("7/9") is None


def test_signature_is_the_bureau_name() -> None:
    assert fixed_parts(proposal(), options())["signature"] == "示例市科学技术局"


@pytest.mark.parametrize(
    ("disclosure", "expected"),
    [("主动公开", "（此件主动公开）"), ("依申请公开", "（此件依申请公开）"), ("不予公开", "（此件不予公开）")],
)
def test_disclosure(disclosure: str, expected: str) -> None:
    assert fixed_parts(proposal(), options(disclosure=disclosure))["disclosure"] == expected


def test_contact_with_placeholders_for_missing_pieces() -> None:
    full = options(contact_person="王五", contact_phone="0000-1234567")
    assert fixed_parts(proposal(), full)["contact"] == "（联系人：王五，联系电话：0000-1234567）"
    assert fixed_parts(proposal(), options(contact_person="王五"))["contact"] == (
        f"（联系人：王五，联系电话：{PLACEHOLDER}）"
    )


def test_category() -> None:
    assert fixed_parts(proposal(), options(category="B"))["category"] == "B类"
    assert fixed_parts(proposal(), options())["category"] == "【请选择答复类别：A/B/C】"
