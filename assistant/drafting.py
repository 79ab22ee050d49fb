"""The drafting service: proposal + options → a verified, cited Draft (Compose or LLM engine)."""

from __future__ import annotations

import logging
import re
from datetime import date

from assistant.asks import unaddressed
from assistant.contacts import PastContact, contact_in, hint
from assistant.engines.base import Body, Engine, EngineInput
from assistant.engines.compose import ComposeEngine
from assistant.engines.llm import ChatModel, LLMEngine, LLMError, make_chat
from assistant.evidence import gather
from assistant.letter_parts import fixed_parts
from assistant.models import PLACEHOLDER, Draft, DraftOptions, Letter, Proposal, Source
from assistant.render import plain_text
from assistant.rules.jurisdiction import Jurisdiction
from assistant.rules.parameters import PER_UNIT_CAP
from assistant.rules.validity import expiring, partial, policy_name
from assistant.rules.worthiness import Recency, standing_rule
from assistant.sessions import counted_on, in_house_form, session_of
from assistant.settings import Settings
from assistant.style import load_style
from assistant.verify import verify
from vectorstore.kb import KnowledgeBase
from vectorstore.types import DocFilter

log = logging.getLogger(__name__)
# How many of the most relevant past replies are looked at for the contact hint.
PAST_REPLIES = 3
_PART_LABELS = {"title": "标题（届次/编号）", "salutation": "称谓（提案人）", "opening": "开头（提案标题/编号）",
                "contact": "联系人/电话", "category": "答复类别", "date": "答复日期"}


def jurisdiction_for(settings: Settings, options: DraftOptions) -> Jurisdiction:
    """Whose work is whose for a draft: the bureau of its options, with the profile's other names."""
    same_bureau = options.bureau_name == settings.bureau_name
    return Jurisdiction(options.bureau_name or settings.bureau_name, options.region or settings.region,
                        former_names=list(settings.issuer_aliases) if same_bureau else [],
                        own_bodies=list(settings.own_bodies) if options.region == settings.region else [])


class Drafter:
    def __init__(self, settings: Settings, kb: KnowledgeBase, chat: ChatModel | None = None) -> None:
        self.settings = settings
        self.kb = kb
        self.chat = chat if chat is not None else make_chat(settings)

    def resolve(self, options: DraftOptions) -> DraftOptions:
        """Fill what the drafter left empty from the bureau profile; date the reply today when undated."""
        s = self.settings
        return options.model_copy(update={
            "bureau_name": options.bureau_name or s.bureau_name,
            "bureau_short": options.bureau_short or s.bureau_short,
            "region": options.region or s.region,
            "city_short": options.city_short or s.city_short,
            "reply_date": options.reply_date or date.today().isoformat(),
        })

    def jurisdiction(self, options: DraftOptions) -> Jurisdiction:
        return jurisdiction_for(self.settings, options)

    def _past_sessions(self, options: DraftOptions) -> list[tuple[str, str]]:
        """The sessions the bureau's own past replies name, as they write them, with the replies' dates."""
        region = options.region
        return [(s, d.date) for d in self.kb.documents(DocFilter(kinds=["reply"]))
                if (not region or d.region == region) and (s := session_of(d.proposal_number))]

    def _session(self, proposal: Proposal, opts: DraftOptions, warnings: list[str]) -> str:
        """The session for the title: the proposal's, in the bureau's own form; when the proposal does not say,
        counted on from the bureau's past replies (one sitting a year), with a warning to check it."""
        past = self._past_sessions(opts)
        if proposal.session:
            return in_house_form(proposal.session, [s for s, _ in past])
        year = (proposal.date or opts.reply_date)[:4]
        body = "政协" if proposal.kind == "proposal" else "人大"
        counted = counted_on(body, int(year), past) if year.isdigit() else ""
        if counted:
            warnings.append(f"提案未写明届次，标题中的“{counted}”系按本局以往答复的届次逐年推算，请核对。")
        return counted

    def draft(self, proposal: Proposal, options: DraftOptions | None = None) -> Draft:
        opts = self.resolve(options or DraftOptions())
        jurisdiction = self.jurisdiction(opts)
        warnings: list[str] = []
        if not proposal.suggestions:
            warnings.append("未识别出分条建议，已按提案标题整体答复；请在“建议”栏逐条填写后重新生成。")
        if self.kb.counts().chunks == 0:
            warnings.append("知识库为空：请先导入本局以往答复函、政策文件和工作总结。")
        warnings.extend(self.kb.index_warnings())  # an empty or partial vector index makes evidence keyword-only
        job = EngineInput(proposal=proposal, options=opts, evidence=gather(self.kb, proposal, opts, jurisdiction),
                          jurisdiction=jurisdiction, stale_years=self.settings.stale_years)
        body, engine = self._write(job, warnings)
        warnings.extend(body.warnings)
        warnings.extend(_passed_over(proposal.suggestions, body))
        warnings.extend(_expiring(body, opts.reply_date))
        warnings.extend(_partial_policies(body))
        warnings.extend(_restated_rules(body, opts.reply_date, Recency(self.settings.stale_years)))
        parts = fixed_parts(proposal, opts, session=self._session(proposal, opts, warnings))
        missing = [label for key, label in _PART_LABELS.items() if PLACEHOLDER in parts.get(key, "")]
        if PLACEHOLDER in parts.get("contact", ""):
            past = self._past_contact(job)
            if past is not None:
                warnings.append(hint(past))
        if missing:
            warnings.append("以下内容待填写：" + "、".join(missing) + "（文中以【请填写】标出）。")
        letter = Letter(title=parts["title"], salutation=parts["salutation"], opening=parts["opening"],
                        sections=body.sections, closing=parts["closing"], signature=parts["signature"],
                        date=parts["date"], contact=parts["contact"], category=parts["category"],
                        disclosure=parts["disclosure"])
        draft = Draft(proposal=proposal, options=opts, letter=letter, sources=body.sources,
                      references=body.references, warnings=warnings, engine=engine)
        verify(draft, self.kb, self.settings, jurisdiction=jurisdiction)
        if not draft.checks.jurisdiction:
            draft.warnings.append("有句子把外地材料写成了本局工作，请删除或改为“借鉴…的做法”。")
        draft.text = plain_text(draft)
        return draft

    def _past_contact(self, job: EngineInput) -> PastContact | None:
        """The contact of the bureau's own past reply most on this proposal's subject (the most relevance over its
        sentences; the newer of two alike) that names one."""
        weight: dict[str, float] = {}
        meta = {}
        for c in job.evidence.own:
            if c.meta.kind == "reply" and c.scope == "bureau":
                weight[c.doc_id] = weight.get(c.doc_id, 0.0) + c.score
                meta[c.doc_id] = c.meta
        for doc_id in sorted(weight, key=lambda d: (-weight[d], meta[d].date))[:PAST_REPLIES]:
            doc = self.kb.get(doc_id)
            contact = contact_in(doc.text) if doc is not None else None
            if contact:
                return PastContact(person=contact[0], phone=contact[1], title=meta[doc_id].title,
                                   date=meta[doc_id].date)
        return None

    def _write(self, job: EngineInput, warnings: list[str]) -> tuple[Body, str]:
        """The chosen engine's body; the Compose engine when no model is configured or the model fails."""
        compose: Engine = ComposeEngine(load_style(self.kb))
        if job.options.engine != "llm":
            return compose.write(job), compose.name
        if self.chat is None:
            warnings.append("未配置大模型（ASSISTANT_LLM_BASE_URL），已使用组稿引擎生成。")
            return compose.write(job), compose.name
        llm = LLMEngine(self.chat)
        try:
            return llm.write(job), llm.name
        except LLMError as err:
            log.warning("LLM drafting failed: %s", err)
            warnings.append(f"大模型生成失败（{err}），已改用组稿引擎生成。")
            return compose.write(job), compose.name


