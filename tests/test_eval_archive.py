"""`assistant eval archive` on the bundled annotated archive: the drafter leaks nothing it must not write,
states a fair share of the facts a good reply states, and the parser reads every proposal."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from conftest import ROOT
from eval.archive import archive_cases, good_fact_recall, never_cited, parse_exact
from eval.cli import app

ARCHIVE = ROOT / "sample_archives" / "chengjiang"


def test_archive_cases_carry_the_gold() -> None:
    cases = archive_cases(ARCHIVE, "澄江市科学技术局", "东川省澄江市")
    assert len(cases) == 4
    for case in cases:
        assert case.proposal.suggestions and case.good_facts and case.never and case.proposal_text
        assert case.options.reply_date < case.gold_date  # the cap falls on the reply date itself
        assert parse_exact(case) == 1.0


# Every bundled archive: 澄江, which the drafter's rules were built on, and 鹭川 and 青岚, written without them.
ARCHIVES = [ARCHIVE, ROOT / "sample_archives" / "luchuan", ROOT / "sample_archives" / "qinglan"]
_RUNS: dict[Path, Path] = {}


def _run(archive: Path, factory: pytest.TempPathFactory) -> Path:
    if archive not in _RUNS:
        out = factory.mktemp(archive.name) / "run"
        mp = pytest.MonkeyPatch()
        mp.setenv("ASSISTANT_EMBEDDING_MODEL", "hashing")
        mp.setenv("ASSISTANT_LLM_BASE_URL", "")
        try:
            result = CliRunner().invoke(app, ["archive", str(archive), "--out", str(out)])
        finally:
            mp.undo()
        assert result.exit_code == 0, result.output
        _RUNS[archive] = out
    return _RUNS[archive]


@pytest.fixture
def run(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return _run(ARCHIVE, tmp_path_factory)


@pytest.mark.parametrize("archive", ARCHIVES, ids=[a.name for a in ARCHIVES])
def test_no_forbidden_sentence_and_no_unworthy_sentence(archive: Path, tmp_path_factory: pytest.TempPathFactory) -> None:
    run = _run(archive, tmp_path_factory)
    metrics = json.loads((run / "summary.json").read_text(encoding="utf-8"))["metrics"]
    assert metrics["never_cited"]["max"] == 0
    assert metrics["unworthy_share"]["max"] == 0
    assert metrics["citation_validity"]["mean"] == 1.0 and metrics["jurisdiction"]["max"] == 0
    assert metrics["parse_exact"]["mean"] == 1.0
    # A regression floor, well below what the drafter reaches: half the annotated facts are stated.
    assert metrics["good_fact_recall"]["mean"] >= 0.35
    assert (run / "report.html").is_file()


def test_the_measures_catch_a_leak_and_a_missed_fact(run: Path) -> None:
    from assistant.models import Draft
    from eval.runner import load_results

    case = archive_cases(ARCHIVE, "澄江市科学技术局", "东川省澄江市")[0]
    row = load_results(run)[case.case_id]
    draft = Draft.model_validate_json((run / row["draft_file"]).read_text(encoding="utf-8"))
    ids = {n.doc: d for n in case.never for d in [f"id-{n.doc}"]}
    # Writing a forbidden sentence into the body is counted, whatever it cites.
    first = next(s for sec in draft.letter.sections for it in sec.items for s in it.sentences if s.citations)
    first.text = case.never[0].text
    count, hits = never_cited(draft, case, ids)
    assert count is not None and count >= 1 and hits
    # A draft that states nothing states none of the good facts.
    for sec in draft.letter.sections:
        for it in sec.items:
            it.sentences = []
    assert good_fact_recall(draft, case, ids)[0] == 0.0
