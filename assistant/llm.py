"""The LLM engine: any OpenAI-compatible endpoint through langchain, with prompts from prompts/*.j2.

The model sees numbered evidence and must answer with JSON sentences that cite
evidence ids. Anything else (timeout, HTTP error, invalid JSON) raises
LLMError and the drafter falls back to the Compose engine.
"""

from __future__ import annotations

import json
import re
from functools import lru_cache
from pathlib import Path
from typing import Protocol

from jinja2 import Environment, FileSystemLoader, StrictUndefined
from pydantic import BaseModel, Field, ValidationError

from assistant.compose import SourceRegistry, _layout, _references
from assistant.evidence import Evidence, EvidenceSentence
from assistant.models import DraftOptions, Item, Letter, Proposal, Reference, Sentence, Source
from assistant.settings import Settings

PROMPTS = Path(__file__).resolve().parents[1] / "prompts"
MAX_EVIDENCE = 40


class LLMError(RuntimeError):
    """The model did not give a usable answer; the message says why."""


class ChatModel(Protocol):
    def complete(self, system: str, user: str) -> str: ...


class OpenAICompatibleChat:
    """langchain's ChatOpenAI against any OpenAI-compatible server (vLLM, Ollama, Xinference)."""

    def __init__(self, base_url: str, model: str, api_key: str, timeout_s: float) -> None:
        from langchain_openai import ChatOpenAI

        self.llm = ChatOpenAI(base_url=base_url, model=model, api_key=api_key,  # type: ignore[arg-type]
                              timeout=timeout_s, max_retries=0, temperature=0.1)

    def complete(self, system: str, user: str) -> str:
        from langchain_core.messages import HumanMessage, SystemMessage

        try:
            reply = self.llm.invoke([SystemMessage(content=system), HumanMessage(content=user)])
        except Exception as err:  # network, timeout and HTTP errors all surface here
            raise LLMError(f"{type(err).__name__}: {str(err)[:200]}") from err
        return reply.content if isinstance(reply.content, str) else json.dumps(reply.content, ensure_ascii=False)


def make_chat(settings: Settings) -> ChatModel | None:
    if not settings.llm_base_url:
        return None
    return OpenAICompatibleChat(settings.llm_base_url, settings.llm_model or "default", settings.llm_api_key,
                                settings.llm_timeout_s)


class _LLMSentence(BaseModel):
    text: str
    evidence: list[int] = Field(default_factory=list)


class _LLMItem(BaseModel):
    heading: str = ""
    suggestion_index: int | None = None
    sentences: list[_LLMSentence]


class _LLMAnswer(BaseModel):
    work: list[_LLMItem]
    plan: list[_LLMItem] = Field(default_factory=list)


@lru_cache(maxsize=1)
def _env() -> Environment:
    return Environment(loader=FileSystemLoader(str(PROMPTS)), autoescape=False, undefined=StrictUndefined)


def numbered_evidence(evidence: Evidence) -> list[EvidenceSentence]:
    """Own evidence first (best per suggestion), then a few references elsewhere."""
    own = sorted(evidence.own, key=lambda e: (-e.score, e.doc_id, e.start))[: MAX_EVIDENCE - 8]
    other = sorted(evidence.elsewhere, key=lambda e: (-e.score, e.doc_id, e.start))[:8]
    return own + other


def llm_compose(chat: ChatModel, proposal: Proposal, options: DraftOptions, evidence: Evidence,
                parts: dict[str, str], settings: Settings) -> tuple[Letter, list[Source], list[Reference], list[str]]:
    pool = numbered_evidence(evidence)
    rows = [{"id": i + 1, "own": e.own, "title": e.meta.title, "date": e.meta.date, "text": e.text} for i, e in enumerate(pool)]
    system = _env().get_template("draft_system.j2").render(
        bureau_name=options.bureau_name, bureau_short=options.bureau_short, region=options.region)
    suggestions = proposal.suggestions or [proposal.title]
    user = _env().get_template("draft_user.j2").render(proposal=proposal, suggestions=suggestions, evidence=rows,
                                                       layout=options.layout)
    answer = parse_answer(chat.complete(system, user))
    registry = SourceRegistry()
    work = [_item(it, pool, registry) for it in answer.work]
    plan = [_item(it, pool, registry) for it in answer.plan]
    if options.layout == "per_suggestion":
        work = _per_suggestion(work, len(suggestions))
    letter = Letter(title=parts["title"], salutation=parts["salutation"], opening=parts["opening"],
                    sections=_layout(options, suggestions, work, plan), closing=parts["closing"],
                    signature=parts["signature"], date=parts["date"], contact=parts["contact"],
                    category=parts["category"], disclosure=parts["disclosure"])
    used = {(pool[i - 1].doc_id, pool[i - 1].start) for it in answer.work + answer.plan for s in it.sentences
            for i in s.evidence if 1 <= i <= len(pool)}
    return letter, registry.sources, _references(evidence, registry, used), []


def parse_answer(raw: str) -> _LLMAnswer:
    m = re.search(r"\{.*\}", raw, flags=re.S)
    if not m:
        raise LLMError("模型输出不是 JSON")
    try:
        answer = _LLMAnswer.model_validate(json.loads(m.group(0)))
    except (ValueError, ValidationError) as err:
        raise LLMError(f"模型输出格式不符合要求：{str(err)[:160]}") from err
    if not answer.work:
        raise LLMError("模型输出没有“工作开展情况”条目")
    return answer


def _item(item: _LLMItem, pool: list[EvidenceSentence], registry: SourceRegistry) -> Item:
    sentences = []
    for s in item.sentences:
        cites, flags = [], []
        for eid in s.evidence:
            if 1 <= eid <= len(pool):
                cites.append(registry.cite(pool[eid - 1]))
            else:
                flags.append(f"模型引用了不存在的依据E{eid}")
        sentences.append(Sentence(text=s.text.strip(), citations=cites, flags=flags))
    return Item(heading=item.heading.strip(), sentences=sentences, suggestion_index=item.suggestion_index)


def _per_suggestion(items: list[Item], n: int) -> list[Item]:
    merged = [Item(heading="", sentences=[], suggestion_index=i) for i in range(n)]
    for item in items:
        idx = item.suggestion_index if item.suggestion_index is not None and 0 <= item.suggestion_index < n else 0
        merged[idx].sentences.extend(item.sentences)
    return merged
