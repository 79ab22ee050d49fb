"""The Compose engine: a letter built only from the bureau's own sentences, chosen and written as a reply.

For each suggestion: the 工作开展情况 item takes up to ``MAX_PER_ITEM`` letter-worthy sentences on that
suggestion's subject (those that speak to what sets it apart from the other suggestions first), and a
consultation draft of the bureau's on it is said to be out for comment; the 下一步 item takes what the
bureau's plans say will be done, an act of one plan going to the suggestion it answers. Where nothing
qualifies the item says 【待补充】 with a warning — never padding. Every sentence cites the passage it was
written from.
"""

from __future__ import annotations

from assistant.asks import ASK_ANSWERED
from assistant.engines.base import Body, EngineInput
from assistant.engines.common import SourceRegistry, heading_for, layout, references
from assistant.engines.compose.rewrite import Writer
from assistant.engines.compose.select import MAX_PER_ITEM, Choice, Chooser, merged_policy_clauses
from assistant.headings import inner_quotes
from assistant.models import TO_FILL, Item, Sentence
from assistant.rules.flags import FlagCode, flag
from assistant.rules.parameters import PARAMETER_ASK, reports_change
from assistant.rules.worthiness import Recency
from assistant.style import StyleScorer
from assistant.textsim import char_bigrams

MAX_PLAN_PER_ITEM = 2


class ComposeEngine:
    name = "compose"

    def __init__(self, style: StyleScorer | None = None) -> None:
        self.style = style

    def write(self, job: EngineInput) -> Body:
        opts = job.options
        registry = SourceRegistry()
        warnings: list[str] = []
        writer = Writer(opts, job.jurisdiction)
        chooser = Chooser(writer, job.evidence.own, opts.reply_date, Recency(job.stale_years), self.style,
                          title=job.proposal.title, newer=job.evidence.newer)
        work_items: list[Item] = []
        plan_items: list[Item] = []
        no_plan: list[str] = []
        indices = range(len(job.suggestions))
        done_of = {idx: chooser.choose(idx, "work") or chooser.fallback(idx) for idx in indices}
        chooser.lend(done_of)
        chooser.rehome_parameters(done_of, job.suggestions)
        # A policy the bureau has out for comment answers an ask too: first where least else does.
        for idx in sorted(indices, key=lambda i: len(done_of[i])):
            if len(done_of[idx]) < MAX_PER_ITEM:
                done_of[idx] += chooser.in_drafting(idx)
        for idx, suggestion in enumerate(job.suggestions):
            heading = heading_for(suggestion)
            quoted = inner_quotes(heading)
            done = done_of[idx]
            if done:
                sentences = [_sentence(ch, registry) for ch in merged_policy_clauses(done)]
            else:
                warnings.append(f"第{idx + 1}条建议“{quoted}”未找到可写入答复的本局（本地区）工作依据，"
                                "已留【待补充】，请补充后再发出。")
                sentences = [Sentence(text=f"{TO_FILL}（请补充{opts.bureau_short}围绕“{quoted}”已开展的工作及数据）",
                                      flags=[flag(FlagCode.MISSING_EVIDENCE)])]
            work_items.append(Item(heading=heading, sentences=sentences, suggestion_index=idx))
        plans_of = {idx: chooser.choose(idx, "plan", limit=MAX_PLAN_PER_ITEM) for idx in indices}
        chooser.hand_over(plans_of, job.suggestions, MAX_PLAN_PER_ITEM)
        for idx, suggestion in enumerate(job.suggestions):
            heading = heading_for(suggestion)
            quoted = inner_quotes(heading)
            plans = plans_of[idx]
            if plans:
                said = [_sentence(ch, registry) for ch in plans]
                for ask in unanswered_asks(suggestion, [ch.text for ch in plans]):
                    # An ask to change a parameter needs the bureau's stance, which no document gives.
                    said.append(Sentence(text=f"{TO_FILL}（关于“{inner_quotes(ask)}”，请明确{opts.bureau_short}的意见和打算）",
                                         flags=[flag(FlagCode.MISSING_EVIDENCE)]))
                    warnings.append(f"第{idx + 1}条建议提出“{inner_quotes(ask)}”，下一步中未见相应打算，已留【待补充】。")
                plan_items.append(Item(heading=heading, sentences=said, suggestion_index=idx))
            elif adopted(suggestion, [ch.text for ch in done_of[idx]]):
                # What the ask wanted changed was changed (由每项5万元提高到8万元): nothing is left to plan for it.
                warnings.append(f"第{idx + 1}条建议所提调整已在工作开展情况中说明落实，下一步未另列打算；如有后续安排请补充。")
            else:
                plan_items.append(Item(heading=heading, sentences=[Sentence(
                    text=f"{TO_FILL}（请补充{opts.bureau_short}围绕“{quoted}”的下一步工作打算）",
                    flags=[flag(FlagCode.MISSING_EVIDENCE)])], suggestion_index=idx))
                no_plan.append(f"第{idx + 1}条")
        planned = [i for i in plan_items if i.sentences[0].citations]
        if planned:
            # Every suggestion gets its 下一步 item (but one already adopted): one without a plan source says so
            # rather than vanish.
            if no_plan:
                warnings.append(f"{'、'.join(no_plan)}建议未找到本局（本地区）当年及以后的工作计划，"
                                "下一步相应条目已留【待补充】。")
            _open_plan(planned[0])
        else:
            plan_items = []
            warnings.append("未找到本局（本地区）当年及以后的工作计划，下一步工作打算已留【待补充】。")
            plan_items.append(Item(heading="", sentences=[Sentence(
                text=f"{TO_FILL}（请补充下一步工作打算）", flags=[flag(FlagCode.MISSING_EVIDENCE)])]))
        sections = layout(opts, job.suggestions, work_items, plan_items)
        refs = references(job.evidence, registry)
        return Body(sections=sections, sources=registry.sources, references=refs, warnings=warnings)


def unanswered_asks(suggestion: str, plans: list[str]) -> list[str]:
    """The suggestion's asks to change a parameter that none of its plans speaks to (shares little of)."""
    out = []
    for m in PARAMETER_ASK.finditer(suggestion):
        ask = m.group(0)
        grams = char_bigrams(m.group("what"))  # what is to change, not the verb
        if grams and all(len(grams & char_bigrams(p)) / len(grams) < ASK_ANSWERED for p in plans):
            out.append(ask)
    return out



def adopted(suggestion: str, work: list[str]) -> bool:
    """Every ask of the suggestion to change a parameter is met by a change its work item reports done."""
    asks = list(PARAMETER_ASK.finditer(suggestion))
    changed = [t for t in work if reports_change(t)]
    if not asks or not changed:
        return False
    for m in asks:
        grams = char_bigrams(m.group("what"))
        if not grams or all(len(grams & char_bigrams(t)) / len(grams) < ASK_ANSWERED for t in changed):
            return False
    return True


def _sentence(choice: Choice, registry: SourceRegistry) -> Sentence:
    return Sentence(text=choice.text, citations=[registry.cite(c) for c in (choice.candidate, *choice.support)])


def _open_plan(item: Item) -> None:
    """The plan section opens as replies do: 下一步，我局将…"""
    first = item.sentences[0]
    if not first.text.startswith("下一步"):
        first.text = "下一步，" + first.text
