"""The bureaus file, settings_for, `assistant --bureau`, and path-like ids on the CLI."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from assistant.bureaus import BureauError, load_bureaus, settings_for
from assistant.cli import app
from assistant.settings import Settings

runner = CliRunner()
TOML = """
[[bureau]]
key = "jia"
name = "甲市科学技术局"
region = "甲省甲市"
issuer_aliases = ["甲市科技局"]

[[bureau]]
key = "yi"
name = "乙市科学技术局"
short = "我委"
region = "乙省乙市"
city_short = "我区"
kb_dir = "yi-kb"
"""
JIA = "甲市量子计算中试平台建设方案\n甲市支持建设量子计算中试平台，已认定3家。\n甲市科学技术局\n2024年5月1日\n"
YI = "乙市氢能产业园建设方案\n乙市支持建设氢能燃料电池中试平台，已认定7家。\n乙市科学技术局\n2024年6月1日\n"


@pytest.fixture
def env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    (tmp_path / "bureaus.toml").write_text(TOML, encoding="utf-8")
    monkeypatch.setenv("ASSISTANT_KB_DIR", str(tmp_path / "kb"))
    monkeypatch.setenv("ASSISTANT_EMBEDDING_MODEL", "hashing")
    monkeypatch.setenv("ASSISTANT_BUREAUS_FILE", str(tmp_path / "bureaus.toml"))
    monkeypatch.delenv("ASSISTANT_BUREAU", raising=False)
    for name, text in (("jia.txt", JIA), ("yi.txt", YI)):
        (tmp_path / name).write_text(text, encoding="utf-8")
    return tmp_path


def test_settings_for_gives_each_bureau_its_profile_folder_and_tenant(env: Path) -> None:
    base = Settings()
    jia, yi = settings_for(base, "jia"), settings_for(base, "yi")
    assert (jia.bureau_name, jia.region, jia.bureau_short, jia.issuer_aliases) == (
        "甲市科学技术局", "甲省甲市", "我局", ["甲市科技局"])
    assert (yi.bureau_short, yi.city_short) == ("我委", "我区")
    assert jia.kb_dir == env / "kb" / "jia" and yi.kb_dir == env / "yi-kb"  # relative to the file
    assert (jia.tenant, yi.tenant) == ("jia", "yi")
    assert jia.kb().collection_name("x", "id") != yi.kb().collection_name("x", "id")
    with pytest.raises(BureauError, match="jia"):
        settings_for(base, "bing")


def test_without_a_file_nothing_changes(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.delenv("ASSISTANT_BUREAUS_FILE", raising=False)
    base = Settings(kb_dir=tmp_path / "kb")
    bureaus = load_bureaus(base)
    assert not bureaus.configured and len(bureaus.items) == 1
    same = settings_for(base, bureaus.items[0].key)
    assert same.model_dump() == base.model_dump()
    # The implicit bureau is found by its key and by the configured name (what older accounts stored).
    assert bureaus.resolve("default") is bureaus.resolve(base.bureau_name) is bureaus.items[0]
    assert bureaus.resolve("另一市科学技术局") is None


@pytest.mark.parametrize(("text", "expected"), [
    ("[[bureau]\nkey = 'a'", "不是合法的 TOML"),
    ("", "至少需要一个 [[bureau]]"),
    ("[[bureau]]\nkey = 'Shi Li'\nname = 'x'\nregion = 'y'", "key 只能由小写字母"),
    ("[[bureau]]\nkey = '../x'\nname = 'x'\nregion = 'y'", "key 只能由小写字母"),
    ("[[bureau]]\nkey = 'a'\nregion = 'y'", "name"),
    ("[[bureau]]\nkey = 'a'\nname = 'x'\nregion = 'y'\ncolour = 'red'", "colour"),
    ("[[bureau]]\nkey = 'a'\nname = 'x'\nregion = 'y'\n[[bureau]]\nkey = 'a'\nname = 'z'\nregion = 'y'",
     "key “a” 重复"),
    ("[[bureau]]\nkey = 'a'\nname = 'x'\nregion = 'y'\n[[bureau]]\nkey = 'b'\nname = 'x'\nregion = 'y'",
     "name “x” 重复"),
    ("[[bureau]]\nkey = 'a'\nname = 'x'\nregion = 'y'\nkb_dir = 'same'\n"
     "[[bureau]]\nkey = 'b'\nname = 'z'\nregion = 'y'\nkb_dir = 'same'", "kb_dir"),
    ("[bureaus]\nkey = 'a'", "未知的顶层项 bureaus"),
])
def test_bad_files_name_the_file_and_the_fix(tmp_path: Path, text: str, expected: str) -> None:
    path = tmp_path / "bureaus.toml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(BureauError) as err:
        load_bureaus(Settings(bureaus_file=path))
    assert str(path) in str(err.value) and expected in str(err.value)


def test_bad_file_stops_the_cli_with_the_reason(env: Path) -> None:
    (env / "bureaus.toml").write_text("[[bureau]]\nkey = 'Bad Key'\nname = 'x'\nregion = 'y'\n", encoding="utf-8")
    result = runner.invoke(app, ["--bureau", "jia", "list"])
    assert result.exit_code == 2 and "bureaus.toml" in result.output and "key 只能由小写字母" in result.output
    (env / "bureaus.toml").unlink()
    result = runner.invoke(app, ["list"])
    assert result.exit_code == 2 and "文件不存在" in result.output


def test_bureau_option_selects_the_knowledge_base(env: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    for key, name in (("jia", "jia.txt"), ("yi", "yi.txt")):
        result = runner.invoke(app, ["--bureau", key, "ingest", str(env / name), "--json"])
        assert result.exit_code == 0, result.output
    assert (env / "kb" / "jia" / "kb.sqlite3").is_file() and (env / "yi-kb" / "kb.sqlite3").is_file()
    jia = json.loads(runner.invoke(app, ["--bureau", "jia", "list", "--json"]).stdout)
    yi = json.loads(runner.invoke(app, ["--bureau", "yi", "list", "--json"]).stdout)
    assert [r["title"] for r in jia] == ["甲市量子计算中试平台建设方案"]
    assert [r["title"] for r in yi] == ["乙市氢能产业园建设方案"]
    hits = json.loads(runner.invoke(app, ["--bureau", "jia", "search", "氢能燃料电池", "--json"]).stdout)["hits"]
    assert {h["doc_id"] for h in hits} <= {jia[0]["doc_id"]}
    # Another bureau's document is unknown here, for show and for delete alike.
    result = runner.invoke(app, ["--bureau", "jia", "show", yi[0]["doc_id"]])
    assert result.exit_code == 1 and "没有这个文档" in result.output
    assert runner.invoke(app, ["--bureau", "jia", "delete", yi[0]["doc_id"]]).exit_code == 1
    assert json.loads(runner.invoke(app, ["--bureau", "yi", "stats", "--json"]).stdout)["documents"] == 1
    assert runner.invoke(app, ["--bureau", "yi", "check"]).exit_code == 0
    # The environment variable does the same as the option.
    monkeypatch.setenv("ASSISTANT_BUREAU", "yi")
    assert json.loads(runner.invoke(app, ["list", "--json"]).stdout)[0]["doc_id"] == yi[0]["doc_id"]
    # A draft signed with the selected bureau's name.
    proposal = env / "p.txt"
    proposal.write_text("关于加快氢能中试平台建设的提案\n建议：一、加快氢能中试平台建设。\n", encoding="utf-8")
    result = runner.invoke(app, ["draft", str(proposal), "--reply-date", "2025-06-30"])
    assert result.exit_code == 0, result.output
    assert "乙市科学技术局" in result.stdout and "甲市" not in result.stdout


def test_unknown_or_missing_bureau_exits_2_listing_the_keys(env: Path) -> None:
    for args in (["--bureau", "bing", "list"], ["--bureau", "bing", "draft", "-"], ["list"], ["stats"]):
        result = runner.invoke(app, args, input="")
        assert result.exit_code == 2, (args, result.output)
        assert "jia（甲市科学技术局）" in result.output and "yi（乙市科学技术局）" in result.output


@pytest.mark.parametrize("bad", ["../../etc/passwd", "..%2F..%2Fetc%2Fpasswd", "/etc/passwd", "C:\\windows\\win.ini",
                                 "../yi-kb/kb.sqlite3", "a\x00b"])
def test_cli_show_and_delete_refuse_path_like_ids(env: Path, bad: str) -> None:
    assert runner.invoke(app, ["--bureau", "jia", "ingest", str(env / "jia.txt")]).exit_code == 0
    before = runner.invoke(app, ["--bureau", "jia", "list", "--json"]).stdout
    # SQLite removes its -wal/-shm files when the last connection closes; they are not documents.
    files = {p: p.stat().st_size for p in env.rglob("*")
             if p.is_file() and "chroma" not in p.parts and not p.name.endswith(("-wal", "-shm"))}
    for command in ("show", "delete"):
        result = runner.invoke(app, ["--bureau", "jia", command, bad])
        assert result.exit_code == 1 and "没有这个文档" in result.output and "root:" not in result.output
    assert runner.invoke(app, ["--bureau", "jia", "list", "--json"]).stdout == before
    assert all(p.exists() for p in files)


def test_eval_run_and_user_list_follow_the_bureau_option(env: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from eval.cases import EvalCase, write_cases
    from eval.cli import app as eval_app

    monkeypatch.setenv("ASSISTANT_VAR_DIR", str(env / "var"))
    monkeypatch.setenv("ASSISTANT_LLM_BASE_URL", "")
    assert runner.invoke(app, ["--bureau", "yi", "ingest", str(env / "yi.txt")]).exit_code == 0
    case = EvalCase(case_id="c1", gold_doc_id="gold", gold_text="乙市氢能答复。", gold_date="2025-01-01",
                    proposal={"title": "关于加快氢能中试平台建设的提案", "suggestions": ["加快氢能中试平台建设"]},
                    options={"bureau_name": "乙市科学技术局", "region": "乙省乙市"})
    write_cases([case], env / "cases.jsonl")
    for key, expected_dir in (("yi", env / "yi-kb"), ("jia", env / "kb" / "jia")):
        out = env / f"run-{key}"
        result = runner.invoke(app, ["--bureau", key, "eval", "run", str(env / "cases.jsonl"), "--out", str(out)])
        if key == "jia":  # nothing ingested there: the message names jia's folder, not yi's
            assert result.exit_code == 2 and str(expected_dir) in result.output
            continue
        assert result.exit_code == 0, result.output
        assert json.loads((out / "run.json").read_text(encoding="utf-8"))["kb_dir"] == str(expected_dir.resolve())
    # Several bureaus and none chosen: eval run refuses to guess, like every KB command.
    assert CliRunner().invoke(eval_app, ["run", str(env / "cases.jsonl")]).exit_code == 2

    for user, bureau in (("zhao", "jia"), ("qian", "yi")):
        made = runner.invoke(app, ["user", "create", user, "--bureau", bureau, "--password", "correct-horse-1"])
        assert made.exit_code == 0, made.output
    listed = runner.invoke(app, ["--bureau", "yi", "user", "list"])
    assert listed.exit_code == 0 and "qian" in listed.stdout and "zhao" not in listed.stdout
    everyone = runner.invoke(app, ["user", "list"]).stdout
    assert "qian" in everyone and "zhao" in everyone


def test_user_create_takes_a_bureau_key_from_the_table(env: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ASSISTANT_VAR_DIR", str(env / "var"))
    monkeypatch.setenv("ASSISTANT_DATABASE_URL", "")
    for args in (["user", "create", "bing1", "--bureau", "bing"], ["user", "create", "yi0", "--bureau", "乙市科学技术局"]):
        result = runner.invoke(app, [*args, "--password", "correct-horse-1"])
        assert result.exit_code == 2 and "未配置单位" in result.output and "jia（甲市科学技术局）" in result.output, args
    # No key and several bureaus: refuses to guess.
    result = runner.invoke(app, ["user", "create", "who", "--password", "correct-horse-1"])
    assert result.exit_code == 2 and "--bureau" in result.output
    # A key added to the file is usable at once: the command syncs the table as the app's start does.
    (env / "bureaus.toml").write_text(TOML + '\n[[bureau]]\nkey = "bing"\nname = "丙市科学技术局"\nregion = "丙省丙市"\n',
                                      encoding="utf-8")
    assert runner.invoke(app, ["user", "create", "bing1", "--bureau", "bing", "--password", "correct-horse-1"]).exit_code == 0
    assert runner.invoke(app, ["--bureau", "yi", "user", "create", "yi1", "--password", "correct-horse-1"]).exit_code == 0
    listed = runner.invoke(app, ["--bureau", "bing", "user", "list"]).stdout
    assert "bing1" in listed and "yi1" not in listed
