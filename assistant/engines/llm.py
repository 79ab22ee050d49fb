"""The LLM engine: any OpenAI-compatible endpoint through langchain, with prompts from prompts/*.j2.

The model sees numbered evidence — only the bureau's letter-worthy sentences, already judged by the same
rules the Compose engine uses, plus a few practices elsewhere marked as such — and must answer with JSON
sentences that cite evidence ids. Anything else (timeout, HTTP error, invalid JSON) raises LLMError and
the drafter falls back to the Compose engine. Verification then holds its sentences to every rule.
"""

from __future__ import annotations

import json
import re
from functools import lru_cache
from typing import Protocol

from jinja2 import Environment, FileSystemLoader, StrictUndefined
from pydantic import BaseModel, Field, ValidationError

from assistant.engines.base import Body, EngineInput
from assistant.engines.common import SourceRegistry, layout, references
from assistant.engines.compose.rewrite import Writer
from assistant.evidence import Candidate
from assistant.models import Item, Sentence
from assistant.resources import resource_dir
from assistant.rules.flags import FlagCode, flag
from assistant.rules.worthiness import Recency, Role, sentence_flags
from assistant.settings import Settings

PROMPTS = resource_dir("prompts")
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


def numbered_evidence(job: EngineInput) -> list[Candidate]:
    """The bureau's letter-worthy sentences first (best first), then a few practices elsewhere."""
    writer = Writer(job.options, job.jurisdiction)
    recency = Recency(job.stale_years)
    worthy = []
    for c in sorted(job.evidence.own, key=lambda e: (-e.score, e.doc_id, e.start)):
        role: Role = "plan" if c.tense == "plan" else "work"
        text = writer.plan(c) if role == "plan" else writer.work(c)
        if not sentence_flags(text, [c.meta], job.options.reply_date, role, recency, quotes=[c.quote]):
            worthy.append(c)
    other = sorted(job.evidence.elsewhere, key=lambda e: (-e.score, e.doc_id, e.start))[:8]
    return worthy[: MAX_EVIDENCE - len(other)] + other


class LLMEngine:
    name = "llm"

    def __init__(self, chat: ChatModel) -> None:
        self.chat = chat

    def write(self, job: EngineInput) -> Body:
        pool = numbered_evidence(job)
        opts = job.options
        rows = [{"id": i + 1, "own": e.own, "title": e.meta.title, "date": e.meta.date, "text": e.text,
                 "tense": "计划" if e.tense == "plan" else "已做"} for i, e in enumerate(pool)]
        system = _env().get_template("draft_system.j2").render(
            bureau_name=opts.bureau_name, bureau_short=opts.bureau_short, region=opts.region,
            reply_date=opts.reply_date)
        user = _env().get_template("draft_user.j2").render(
            proposal=job.proposal, suggestions=job.suggestions, evidence=rows, layout=opts.layout)
        answer = parse_answer(self.chat.complete(system, user))
        registry = SourceRegistry()
        work = [_item(it, pool, registry) for it in answer.work]
        plan = [_item(it, pool, registry) for it in answer.plan]
        if opts.layout == "per_suggestion":
            work = _per_suggestion(work, len(job.suggestions))
        return Body(sections=layout(opts, job.suggestions, work, plan), sources=registry.sources,
                    references=references(job.evidence, registry))


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


def _item(item: _LLMItem, pool: list[Candidate], registry: SourceRegistry) -> Item:
    sentences = []
    for s in item.sentences:
        cites, flags = [], []
        for eid in s.evidence:
            if 1 <= eid <= len(pool):
                cites.append(registry.cite(pool[eid - 1]))
            else:
                flags.append(flag(FlagCode.MODEL_CITATION, f"E{eid}"))
        sentences.append(Sentence(text=s.text.strip(), citations=cites, flags=flags))
    return Item(heading=item.heading.strip(), sentences=sentences, suggestion_index=item.suggestion_index)


def _per_suggestion(items: list[Item], n: int) -> list[Item]:
    merged = [Item(heading="", sentences=[], suggestion_index=i) for i in range(n)]
    for item in items:
        idx = item.suggestion_index if item.suggestion_index is not None and 0 <= item.suggestion_index < n else 0
        merged[idx].sentences.extend(item.sentences)
    return merged
