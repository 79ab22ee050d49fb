"""build-cases: a reply becomes a case whose proposal is recovered from the reply itself."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import typer
from typer.testing import CliRunner

from conftest import shared_path
from eval.cases import build_cases, day_before, load_cases, proposal_title, proposer_of, write_cases
from eval.cli import app, register
from vectorstore.kb import KnowledgeBase

PER_SUGGESTION = """示例市科学技术局关于市政协十届二次会议第45号提案答复的函
示科函〔2023〕7号
王某某委员：
您提出的《关于加快中试平台建设的提案》（第45号）收悉。现答复如下：
一、对“加快建设中试平台”建议的回复
2022年，全市建成市级中试平台8家，兑现补助1200万元。
二、对“完善人才政策”建议的回复
我局修订人才计划，新增青年人才专项。
三、下一步工作计划
继续加快建设。
感谢您对我市科技工作的关心和支持。
示例市科学技术局
2023年6月28日
"""
THEMATIC = """示例市科学技术局关于市十七届人大二次会议第63号建议答复的函
李某某代表：
您提出的“关于加大科技型中小企业信贷支持力度的建议”收悉。现答复如下：
一、工作开展情况
（一）扩大风险补偿资金池
2022年，资金池规模扩大到5000万元。
（二）推出科技信贷产品
合作银行推出“示科贷”，累计放款3.2亿元。
二、下一步工作打算
继续扩大信贷规模。
感谢您对我市科技工作的关心和支持。
示例市科学技术局
2022年8月10日
"""
CO_HANDLING = """示例市科学技术局关于市政协十届二次会议第50号提案的会办意见
市工业和信息化局：
王某某委员提出的《关于发展数字经济的提案》收悉。经研究，现将会办意见函告如下：
我局支持数字经济企业申报科技计划项目。
示例市科学技术局
2023年5月10日
"""
UNDATED = """示例市科学技术局关于市政协十届二次会议第51号提案答复的函
张某某委员：
您提出的《关于加强科普工作的提案》（第51号）收悉。现答复如下：
一、工作开展情况
我局每年举办科技活动周。
感谢您对我市科技工作的关心和支持。
"""
POLICY = """示例市中试平台建设管理办法
第一条 为加快中试平台建设，制定本办法。
第二条 本办法自印发之日起施行。
"""
MANIFEST = (
    "file\tkind\tissuer\tregion\tdate\tproposal_number\ttitle\n"
    "replies/ta045.txt\treply\t示例市科学技术局\t示例省示例市\t2023-06-28\t\t\n"
    "replies/jy063.txt\t\t示例市科学技术局（示例注）\t示例省示例市\t\t\t\n"
    "replies/huiban.txt\treply\t示例市科学技术局\t示例省示例市\t2023-05-10\t\t\n"
    "replies/undated.txt\treply\t示例市科学技术局\t示例省示例市\t\t\t\n"
    "policy.txt\tpolicy\t示例市人民政府办公厅\t示例省示例市\t2022-04-18\t\t\n"
)


@pytest.fixture
def corpus(tmp_path: Path) -> Path:
    root = tmp_path / "corpus"
    (root / "replies").mkdir(parents=True)
    for name, text in (("replies/ta045.txt", PER_SUGGESTION), ("replies/jy063.txt", THEMATIC),
                       ("replies/huiban.txt", CO_HANDLING), ("replies/undated.txt", UNDATED),
                       ("policy.txt", POLICY), ("unlisted.txt", POLICY + "未列入清单。")):
        (root / name).write_text(text, encoding="utf-8")
    (root / "MANIFEST.tsv").write_text(MANIFEST, encoding="utf-8")
    return root


def test_cases_from_replies(corpus: Path) -> None:
    report = build_cases([corpus], [corpus / "MANIFEST.tsv"])
    by_key = {c.source_key: c for c in report.cases}
    assert sorted(by_key) == ["replies/jy063.txt", "replies/ta045.txt"]
    ta = by_key["replies/ta045.txt"]
    assert ta.proposal.title == "关于加快中试平台建设的提案"
    assert (ta.proposal.number, ta.proposal.session) == ("45", "市政协十届二次会议")
    assert (ta.proposal.proposer, ta.proposal.proposer_type, ta.proposal.kind) == ("王某某", "member", "proposal")
    assert ta.proposal.suggestions == ["加快建设中试平台", "完善人才政策"]
    assert ta.gold_date == "2023-06-28" and ta.options.reply_date == "2023-06-27"
    assert ta.options.layout == "per_suggestion"
    assert (ta.options.bureau_name, ta.options.region) == ("示例市科学技术局", "示例省示例市")
    assert ta.options.exclude_doc_ids == [ta.gold_doc_id]
    assert ta.gold_text.startswith("示例市科学技术局关于市政协十届二次会议第45号提案答复的函")
    jy = by_key["replies/jy063.txt"]
    assert jy.proposal.title == "关于加大科技型中小企业信贷支持力度的建议"
    assert (jy.proposal.proposer, jy.proposal.proposer_type, jy.proposal.kind) == ("李某某", "deputy", "suggestion")
    assert jy.proposal.suggestions == ["扩大风险补偿资金池", "推出科技信贷产品"]  # from the （一） items
    assert jy.gold_date == "2022-08-10"  # no date in the manifest: the letter's own
    assert jy.options.bureau_name == "示例市科学技术局" and jy.options.layout == "thematic"
    reasons = report.reasons()
    assert len(report.skipped) == 2
    assert any("co-handling" in r for r in reasons) and any("no reply date" in r for r in reasons)
    assert report.not_replies == 1 and report.unlisted == 1


def test_gold_doc_ids_are_the_ids_the_knowledge_base_stores(corpus: Path, kb: KnowledgeBase) -> None:
    kb.ingest([corpus], manifest=corpus / "MANIFEST.tsv")
    stored = {r["source_path"]: r["doc_id"] for r in kb.store.meta_rows()}
    for case in build_cases([corpus], [corpus / "MANIFEST.tsv"]).cases:
        assert stored[case.source_key] == case.gold_doc_id
        doc = kb.get(case.gold_doc_id)
        assert doc is not None and doc.text == case.gold_text


def test_the_same_reply_listed_twice_excludes_both_ids(tmp_path: Path) -> None:
    (tmp_path / "a.txt").write_text(PER_SUGGESTION, encoding="utf-8")
    (tmp_path / "b.txt").write_text(PER_SUGGESTION, encoding="utf-8")
    cases = build_cases([tmp_path], []).cases
    assert len(cases) == 2
    assert cases[0].options.exclude_doc_ids == cases[1].options.exclude_doc_ids
    assert len(cases[0].options.exclude_doc_ids) == 2


def test_case_file_is_readable_and_correctable(corpus: Path, tmp_path: Path) -> None:
    cases = build_cases([corpus], [corpus / "MANIFEST.tsv"]).cases
    path = tmp_path / "cases.jsonl"
    write_cases(cases, path)
    lines = path.read_text(encoding="utf-8").splitlines()
    assert len(lines) == len(cases)
    assert "加快建设中试平台" in lines[0] or "加快建设中试平台" in lines[1]  # Chinese as is, not \\u escapes
    row = json.loads(lines[0])
    row["proposal"]["suggestions"] = ["人工修改的建议"]
    path.write_text("# corrected by hand\n" + json.dumps(row, ensure_ascii=False) + "\n\n" + lines[1] + "\n", encoding="utf-8")
    loaded = load_cases(path)
    assert loaded[0].proposal.suggestions == ["人工修改的建议"]
    path.write_text(lines[0] + "\n" + lines[0] + "\n", encoding="utf-8")
    with pytest.raises(ValueError, match="duplicate"):
        load_cases(path)


def test_small_parsers() -> None:
    assert day_before("2024-03-01") == "2024-02-29"
    assert day_before("2024-07") == "2024-06-30"
    assert day_before("2024") == "2023-12-31"
    assert proposal_title("您提出的关于“关于立即制订《示例市科技创新条例》的提案”的提案收悉。") == "关于立即制订《示例市科技创新条例》的提案"
    assert proposal_title("您提出的关于加速推进院士专家工作站的建议收悉。") == "关于加速推进院士专家工作站的建议"
    assert proposer_of("吴某某委员：") == ("吴某某", "member")
    assert proposer_of("杨某、陈某委员") == ("杨某、陈某", "member")
    assert proposer_of("杨某代表、赵某代表") == ("杨某、赵某", "deputy")
    assert proposer_of("杜某某等10名代表") == ("杜某某等10名", "deputy")
    assert proposer_of("民建示例市委") == ("民建示例市委", "body")
    assert proposer_of("县政协社会和法制委员会") == ("县政协社会和法制委员会", "body")


def test_build_cases_command(corpus: Path, tmp_path: Path) -> None:
    out = tmp_path / "cases.jsonl"
    result = CliRunner().invoke(app, ["build-cases", str(corpus), "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert "2 cases written" in result.output and "2 replies skipped" in result.output
    assert len(load_cases(out)) == 2


def test_register_adds_the_eval_group() -> None:
    root = typer.Typer()

    @root.command()
    def other() -> None:
        """Another command, so the root stays a group."""

    register(root)
    result = CliRunner().invoke(root, ["eval", "--help"])
    assert result.exit_code == 0
    assert "build-cases" in result.output and "compare" in result.output


@pytest.mark.shared
def test_seed_replies() -> None:
    seeds = shared_path("seeds")
    cases = build_cases([seeds], [seeds / "MANIFEST.tsv"]).cases
    by_number = {c.proposal.number: c for c in cases}
    guangzhou, luzhou = by_number["4136"], by_number["114"]
    assert len(guangzhou.proposal.suggestions) == 4
    assert guangzhou.options.layout == "per_suggestion"
    assert guangzhou.proposal.proposer_type == "member"
    assert luzhou.proposal.number == "114" and luzhou.proposal.proposer_type == "body"
    assert luzhou.gold_date == "2024-07-29" and luzhou.options.reply_date == "2024-07-28"
