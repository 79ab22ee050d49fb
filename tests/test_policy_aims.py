"""A policy is cited by what it does: the aims its preamble states, not the directives it implements."""

from __future__ import annotations

from pathlib import Path

import pytest

from assistant.engines.compose.rewrite import Writer
from assistant.evidence import gather
from assistant.models import DraftOptions, Proposal
from assistant.rules.flags import FlagCode
from assistant.rules.jurisdiction import Jurisdiction
from assistant.rules.worthiness import preamble_aims, sentence_flags
from vectorstore.kb import KnowledgeBase

PREAMBLE = ("为深入贯彻党的二十大精神，落实市委部署，进一步促进科技成果高质量转移转化，构建以企业为主体、市场为导向的"
            "科技成果转化体系，推动科技成果需求端、供给端、服务端同向发力，完善从技术到产品再到产业的转化链条，"
            "推动新质生产力加快形成，制定本措施。")
TITLE = "示例市进一步促进科技成果转移转化若干措施"


def _aims(sentence: str, title: str = TITLE) -> str | None:
    found = preamble_aims(sentence, title)
    return sentence[found[0] : found[1]] if found else None


def test_the_aims_after_the_directives_and_not_the_title_said_again() -> None:
    assert _aims(PREAMBLE) == ("构建以企业为主体、市场为导向的科技成果转化体系，推动科技成果需求端、供给端、服务端同向发力，"
                               "完善从技术到产品再到产业的转化链条")


def test_an_opinions_preamble_and_a_title_said_again_after_the_first_aim() -> None:
    sentence = ("为贯彻落实《示例市科技创新条例》等文件精神，进一步引导金融资源向科技创新领域配置，进一步促进科技、金融与产业"
                "融合发展，加快建设科技创新强市，经市人民政府同意，现提出以下实施意见：")
    assert _aims(sentence, "关于新时期进一步促进科技金融与产业融合发展的实施意见") == "进一步引导金融资源向科技创新领域配置"


@pytest.mark.parametrize("sentence", [
    "为规范市级科技计划项目管理，根据有关规定，制定本办法。",  # an aim of managing, not an act of the policy
    "本措施自印发之日起施行，有效期五年。",
    "构建以企业为主体的科技成果转化体系。",  # not a preamble
])
def test_no_aims_where_a_preamble_states_none(sentence: str) -> None:
    assert _aims(sentence) is None


def test_a_preamble_gives_a_candidate_of_its_aims(kb: KnowledgeBase, tmp_path: Path) -> None:
    folder = tmp_path / "docs"
    folder.mkdir()
    text = f"{TITLE}\n{PREAMBLE}\n一、对新认定的市级中试平台给予最高500万元补助。\n"
    (folder / "policy.txt").write_text(text, encoding="utf-8")
    (folder / "MANIFEST.tsv").write_text(
        "file\tkind\tissuer\tregion\tdate\tproposal_number\ttitle\tsource\n"
        f"policy.txt\tpolicy\t示例市人民政府办公室\t示例省示例市\t2024-04-22\t\t{TITLE}\ttest\n", encoding="utf-8")
    assert not kb.ingest([folder], manifest=folder / "MANIFEST.tsv").failed
    options = DraftOptions(bureau_name="示例市科学技术局", region="示例省示例市", reply_date="2024-07-25")
    proposal = Proposal(title="关于打通成果转化市场路径的提案", suggestions=["整合创新资源，全要素加速成果转化服务"])
    own = gather(kb, proposal, options, Jurisdiction("示例市科学技术局", "示例省示例市")).own
    aim = next(c for c in own if c.text.startswith("构建以企业为主体"))
    doc = kb.get(aim.doc_id)
    assert doc is not None and doc.text[aim.start : aim.end] == aim.quote and aim.text == aim.quote + "。"
    written = Writer(options, Jurisdiction("示例市科学技术局", "示例省示例市")).work(aim)
    assert written.endswith("提出构建以企业为主体、市场为导向的科技成果转化体系，推动科技成果需求端、供给端、服务端同向发力，"
                            "完善从技术到产品再到产业的转化链条。") and f"《{TITLE}》" in written
    assert not aim.context and not sentence_flags(written, [aim.meta], options.reply_date, quotes=[aim.quote])
    # The whole preamble stays what it is.
    whole = next(c for c in own if "制定本措施" in c.quote)
    assert FlagCode.PREAMBLE in {f.code for f in sentence_flags(whole.text, [whole.meta], options.reply_date,
                                                                 quotes=[whole.quote])}
