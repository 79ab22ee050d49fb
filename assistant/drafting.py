"""The drafting service: proposal + options → a verified, cited Draft (Compose or LLM engine)."""

from __future__ import annotations

import logging
from datetime import date

from assistant.compose import compose
from assistant.evidence import Jurisdiction, gather
from assistant.letter_parts import fixed_parts
from assistant.llm import ChatModel, LLMError, llm_compose, make_chat
from assistant.models import PLACEHOLDER, Draft, DraftOptions, Proposal
from assistant.render import plain_text
from assistant.settings import Settings
from assistant.verify import verify
from vectorstore.kb import KnowledgeBase

log = logging.getLogger(__name__)
_PART_LABELS = {"title": "标题（届次/编号）", "salutation": "称谓（提案人）", "opening": "开头（提案标题/编号）",
                "contact": "联系人/电话", "category": "答复类别", "date": "答复日期"}


class Drafter:
    def __init__(self, settings: Settings, kb: KnowledgeBase, chat: ChatModel | None = None) -> None:
        self.settings = settings
        self.kb = kb
        self.chat = chat if chat is not None else make_chat(settings)
        self.jurisdiction = Jurisdiction(settings.bureau_name, settings.region, settings.issuer_aliases)

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

    def draft(self, proposal: Proposal, options: DraftOptions | None = None) -> Draft:
        opts = self.resolve(options or DraftOptions())
        jurisdiction = self.jurisdiction
        if opts.bureau_name != self.settings.bureau_name or opts.region != self.settings.region:
            jurisdiction = Jurisdiction(opts.bureau_name, opts.region, self.settings.issuer_aliases)
        warnings: list[str] = []
        if not proposal.suggestions:
            warnings.append("未识别出分条建议，已按提案标题整体答复；请在“建议”栏逐条填写后重新生成。")
        if self.kb.store.counts()[1] == 0:
            warnings.append("知识库为空：请先导入本局以往答复函、政策文件和工作总结。")
        parts = fixed_parts(proposal, opts)
        evidence = gather(self.kb, proposal, opts, jurisdiction)
        engine = "compose"
        result = None
        if opts.engine == "llm":
            if self.chat is None:
                warnings.append("未配置大模型（ASSISTANT_LLM_BASE_URL），已使用组稿引擎生成。")
            else:
                try:
                    result = llm_compose(self.chat, proposal, opts, evidence, parts, self.settings)
                    engine = "llm"
                except LLMError as err:
                    log.warning("LLM drafting failed: %s", err)
                    warnings.append(f"大模型生成失败（{err}），已改用组稿引擎生成。")
        if result is None:
            result = compose(proposal, opts, evidence, parts)
        letter, sources, references, engine_warnings = result
        warnings.extend(engine_warnings)
        missing = [label for key, label in _PART_LABELS.items() if PLACEHOLDER in parts.get(key, "")]
        if missing:
            warnings.append("以下内容待填写：" + "、".join(missing) + "（文中以【请填写】标出）。")
        draft = Draft(proposal=proposal, options=opts, letter=letter, sources=sources, references=references,
                      warnings=warnings, engine=engine)
        verify(draft, self.kb, self.settings)
        if not draft.checks.jurisdiction:
            draft.warnings.append("有句子把外地材料写成了本局工作，请删除或改为“借鉴…的做法”。")
        draft.text = plain_text(draft)
        return draft
