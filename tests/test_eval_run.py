"""eval run: leave-one-out (no leakage), resumability, failures recorded, outputs, compare, the CLI."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from assistant.models import Checks, Draft, DraftOptions, Item, Letter, Proposal, Section, Sentence
from assistant.settings import Settings, make_kb_config
from conftest import shared_path
from eval.cases import EvalCase, build_cases, load_cases, write_cases
from eval.cli import app
from eval.compare import compare_runs, write_comparison
from eval.runner import RunConfigError, leave_one_out, load_results, run_eval
from vectorstore.embed import HashingEmbedder
from vectorstore.kb import KnowledgeBase

GOLD = """示例市科学技术局关于市政协十届二次会议第45号提案答复的函
王某某委员：
您提出的《关于加快中试平台建设的提案》（第45号）收悉。现答复如下：
一、工作开展情况
（一）加快建设中试平台
2022年，全市建成市级中试平台8家，兑现中试平台补助1200万元，服务企业150余家。
（二）完善中试平台政策
我局出台中试平台认定办法，对新认定的中试平台给予最高300万元补助。
二、下一步工作打算
下一步，我局将继续加快中试平台建设，力争2025年建成中试平台20家。
感谢您对我市科技工作的关心和支持。
示例市科学技术局
2023年6月28日
"""
LATER = """示例市科学技术局2023年工作总结
2023年，全市建成市级中试平台12家，兑现中试平台补助1660万元，服务企业210家。
我局出台中试平台认定办法，对新认定的中试平台给予最高300万元补助，中试平台建设成效明显。
示例市科学技术局
2023年12月20日
"""
EARLIER = """示例市中试平台建设情况通报
2021年，全市建成市级中试平台5家，中试平台服务企业96家。
示例市将加快中试平台建设，完善中试平台支持政策。
示例市科学技术局
2022年1月15日
"""
MANIFEST = (
    "file\tkind\tissuer\tregion\tdate\n"
    "gold.txt\treply\t示例市科学技术局\t示例省示例市\t2023-06-28\n"
    "later.txt\tnews\t示例市科学技术局\t示例省示例市\t2023-12-20\n"
    "earlier.txt\tnews\t示例市科学技术局\t示例省示例市\t2022-01-15\n"
)


@pytest.fixture
def setup(tmp_path: Path) -> tuple[KnowledgeBase, Settings, list[EvalCase], Path]:
    docs = tmp_path / "docs"
    docs.mkdir()
    for name, text in (("gold.txt", GOLD), ("later.txt", LATER), ("earlier.txt", EARLIER)):
        (docs / name).write_text(text, encoding="utf-8")
    (docs / "MANIFEST.tsv").write_text(MANIFEST, encoding="utf-8")
    kb_dir = tmp_path / "kb"
    kb = KnowledgeBase(make_kb_config(kb_dir, embedding_model="hashing"), embedder=HashingEmbedder())
    assert not kb.ingest([docs], manifest=docs / "MANIFEST.tsv").failed
    settings = Settings(kb_dir=kb_dir, embedding_model="hashing", llm_base_url="", bureau_name="示例市科学技术局",
                        region="示例省示例市")
    cases = build_cases([docs], [docs / "MANIFEST.tsv"]).cases
    assert len(cases) == 1
    return kb, settings, cases, docs


class RecordingDrafter:
    """Returns a small fixed letter and remembers what it was asked; raises for the ids in ``fail``."""

    def __init__(self, fail: tuple[str, ...] = ()) -> None:
        self.calls: list[tuple[Proposal, DraftOptions]] = []
        self.fail = fail

    def draft(self, proposal: Proposal, options: DraftOptions) -> Draft:
        self.calls.append((proposal, options))
        if proposal.number in self.fail:
            raise RuntimeError(f"cannot draft {proposal.number}")
        letter = Letter(title="标题", salutation="王某某委员：", opening="您提出的提案收悉。", closing="感谢。",
                        signature="示例市科学技术局", date="2023年6月27日", sections=[
                            Section(heading="一、工作开展情况", role="work",
                                    items=[Item(sentences=[Sentence(text="我局加快中试平台建设。")])]),
                            Section(heading="二、下一步工作打算", role="plan",
                                    items=[Item(sentences=[Sentence(text="继续推进。")])]),
                        ])
        return Draft(proposal=proposal, options=options, letter=letter, checks=Checks(structure=True, coverage=[True]))


def _no_verify(draft: Draft, kb: KnowledgeBase, settings: Settings) -> Draft:
    return draft


def _copies(case: EvalCase, numbers: list[str]) -> list[EvalCase]:
    out = []
    for n in numbers:
        c = case.model_copy(deep=True)
        c.case_id, c.proposal.number = f"{case.case_id}-{n}", n
        out.append(c)
    return out


def test_options_exclude_the_gold_and_cap_the_date(setup: tuple, tmp_path: Path) -> None:
    kb, settings, cases, _ = setup
    case = cases[0]
    case.options.exclude_doc_ids = []  # even a case file edited by hand cannot let the gold in
    case.options.reply_date = "2030-01-01"
    drafter = RecordingDrafter()
    run_eval([case], kb, settings, tmp_path / "run", drafter=drafter, verify=_no_verify)
    (_, options), = drafter.calls
    assert case.gold_doc_id in options.exclude_doc_ids
    assert options.reply_date == "2023-06-27"
    assert options.engine == "compose"


def test_a_stored_copy_of_the_gold_under_another_id_is_excluded(setup: tuple) -> None:
    kb, _, cases, _ = setup
    case = cases[0].model_copy(deep=True)
    real_id = case.gold_doc_id
    case.gold_doc_id, case.options.exclude_doc_ids = "renamed-00000000", []
    assert real_id in leave_one_out(case, kb, "compose").exclude_doc_ids


def test_the_real_drafter_cites_neither_the_gold_nor_later_documents(setup: tuple, tmp_path: Path) -> None:
    kb, settings, cases, _ = setup
    ids = {r["title"]: r["doc_id"] for r in kb.store.meta_rows()}
    later = next(d for t, d in ids.items() if "工作总结" in t)
    earlier = next(d for t, d in ids.items() if "通报" in t)
    out = tmp_path / "run"
    outcome = run_eval(cases, kb, settings, out)  # the real Drafter and verify
    assert outcome.failed == 0, load_results(out)
    row = load_results(out)[cases[0].case_id]
    draft = Draft.model_validate_json((out / row["draft_file"]).read_text(encoding="utf-8"))
    cited = {s.doc_id for s in draft.sources}
    assert cases[0].gold_doc_id not in cited and later not in cited
    assert cited == {earlier}
    assert row["metrics"]["leakage"] == 0
    assert row["metrics"]["citation_validity"] == 1.0
    # The control: left open, the drafter does reach for the gold or the later document.
    from assistant.drafting import Drafter

    open_options = cases[0].options.model_copy(update={"exclude_doc_ids": [], "reply_date": "2024-12-31"})
    reached = {s.doc_id for s in Drafter(settings, kb).draft(cases[0].proposal, open_options).sources}
    assert reached & {cases[0].gold_doc_id, later}


def test_a_rerun_skips_done_cases_and_retries_failed_ones(setup: tuple, tmp_path: Path) -> None:
    kb, settings, cases, _ = setup
    batch = _copies(cases[0], ["1", "2", "3"])
    out = tmp_path / "run"
    first = RecordingDrafter(fail=("2",))
    outcome = run_eval(batch, kb, settings, out, drafter=first, verify=_no_verify)
    assert (outcome.done, outcome.failed, len(first.calls)) == (2, 1, 3)
    results = load_results(out)
    assert not results[batch[1].case_id]["ok"] and "cannot draft 2" in results[batch[1].case_id]["error"]
    assert results[batch[2].case_id]["ok"]  # the failure did not stop the run
    summary = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    assert summary["scored"] == 2 and summary["errors"] == 1
    assert summary["failed_cases"] == {batch[1].case_id: "RuntimeError: cannot draft 2"}

    again = RecordingDrafter(fail=("2",))
    assert run_eval(batch, kb, settings, out, drafter=again, verify=_no_verify, retry_errors=False).skipped == 3
    assert again.calls == []
    fixed = RecordingDrafter()
    outcome = run_eval(batch, kb, settings, out, drafter=fixed, verify=_no_verify)
    assert [p.number for p, _ in fixed.calls] == ["2"] and outcome.skipped == 2
    assert json.loads((out / "summary.json").read_text(encoding="utf-8"))["errors"] == 0


def test_a_case_with_a_broken_date_is_recorded_not_fatal(setup: tuple, tmp_path: Path) -> None:
    kb, settings, cases, _ = setup
    batch = _copies(cases[0], ["1", "2"])
    batch[0].gold_date = "2023-13-45"  # a slip while correcting the case file by hand
    outcome = run_eval(batch, kb, settings, tmp_path / "run", drafter=RecordingDrafter(), verify=_no_verify)
    assert (outcome.done, outcome.failed) == (1, 1)
    assert "ValueError" in load_results(tmp_path / "run")[batch[0].case_id]["error"]


def test_outputs_and_limit(setup: tuple, tmp_path: Path) -> None:
    kb, settings, cases, _ = setup
    batch = _copies(cases[0], ["1", "2", "3"])
    batch[0].gold_text += "\n<script>alert('x')</script>"
    out = tmp_path / "run"
    run_eval(batch, kb, settings, out, limit=2, drafter=RecordingDrafter(), verify=_no_verify, cases_path="cases.jsonl")
    summary = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    assert summary["cases"] == 2 and summary["config"]["limit"] == 2
    assert summary["metrics"]["structure"]["mean"] == 1.0
    with (out / "cases.csv").open(encoding="utf-8-sig") as fh:
        rows = list(csv.DictReader(fh))
    assert [r["case_id"] for r in rows] == [c.case_id for c in batch[:2]]
    html = (out / "report.html").read_text(encoding="utf-8")
    assert "<script>alert" not in html and "&lt;script&gt;" in html
    assert "data:image/png;base64," in html and "我局加快中试平台建设。" in html


def test_a_run_directory_keeps_its_configuration(setup: tuple, tmp_path: Path) -> None:
    kb, settings, cases, _ = setup
    out = tmp_path / "run"
    run_eval(cases, kb, settings, out, drafter=RecordingDrafter(), verify=_no_verify)
    with pytest.raises(RunConfigError, match="engine"):
        run_eval(cases, kb, settings, out, engine="llm", drafter=RecordingDrafter(), verify=_no_verify)


def test_compare_two_runs(setup: tuple, tmp_path: Path) -> None:
    kb, settings, cases, _ = setup
    run_a, run_b = tmp_path / "a", tmp_path / "b"
    run_eval(cases, kb, settings, run_a, drafter=RecordingDrafter(), verify=_no_verify)
    run_eval(cases, kb, settings, run_b)  # the real drafter, which cites its sources
    diffs, counts = compare_runs(run_a, run_b)
    assert counts == {"a": 1, "b": 1, "shared": 1}
    by_name = {d.name: d for d in diffs}
    assert by_name["structure"].mean_a == 1.0
    assert all(d.better + d.worse <= 1 for d in diffs)
    write_comparison(run_a, run_b, tmp_path / "cmp")
    assert (tmp_path / "cmp" / "compare.png").stat().st_size > 0
    assert "delta" in (tmp_path / "cmp" / "compare.html").read_text(encoding="utf-8")
    result = CliRunner().invoke(app, ["compare", str(run_a), str(run_b), "--out", str(tmp_path / "cmp2"), "--json"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.output)["counts"]["shared"] == 1


def test_run_command(setup: tuple, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    kb, _, cases, _ = setup
    monkeypatch.setenv("ASSISTANT_EMBEDDING_MODEL", "hashing")
    monkeypatch.setenv("ASSISTANT_LLM_BASE_URL", "")
    path = tmp_path / "cases.jsonl"
    write_cases(cases, path)
    out = tmp_path / "run"
    result = CliRunner().invoke(app, ["run", str(path), "--kb", str(kb.config.kb_dir), "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert "1 drafted" in result.output
    assert (out / "summary.json").exists() and (out / "report.html").exists()
    again = CliRunner().invoke(app, ["run", str(path), "--kb", str(kb.config.kb_dir), "--out", str(out)])
    assert "1 already done" in again.output
    bad = CliRunner().invoke(app, ["run", str(path), "--kb", str(tmp_path / "nowhere")])
    assert bad.exit_code == 2


@pytest.mark.shared
def test_quick_run_on_shared_replies(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    seeds, corpus = shared_path("seeds"), shared_path("corpus")
    monkeypatch.setenv("ASSISTANT_EMBEDDING_MODEL", "hashing")
    monkeypatch.setenv("ASSISTANT_LLM_BASE_URL", "")
    monkeypatch.setenv("ASSISTANT_KB_DIR", str(tmp_path / "kb"))
    kb = KnowledgeBase(make_kb_config(tmp_path / "kb", embedding_model="hashing"), embedder=HashingEmbedder())
    for root in (seeds, corpus):
        assert not kb.ingest([root], manifest=root / "MANIFEST.tsv").failed
    cases_path, out = tmp_path / "cases.jsonl", tmp_path / "run"
    runner = CliRunner()
    built = runner.invoke(app, ["build-cases", str(seeds), str(corpus), "--manifest", str(seeds / "MANIFEST.tsv"),
                                "--manifest", str(corpus / "MANIFEST.tsv"), "--out", str(cases_path)])
    assert built.exit_code == 0, built.output
    assert len(load_cases(cases_path)) >= 3
    ran = runner.invoke(app, ["run", str(cases_path), "--kb", str(tmp_path / "kb"), "--out", str(out), "--limit", "3"])
    assert ran.exit_code == 0, ran.output
    summary = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    assert summary["scored"] == 3, summary["failed_cases"]
    # Every citation made is valid (a case whose bureau has no own material in the corpus cites nothing).
    assert summary["metrics"]["citation_validity"]["mean"] in (None, 1.0)
    assert summary["metrics"]["leakage"]["max"] == 0
    assert summary["metrics"]["jurisdiction"]["max"] in (None, 0)
