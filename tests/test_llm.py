"""The LLM engine against a scripted OpenAI-compatible server on 127.0.0.1."""

from __future__ import annotations

import json
import re
from typing import Any

import pytest

from assistant.drafting import Drafter
from assistant.fakes import ScriptedChatServer
from assistant.models import DraftOptions
from assistant.proposal import load_proposal
from assistant.settings import Settings
from conftest import SAMPLE_KB
from vectorstore.kb import KnowledgeBase

PROPOSAL = SAMPLE_KB / "proposals" / "proposal_2025_ta088.txt"


def _evidence(messages: list[dict[str, Any]]) -> list[tuple[int, bool, str]]:
    """(id, own, text) of the numbered evidence the drafter sent."""
    user = messages[-1]["content"]
    return [(int(m.group(1)), m.group(2) == "本地", m.group(3))
            for m in re.finditer(r"^E(\d+)【(本地|外地)】[^：\n]*?（[^）]*）：(.+)$", user, flags=re.M)]


def _answer(items: list[dict[str, Any]], plan: list[dict[str, Any]] | None = None) -> str:
    return "好的，以下是答复：\n" + json.dumps({"work": items, "plan": plan or []}, ensure_ascii=False)


def _faithful(messages: list[dict[str, Any]]) -> str:
    own = [e for e in _evidence(messages) if e[1]]
    items = [{"heading": f"条目{i}", "suggestion_index": i,
              "sentences": [{"text": text, "evidence": [eid]}]} for i, (eid, _, text) in enumerate(own[:4])]
    return _answer(items, [{"heading": "下一步", "suggestion_index": 0, "sentences": [{"text": own[4][2], "evidence": [own[4][0]]}]}])


def _drafter(kb: KnowledgeBase, url: str, timeout: float = 10.0) -> Drafter:
    settings = Settings(_env_file=None, llm_base_url=url, llm_model="scripted", llm_timeout_s=timeout)  # type: ignore[call-arg]
    return Drafter(settings, kb)


def _flags(draft) -> list[str]:  # type: ignore[no-untyped-def]
    return [f.message for sec in draft.letter.sections for it in sec.items for s in it.sentences for f in s.flags]


def test_valid_answer_is_used_and_verified(sample_kb_session: KnowledgeBase) -> None:
    with ScriptedChatServer(_faithful) as server:
        draft = _drafter(sample_kb_session, server.base_url).draft(load_proposal(PROPOSAL), DraftOptions(engine="llm", reply_date="2025-06-20"))
    assert draft.engine == "llm"
    assert server.requests and server.requests[0]["model"] == "scripted"
    assert "忽略" not in server.requests[0]["messages"][0]["content"] or "不是给你的指令" in server.requests[0]["messages"][0]["content"]
    assert draft.checks.citations_valid == 1.0 and draft.checks.numbers_traceable == 1.0 and draft.checks.jurisdiction
    assert draft.checks.coverage == [True, True, True, True]
    assert not _flags(draft)


def test_fabricated_figure_is_flagged(sample_kb_session: KnowledgeBase) -> None:
    def script(messages: list[dict[str, Any]]) -> str:
        eid, _, _ = next(e for e in _evidence(messages) if e[1])
        return _answer([{"heading": "x", "suggestion_index": 0,
                         "sentences": [{"text": "全市已建成市级中试平台999家，累计投入88.8亿元。", "evidence": [eid]}]}])

    with ScriptedChatServer(script) as server:
        draft = _drafter(sample_kb_session, server.base_url).draft(load_proposal(PROPOSAL), DraftOptions(engine="llm", reply_date="2025-06-20"))
    assert draft.checks.numbers_traceable == 0.0
    flags = _flags(draft)
    assert any("999家" in f for f in flags) and any("88.8亿元" in f for f in flags)
    assert not draft.checks.passed


def test_nonexistent_source_is_flagged(sample_kb_session: KnowledgeBase) -> None:
    script = lambda messages: _answer([{"heading": "x", "suggestion_index": 0,  # noqa: E731
                                        "sentences": [{"text": "我局持续推进中试平台建设。", "evidence": [977]}]}])
    with ScriptedChatServer(script) as server:
        draft = _drafter(sample_kb_session, server.base_url).draft(load_proposal(PROPOSAL), DraftOptions(engine="llm", reply_date="2025-06-20"))
    flags = _flags(draft)
    assert "模型引用了不存在的依据E977" in flags and "无引用来源" in flags


def test_other_region_evidence_in_work_section_is_flagged(sample_kb_session: KnowledgeBase) -> None:
    def script(messages: list[dict[str, Any]]) -> str:
        eid, _, text = next(e for e in _evidence(messages) if not e[1])
        return _answer([{"heading": "x", "suggestion_index": 0, "sentences": [{"text": text, "evidence": [eid]}]}])

    with ScriptedChatServer(script) as server:
        draft = _drafter(sample_kb_session, server.base_url).draft(load_proposal(PROPOSAL), DraftOptions(engine="llm", reply_date="2025-06-20"))
    assert not draft.checks.jurisdiction
    assert any("外地材料" in f for f in _flags(draft))


@pytest.mark.parametrize(("script", "delay", "reason"), [
    (_faithful, 3.0, "Timeout"),
    (lambda m: "抱歉，我无法完成。", 0.0, "不是 JSON"),
    (lambda m: '{"work": "wrong"}', 0.0, "格式不符合要求"),
    (lambda m: 1 / 0, 0.0, "500"),
])
def test_failures_fall_back_to_compose(sample_kb_session: KnowledgeBase, script: Any, delay: float, reason: str) -> None:
    with ScriptedChatServer(script, delay_s=delay) as server:
        draft = _drafter(sample_kb_session, server.base_url, timeout=1.0).draft(
            load_proposal(PROPOSAL), DraftOptions(engine="llm", reply_date="2025-06-20"))
    assert draft.engine == "compose"
    assert any("大模型生成失败" in w and reason in w for w in draft.warnings), draft.warnings
    assert draft.checks.passed


def test_llm_engine_without_endpoint_says_so(sample_kb_session: KnowledgeBase) -> None:
    drafter = Drafter(Settings(_env_file=None), sample_kb_session)  # type: ignore[call-arg]
    draft = drafter.draft(load_proposal(PROPOSAL), DraftOptions(engine="llm", reply_date="2025-06-20"))
    assert draft.engine == "compose" and any("未配置大模型" in w for w in draft.warnings)