def _cited_policies(body: Body) -> list[Source]:
    """The policies the letter's sentences cite (not those only shown as other places' practice)."""
    cited = {c for section in body.sections for item in section.items for s in item.sentences for c in s.citations}
    return [src for src in body.sources if src.id in cited and src.kind == "policy"]


def _once(notices: list[str]) -> list[str]:
    return list(dict.fromkeys(notices))


def _expiring(body: Body, reply_date: str) -> list[str]:
    """A warning for each rule the letter cites as in force that ends within the year after the reply."""
    return _once([f"所引《{policy_name(src.title, src.issuer)}》有效期至{int(src.valid_until[:4])}年"
                  f"{int(src.valid_until[5:7])}月，请在下一步工作打算中说明续期或修订安排。"
                  for src in _cited_policies(body) if src.own and expiring(src, reply_date)])


def _partial_policies(body: Body) -> list[str]:
    """A warning for each policy the letter cites that the knowledge base holds only part of (its manifest says
    truncated or excerpt): its other articles may answer more, so the signer checks the full text."""
    return _once([f"知识库中的《{policy_name(src.title, src.issuer)}》只是节选，其余条款未能引用，请对照全文核实各条建议的答复。"
                  for src in _cited_policies(body) if partial(src.completeness)])


def _restated_rules(body: Body, reply_date: str, recency: Recency) -> list[str]:
    """A warning for each rule the letter takes from an older past reply (the policy's own text is not in the
    knowledge base): the signer confirms it still holds."""
    year = int(reply_date[:4]) if reply_date[:4].isdigit() else 0
    by_id = {src.id: src for src in body.sources}
    out: list[str] = []
    for section in body.sections:
        for item in section.items:
            for sentence in item.sentences:
                sources = [by_id[c] for c in sentence.citations if c in by_id]
                newest = max((int(s.date[:4]) for s in sources if s.date[:4].isdigit()), default=year)
                if not (year and newest < year - recency.years and standing_rule(sentence.text, sources, year, recency)):
                    continue
                names = [f"《{n}》" for n in re.findall(r"《([^》]+)》", sentence.text)]
                if not names:  # a programme's cap with no policy named: the clause that states it
                    names = [f"“{c}”" for c in re.split(r"[，；。]", sentence.text) if PER_UNIT_CAP.search(c)]
                for name in names:
                    notice = f"{name}的标准引自{newest}年的答复，知识库中没有该政策原文，请核实仍然有效。"
                    if notice not in out:
                        out.append(notice)
    return out


def _passed_over(suggestions: list[str], body: Body) -> list[str]:
    """A warning for each ask of a suggestion that its items, though not empty, leave without a word."""
    said: dict[int, list[str]] = {}
    for section in body.sections:
        for item in section.items:
            if item.suggestion_index is not None:
                said.setdefault(item.suggestion_index, []).extend(s.text for s in item.sentences if s.citations)
    out = []
    for idx, suggestion in enumerate(suggestions):
        if said.get(idx):
            asks = unaddressed(suggestion, said[idx])
            if asks:
                out.append(f"第{idx + 1}条建议中" + "、".join(f"“{a}”" for a in asks) + "未见对应的工作情况或打算，请核对后补充。")
    return out
