"""A clause of a policy for another programme answers an ask only when the ask names no programme of its own
and the clause names what it asks for."""

from __future__ import annotations

from pathlib import Path

from assistant.evidence import gather, names_subject
from assistant.models import DraftOptions, Proposal
from assistant.rules.jurisdiction import Jurisdiction
from vectorstore.kb import KnowledgeBase

TALENT = ("示例市“英才计划”科技创新人才项目实施细则\n"
          "第十二条 入选人才可按规定享受子女入学、医疗保健、住房保障等服务，由市人才服务中心统一办理。\n")
PLEDGE = ("示例市知识产权质押融资风险补偿资金管理办法\n"
          "第五条 合作银行向本市科技型中小企业、高新技术企业发放的知识产权质押贷款，单户贷款金额不超过1000万元。\n")


def test_naming_the_ask_takes_two_of_its_terms_one_of_them_long() -> None:
    subject = {"子女入学", "住房", "服务保障", "港澳"}
    assert names_subject("入选人才可按规定享受子女入学、医疗保健、住房保障等服务。", subject)
    assert not names_subject("入选人才可享受住房保障。", subject)  # one term
    assert not names_subject("港澳人才享受住房补贴。", subject)  # two short terms


def test_a_services_clause_answers_a_services_ask_but_not_an_ask_naming_its_own_programmes(
        kb: KnowledgeBase, tmp_path: Path) -> None:
    folder = tmp_path / "docs"
    folder.mkdir()
    (folder / "talent.txt").write_text(TALENT, encoding="utf-8")
    (folder / "pledge.txt").write_text(PLEDGE, encoding="utf-8")
    (folder / "MANIFEST.tsv").write_text(
        "file\tkind\tissuer\tregion\tdate\tproposal_number\ttitle\tsource\n"
        "talent.txt\tpolicy\t示例市科学技术局\t示例省示例市\t2023-02-20\t\t示例市“英才计划”科技创新人才项目实施细则\ttest\n"
        "pledge.txt\tpolicy\t示例市科学技术局\t示例省示例市\t2020-04-01\t\t示例市知识产权质押融资风险补偿资金管理办法\ttest\n",
        encoding="utf-8")
    assert not kb.ingest([folder], manifest=folder / "MANIFEST.tsv").failed
    options = DraftOptions(bureau_name="示例市科学技术局", region="示例省示例市", reply_date="2024-07-01")
    proposal = Proposal(title="关于深化国际和港澳科技合作的提案", suggestions=[
        "完善港澳科研人员来示工作的服务保障，在住房、子女入学等方面出台专门举措。",
        "强化科技型企业梯度培育，推动更多科技型中小企业成长为高新技术企业。",
    ])
    own = gather(kb, proposal, options, Jurisdiction("示例市科学技术局", "示例省示例市")).own
    assert any(c.suggestion_index == 0 and "子女入学" in c.text for c in own)
    assert not any(c.suggestion_index == 1 and "质押贷款" in c.text for c in own)
