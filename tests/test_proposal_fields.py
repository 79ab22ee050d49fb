"""Header fields of made-up proposals in the forms real ones use: title, number, session, proposer, kind."""

from __future__ import annotations

import pytest

from assistant.proposal import parse_proposal

ASK = "建议：一是加大投入；二是完善机制。\n"

# (name, text, title, number, session, proposer, proposer_type, kind)
CASES: list[tuple[str, str, str, str, str, str, str, str]] = [
    ("CPPCC form with 案由 and a session-number line",
     "示例市政协十一届二次会议第205号提案\n提案人：吴某某\n界别：科学技术界\n案由：关于推动示例市科技成果就地转化的提案\n" + ASK,
     "关于推动示例市科技成果就地转化的提案", "205", "示例市政协十一届二次会议", "吴某某", "member", "proposal"),
    ("NPC table flattened: session over two lines, label split 领 衔 / 代 表",
     "示例市第十六届人民代表大会\n第三次会议代表建议\n第58号\n领 衔\n代 表\n钱某某\n所属代表团\n第二代表团\n"
     "标 题：关于加强农村饮水安全保障的建议\n建议全文：\n部分村庄枯水期断水。建议市水务局实施管网延伸工程。\n",
     "关于加强农村饮水安全保障的建议", "58", "示例市第十六届人民代表大会第三次会议", "钱某某", "deputy", "suggestion"),
    ("编号 / 代表团 / 代表姓名 without a title",
     "编 号：2024015\n代表团：样例镇代表团\n代表姓名：郑某某、王某某\n内容：样例镇蔬菜种植面积扩大。建议县农业农村局建设冷库。\n",
     "", "2024015", "", "郑某某、王某某", "deputy", "suggestion"),
    ("案由 / 提案人 / 通讯处 with values on the next line",
     "案由\n关于规范示例市校外培训机构收费的提案\n提案人\n韩某某\n通讯处\n示例市某某中学\n目前部分机构预收费用过高。" + ASK,
     "关于规范示例市校外培训机构收费的提案", "", "", "韩某某", "member", "proposal"),
    ("a party committee on the line under the title",
     "关于发展示例市银发经济的提案\n九三学社示例市委\n我市老龄化程度加深。" + ASK,
     "关于发展示例市银发经济的提案", "", "", "九三学社示例市委", "body", "proposal"),
    ("（…代表某某提） under the title",
     "关于修缮示例小学操场的建议\n（样例街道代表林某某提）\n示例小学操场塌陷多处。建议：区教育局尽快修缮。\n",
     "关于修缮示例小学操场的建议", "", "", "林某某", "deputy", "suggestion"),
    ("委员等 after the name",
     "关于示例公园改造的提案\n提案人：赵某某委员等\n" + ASK, "关于示例公园改造的提案", "", "", "赵某某", "member", "proposal"),
    ("number in brackets after the title, 代表 after the name",
     "关于整治示例河道的建议（第12号）\n提出人：孙某某代表\n河道淤积严重。建议：清淤疏浚。\n",
     "关于整治示例河道的建议", "12", "", "孙某某", "deputy", "suggestion"),
    ("提案单位 is a body",
     "市政协十届五次会议第143号提案\n提案单位：民进示例市委\n案由：关于深化科技特派员制度的提案\n" + ASK,
     "关于深化科技特派员制度的提案", "143", "市政协十届五次会议", "民进示例市委", "body", "proposal"),
    ("title quoted in the body of an editor's digest, proposer named before 提出",
     "提案选登 | 示例市政协委员建言\n对此，民盟示例市委提出《关于加快示例市算力建设的提案》。\n" + ASK,
     "关于加快示例市算力建设的提案", "", "", "民盟示例市委", "body", "proposal"),
    ("table cells run together on one line",
     "关于修建示例村便桥的建议\n提案者：农工党示例县委 承办单位：县交通局\n内容：\n示例村村民过河困难。建议县交通局修建便桥。\n",
     "关于修建示例村便桥的建议", "", "", "农工党示例县委", "body", "proposal"),
    ("no number in the body is taken: 地铁3号线",
     "关于恢复示例站公交站台的建议\n因地铁3号线施工，站台被拆除。因此建议恢复站台。\n",
     "关于恢复示例站公交站台的建议", "", "", "", "unknown", "suggestion"),
    ("a title wrapped over two lines",
     "关于加大对示例县农村人居环境\n整治支持力度的建议\n问题：资金不足。\n建议：设立专项资金。\n",
     "关于加大对示例县农村人居环境整治支持力度的建议", "", "", "", "unknown", "suggestion"),    ("title in book-title marks, affiliation after the name",
     "《关于加快示例市算力建设的提案》\n提案人：张某某（示例中学校长）\n" + ASK,
     "关于加快示例市算力建设的提案", "", "", "张某某", "member", "proposal"),
    ("a 案由 written as sentences is not a title",
     "案由：我市科普场馆数量少，布局不均。\n提案人：李某某\n" + ASK, "", "", "", "李某某", "member", "proposal"),
    ("议案内容 makes it a 人大 text although no deputy is named",
     "关于示例村修建便民桥的建议\n议案内容\n示例村村民出行难。建议县政府修建便民桥。\n",
     "关于示例村修建便民桥的建议", "", "", "", "deputy", "suggestion"),

]


@pytest.mark.parametrize("case", CASES, ids=[c[0] for c in CASES])
def test_header_fields(case: tuple[str, str, str, str, str, str, str, str]) -> None:
    _, text, title, number, session, proposer, ptype, kind = case
    p = parse_proposal(text)
    assert (p.title, p.number, p.session, p.proposer, p.proposer_type, p.kind) == (title, number, session, proposer, ptype, kind)


def test_date_is_read_from_its_field() -> None:
    p = parse_proposal("关于示例的提案\n提案人：钱某某\n提交日期：2025年1月13日\n" + ASK)
    assert p.date == "2025-01-13"
    assert parse_proposal("关于示例的提案\n提案人：钱某某\n" + ASK).date == ""
