"""Choosing the sentences of one item: letter-worthy, on the suggestion's own subject, newest first.

A candidate is written first (:mod:`rewrite`), then judged as written by the letter-worthiness rules; only
clean sentences compete. Among them the score prefers what a reviewer keeps: relevance to the suggestion,
a concrete content (a figure, a named document or programme), recent sources, and the style of the
bureau's own replies. A figure restated later by a newer source gives way to the newer one.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from assistant.engines.compose.rewrite import Writer
from assistant.evidence import GENERIC, Candidate
from assistant.rules.figures import amounts, figures, normalize
from assistant.rules.flags import FlagCode
from assistant.rules.parameters import CHANGE, asks_for_money, changed_from, speaks_of_money, states_parameter
from assistant.rules.validity import (
    consultation_window,
    draft_in_progress,
    draft_to_finish,
    policy_name,
    states_draft_in_progress,
    validity,
    validity_flag,
)
from assistant.rules.worthiness import Recency, Role, sentence_flags
from assistant.style import StyleScorer
from assistant.textsim import char_bigrams
from vectorstore.tokenize import query_terms, words

# Five, not four: with the parameters an ask names coming first, a fifth place kept the budget line or the
# status that answers it (measured on the three sample archives: good-fact recall +0.03 on 澄江, none lost).
MAX_PER_ITEM = 5
# How relevant a sentence must be (it already shares the suggestion's subject, see evidence.subject_terms);
# a plan answers the suggestion's direction, so a weaker match is enough there.
MIN_RELEVANCE = {"work": 0.2, "plan": 0.15}
# One shared word is often chance (参与, 服务): such a sentence must carry more of the suggestion.
MIN_RELEVANCE_ONE_WORD = 0.35
# The last resort before 【待补充】: one measure of the bureau's own, on the proposal's subject.
FALLBACK_RELEVANCE = 0.12
FALLBACK_KINDS = ("policy", "reply", "summary")
# A sentence that shares what sets this suggestion apart from the others ranks above one on the topic only.
SPECIFIC_BONUS = 0.15
# A sentence naming in quotes what the ask names (“包干制”) answers it: above a figure on the topic only.
NAMED_ASK_BONUS = 0.3
SIMILAR = 0.45
# Clauses of one policy an item may cite (side by side, they read as one sentence).
POLICY_CLAUSES = 3
# How relevant a third clause of one policy must be, against the item's best clause of it.
THIRD_CLAUSE = 0.5
# How much the bureau-style model (assistant.style) moves a sentence: a tie-breaker. Measured on the 澄江
# archive: at 0.3 no sentence changed; at 1.0 good-fact recall fell from 0.553 to 0.504.
STYLE_WEIGHT = 0.3
# Kinds a plan may come from: a work plan, a summary's plan part, a reply's 下一步, a policy in force.
PLAN_KINDS = ("plan", "summary", "reply", "policy")
_PROCEDURAL_SECTION = re.compile(r"条件|程序|申报|申请|认定标准|管理与监督|监督|法律责任|附则|职责分工|组织实施|定义")
_KIND_PRIOR = {"reply": 0.15, "policy": 0.1, "summary": 0.1, "plan": 0.05, "news": 0.0}


@dataclass
class Choice:
    candidate: Candidate
    text: str
    score: float
    # Further passages that stand behind the sentence (a recent document that restates an old parameter).
    support: tuple[Candidate, ...] = ()
    # Figures the letter gave already: the sentence is written without the clauses that give only them.
    without: tuple[str, ...] = ()


class Chooser:
    """Chooses sentences for every item of one draft; remembers what is used so nothing repeats."""

    def __init__(self, writer: Writer, pool: list[Candidate], reply_date: str, recency: Recency,
                 style: StyleScorer | None = None, title: str = "", newer: list[Candidate] | None = None) -> None:
        self.writer = writer
        self.pool = pool
        self.reply_date = reply_date
        self.recency = recency
        self.style = style
        self.used: set[tuple[str, int]] = set()
        self.drafts: set[str] = set()  # consultation drafts already said to be out for comment
        self.written: list[str] = []  # every sentence of the letter so far: nothing is said twice
        # A figure gives way to a newer running total of its measure, even one too weak to cite itself: that
        # one then stands in its place (孵化器达到33家 from a speech where the letter had 30家 from a summary).
        self.newer = newer or []
        self.successor = successors([*pool, *self.newer])
        self.superseded = set(self.successor)
        self.home = best_suggestion(pool)
        # Replies whose parts were recognised: outside their work parts they give background or quote others.
        self.structured = {c.doc_id for c in pool if c.meta.kind == "reply" and c.part in ("work", "suggestion", "plan")}
        self.title_terms = {t for t in query_terms(title) if len(t) >= 2 and t not in GENERIC}
        # The policies whose own clauses are candidates: a past reply's restatement of their rules comes second.
        self.policies = {n for c in pool if c.meta.kind == "policy" and (n := policy_name(c.meta.title, c.meta.issuer))}

    def choose(self, idx: int, role: Role, limit: int = MAX_PER_ITEM) -> list[Choice]:
        floor = MIN_RELEVANCE[role]
        scored = [c for c in (self._judge(cand, role, floor) for cand in self._eligible(idx, role)) if c]
        return self._pick(scored, role, limit)

    def fallback(self, idx: int) -> list[Choice]:
        """For a suggestion nothing answers directly: the one best measure of the bureau's own in force
        (a policy, a reply's or summary's work) on the proposal's subject, or nothing."""
        scored = [c for c in (self._judge(cand, "work", FALLBACK_RELEVANCE, strict=False)
                              for cand in self._eligible(idx, "work") if self._fallback_source(cand)) if c]
        return self._pick(scored, "work", 1)

    def in_drafting(self, idx: int) -> list[Choice]:
        """A consultation draft of the bureau's on this suggestion's own subject, said as what it is: a draft
        out for comment (never its provisions as if in force). Once per letter."""
        drafts = [c for c in self.pool if c.suggestion_index == idx and c.specific and c.scope == "bureau"
                  and c.meta.kind == "policy" and c.score >= MIN_RELEVANCE["work"] and c.doc_id not in self.drafts
                  and validity(c.meta, self.reply_date) == "draft"]
        # Only the notice announcing the draft stands behind saying so: a provision of the draft would be cited
        # as the source of a sentence it does not say.
        for c in sorted((c for c in drafts if "征求意见" in c.quote), key=lambda c: (-c.score, c.start)):
            text = draft_in_progress(c.meta.title, c.meta.date, consultation_window(c.quote))
            if not sentence_flags(text, [c.meta], self.reply_date, "work", self.recency, quotes=[c.quote]):
                self.drafts.add(c.doc_id)
                self.written.append(text)
                return [Choice(c, text, c.score)]
        return []

    def _fallback_source(self, c: Candidate) -> bool:
        """A measure on this suggestion's subject, or a recent policy whose very title is the proposal's topic."""
        if c.completed:
            # A task the bureau's progress report marks done (牵头单位：市科技局 … 已完成), on the suggestion's subject.
            return c.specific or c.score >= MIN_RELEVANCE["work"]
        if c.meta.kind not in FALLBACK_KINDS or (c.meta.kind != "policy" and c.part not in ("work", "suggestion")):
            return False
        if c.specific:
            return True
        recent = recency(c.meta.date, self.reply_date) >= 0.5
        return c.meta.kind == "policy" and recent and bool(self.title_terms & set(query_terms(c.meta.title)))

    def _pick(self, scored: list[Choice], role: Role, limit: int) -> list[Choice]:
        chosen: list[Choice] = []
        scored = [ch for ch in scored if not self._restates_at_hand(ch, scored)]
        # Today's value of each parameter the ask wants changed comes first: it is what the reply must state.
        first = role == "work"
        for choice in sorted(scored, key=lambda ch: (not (first and ch.candidate.answers_parameter), -ch.score,
                                                     ch.candidate.doc_id, ch.candidate.start)):
            if len(chosen) == limit:
                break
            if not _room_for(choice, chosen):
                continue
            if role == "plan":
                planned = self._plan_as_written(choice, chosen)
                if planned is None:
                    continue
                choice = planned
            said = [*self.written, *(ch.text for ch in chosen)]
            if role == "plan" and any(same_measure(choice.text, t) for t in said):
                # A plan that restates a target already given may still add others: keep those.
                rest = _without_said_measures(choice, said)
                if rest is None:
                    continue
                choice = rest
            if role == "work" and not any(similar(choice.text, t) for t in said):
                # A result that restates a total already given may add one of its own (新认定8家，总数达到79家，
                # 其中包括首个人工智能领域重点实验室): it is said without the total.
                repeated = {a for t in said if same_measure(choice.text, t) for a in amounts(t)}
                shorter = _without_figures(choice.text, repeated) if repeated else None
                if shorter is not None and not any(same_measure(shorter, t) for t in said):
                    choice = Choice(choice.candidate, shorter, choice.score, choice.support, tuple(sorted(repeated)))
            # The plan to finish a draft names it as the notice that it is out for comment does: not a repeat.
            if any((similar(choice.text, t) and not (role == "plan" and states_draft_in_progress(t)))
                   or same_measure(choice.text, t) for t in said):
                continue
            chosen.append(choice)
        chosen = [ch for ch in chosen if not _overtaken(ch, chosen, self.reply_date)]
        for ch in chosen:
            self.used.add((ch.candidate.doc_id, ch.candidate.start))
            self.written.append(ch.text)
        chosen.sort(key=lambda ch: (ch.candidate.meta.date or "0", ch.candidate.doc_id, ch.candidate.start))
        # Written again in reading order, so a policy is named in full the first time it appears.
        # (A plan is written as chosen: it may be what remains of a sentence whose first act is done.)
        return [Choice(ch.candidate, self._final(ch) if role == "work" else ch.text, ch.score, ch.support, ch.without)
                for ch in chosen]

    def _final(self, ch: Choice) -> str:
        """The work sentence as the letter says it, in reading order, without the figures said before it."""
        text = self._write(ch.candidate, "work", commit=True)
        return (_without_figures(text, set(ch.without)) or text) if ch.without else text

    def _restates_at_hand(self, choice: Choice, scored: list[Choice]) -> bool:
        """A past reply's statement of a policy's parameter, when a clause of that policy saying the same rule
        competes too: the policy says it first-hand, however recent the reply."""
        text = choice.text
        if choice.candidate.meta.kind != "reply" or not states_parameter(text):
            return False
        named = [n for n in self.policies if f"《{n}》" in text]
        return any(other.candidate.meta.kind == "policy" and policy_name(other.candidate.meta.title,
                                                                          other.candidate.meta.issuer) in named
                   and same_measure(other.text, text) for other in scored)

    def lend(self, done: dict[int, list[Choice]]) -> None:
        """A suggestion nothing answers takes a sentence of another item that answers it too, when that item
        keeps another and the sentence is what a fallback may say there (``fallback``): a policy clause on 链主企业
        as the subject of R&D answers both 邀请企业全程参与研发 and 整合创新资源, and a letter that says it once
        should say it where it leaves no gap."""
        moved = False
        for idx in [i for i, chosen in done.items() if not chosen]:
            offers: list[tuple[float, int, Choice, Choice]] = []
            for other, theirs in done.items():
                if other == idx or len(theirs) < 2:
                    continue
                for ch in theirs:
                    key = (ch.candidate.doc_id, ch.candidate.start)
                    mine = next((c for c in self.pool if c.suggestion_index == idx and (c.doc_id, c.start) == key),
                                None)
                    # What a fallback may say: a measure of the bureau's own in force, on the proposal's subject.
                    judged = (self._judge(mine, "work", FALLBACK_RELEVANCE, strict=False)
                              if mine is not None and self._fallback_source(mine) else None)
                    if judged is not None:
                        offers.append((judged.score, other, ch, judged))
            if offers:
                _, other, given, taken = max(offers, key=lambda o: o[0])
                done[other] = [ch for ch in done[other] if ch is not given]
                done[idx] = [taken]
                moved = True
        if moved:
            self._rewrite(done)

    def rehome_parameters(self, done: dict[int, list[Choice]], suggestions: list[str]) -> None:
        """A programme's parameter (按新增设备投入的30%给予建设补助，最高500万元) found about equally for the
        suggestion on the programme's layout and for the one asking for money (加大资金支持力度) answers the
        money ask: it moves there when that item has room (one past MAX_PER_ITEM: what moves in displaces nothing)
        and its policy has not said enough there, the sentence clears its floor there, and the item it leaves keeps
        another sentence."""
        money = [j for j, s in enumerate(suggestions) if asks_for_money(s)]
        moved = False
        for i in sorted(done):
            if i in money:
                continue
            for ch in list(done[i]):
                if len(done[i]) < 2 or not speaks_of_money(ch.text):
                    continue
                key = (ch.candidate.doc_id, ch.candidate.start)
                offers = []
                for j in money:
                    mine = next((c for c in self.pool if c.suggestion_index == j and (c.doc_id, c.start) == key), None)
                    if mine is None or len(done[j]) > MAX_PER_ITEM or mine.score + _TIE < ch.candidate.score:
                        continue
                    # It cleared the stricter floor where it stands, at about the same relevance.
                    judged = self._judge(mine, "work", MIN_RELEVANCE["work"], strict=False)
                    if judged is not None and _room_for(judged, done[j]):
                        offers.append((mine.score, j, judged))
                if offers:
                    _, j, judged = max(offers, key=lambda o: o[0])
                    done[i] = [c for c in done[i] if c is not ch]
                    done[j] = sorted([*done[j], judged], key=lambda c: (c.candidate.meta.date or "0", c.candidate.doc_id,
                                                                        c.candidate.start))
                    moved = True
        if moved:
            self._rewrite(done)

    def _rewrite(self, done: dict[int, list[Choice]]) -> None:
        """Every item written again in letter order: a policy is named in full where the letter first cites it."""
        self.writer.forget_names()
        for idx in sorted(done):
            done[idx] = [Choice(ch.candidate, self._final(ch), ch.score, ch.support, ch.without) for ch in done[idx]]

    def hand_over(self, plans: dict[int, list[Choice]], suggestions: list[str], limit: int = 2) -> None:
        """A plan's act that speaks to another suggestion alone goes to that one (建立技术经纪人分级评价制度，
        推动科技大市场线上平台互联互通: the second act answers the ask on the 科技大市场), first to
        suggestions without a plan, then to those with room; a whole plan moves only from an item that keeps
        another. Both keep the same source; the act leaves the plan it came from."""
        for j in sorted(range(len(suggestions)), key=lambda j: bool(plans.get(j))):
            for i, choices in plans.items():
                if i == j or len(plans.get(j, [])) >= limit:
                    continue
                taken = self._take_act(choices, i, j, suggestions)
                if taken is not None:
                    plans[j] = [*plans.get(j, []), taken]

    def _take_act(self, choices: list[Choice], i: int, j: int, suggestions: list[str]) -> Choice | None:
        for n, ch in enumerate(choices):
            mine = next((c for c in self.pool if c.suggestion_index == j and c.specific
                         and (c.doc_id, c.start) == (ch.candidate.doc_id, ch.candidate.start)), None)
            if mine is None:
                continue
            # The terms each suggestion itself names (not what its search added from the title).
            keep = {t for t in ch.candidate.shared if _term_of_art(t) and t in suggestions[i] and t not in suggestions[j]}
            give = {t for t in mine.shared if _term_of_art(t) and t in suggestions[j] and t not in suggestions[i]}
            if len(choices) > 1 and give and any(t in ch.text for t in give) and not any(t in ch.text for t in keep):
                # What is left of a plan after its shared acts were said speaks to the other suggestion only.
                del choices[n]
                return Choice(mine, re.sub(r"^下一步[，,]", "", ch.text), ch.score)
            split = split_acts(ch.text, keep, give)
            if split is None:
                continue
            stay, go = split
            if any(sentence_flags(t, [ch.candidate.meta], self.reply_date, "plan", self.recency,
                                  quotes=[ch.candidate.quote]) for t in (stay, go)):
                continue
            choices[n] = Choice(ch.candidate, stay, ch.score)
            return Choice(mine, go, ch.score)
        return None

    def _plan_as_written(self, choice: Choice, chosen: list[Choice]) -> Choice | None:
        """The plan as the letter can say it: without an act done since, or one said already; None when
        nothing remains, or when it is a second plan for the suggestion that only shares the proposal's topic."""
        if chosen and not choice.candidate.specific:
            return None
        if self._already_done(choice):
            rest = self._rest_of_plan(choice)
            if rest is None:
                return None
            choice = rest
        choice = self._as_drafted(choice)
        left = self._without_met_targets(choice)
        if left is None:
            return None
        return self._repeated_opening(left, chosen)

    def _without_met_targets(self, choice: Choice) -> Choice | None:
        """The plan without a target a later report shows met (新增联合基金合作方不少于3家, when the count went from
        10家 in the plan's own year to 13家 since); None when nothing else remains."""
        head = choice.text[: len(choice.text) - len(_strip_will(choice.text))]
        clauses = [c for c in re.split(r"(?<=[，；])", _strip_will(choice.text)) if c]
        kept = [c for c in clauses if not self._target_met(c, choice.candidate.meta.date)]
        if len(kept) == len(clauses):
            return choice
        if not kept:
            return None
        text = head + re.sub(r"[，；。]?$", "。", "".join(kept), count=1)
        if len(_strip_will(text)) < 12 or not _PLAN_ACT.match(_strip_will(text)):
            return None
        return Choice(choice.candidate, text, choice.score)

    def _target_met(self, clause: str, planned: str) -> bool:
        m = _TARGET.search(clause)
        if m is None or not planned:
            return False
        wanted, unit = float(m.group(1)), m.group(2)
        keys = {k for k in _measures(clause) if k[1] == unit}
        before = self._latest_total(keys, lambda d: d <= planned)
        after = self._latest_total(keys, lambda d: planned < d <= self.reply_date)
        return before is not None and after is not None and after - before >= wanted

    def _latest_total(self, keys: set[tuple[str, str]], when: Callable[[str], bool]) -> float | None:
        """The newest running total the pool reports for the measure ``keys`` name, among sources dated ``when``."""
        found: list[tuple[str, float]] = []
        for c in self.pool:
            if c.tense == "plan" or c.part == "plan" or not c.meta.date or not when(c.meta.date):
                continue
            values = _measures(c.text)
            shared = [k for k in keys & values.keys() if _states_total(c.text, values[k][-1])]
            if len(shared) >= 2 or any(len(w) >= 3 for w, _ in shared):
                found.append((c.meta.date, float(re.sub(r"[^\d.]", "", values[shared[0]][-1]))))
        return max(found)[1] if found else None

    def _repeated_opening(self, choice: Choice, chosen: list[Choice]) -> Choice | None:
        """Two plans that open with the same act (我局将出台《…方案》，…) say it once: the second keeps what
        follows it, or is dropped when nothing does."""
        head, _, rest = choice.text.partition("，")
        if not rest or not any(_opening(t) == _opening(head) for t in [*self.written, *(c.text for c in chosen)]):
            return choice
        if len(rest) < 12 or not _PLAN_ACT.match(_strip_will(rest)):
            return None
        return Choice(choice.candidate, head[: len(head) - len(_strip_will(head))] + _strip_will(rest), choice.score)

    def _rest_of_plan(self, choice: Choice) -> Choice | None:
        """A plan whose first act was done since (出台“1+N”政策，加快建设…基地): the acts after it, if any."""
        m = _ISSUE_PLAN.search(choice.text)
        if m is None:
            return None
        rest = re.sub(r"^[^，。；]*[，；]", "", choice.text[m.end():])
        if len(rest) < 12 or not _PLAN_ACT.match(rest):
            return None
        text = choice.text[: m.start()] + re.sub(r"(?:出台|印发|制定|发布).*$", "", m.group(0)) + rest
        if sentence_flags(text, [choice.candidate.meta], self.reply_date, "plan", self.recency,
                          quotes=[choice.candidate.quote]):
            return None
        return Choice(choice.candidate, text, choice.score)

    def _as_drafted(self, choice: Choice) -> Choice:
        """A plan to issue or revise a policy that the bureau has since put out for comment (修订完善高新技术企业支持
        政策, then 《…若干措施（征求意见稿）》): the plan is now to finish that draft and issue it, cited with its notice."""
        m = _ISSUE_PLAN.search(choice.text)
        if not m:
            return choice
        target = char_bigrams(m.group(1))
        for c in self.pool:
            if not (c.meta.kind == "policy" and "征求意见" in c.quote and validity(c.meta, self.reply_date) == "draft"
                    and choice.candidate.meta.date < c.meta.date <= self.reply_date):
                continue
            name = policy_name(c.meta.title, c.meta.issuer)
            if target and len(target & char_bigrams(name)) / len(target) >= 0.5:
                head = choice.text[: m.start()] + re.sub(r"将(?:研究)?(?:修订完善|修订出台|修订|出台|印发|制定|发布)$", "",
                                                         choice.text[m.start(): m.start(1)])
                text = f"{head}将{draft_to_finish(name)}{choice.text[m.end():]}"
                if not sentence_flags(text, [choice.candidate.meta, c.meta], self.reply_date, "plan", self.recency,
                                      quotes=[choice.candidate.quote]):
                    return Choice(choice.candidate, text, choice.score, (*choice.support, c), choice.without)
        return choice

    def _already_done(self, choice: Choice) -> bool:
        """A plan to issue something (出台…政策) that a later document of the bureau's says was issued."""
        m = _ISSUE_PLAN.search(choice.text)
        if not m:
            return False
        target = char_bigrams(m.group(1))
        for c in self.pool:
            if c.tense == "plan" or not c.meta.date or c.meta.date <= choice.candidate.meta.date:
                continue
            if validity_flag(c.meta, self.reply_date) is not None:
                continue  # a consultation draft (or a repealed text) is not the plan carried out
            issued = _ISSUED.search(c.text) or (c.meta.kind == "policy" and c.meta.title)
            if issued and target and len(target & char_bigrams(c.text + c.meta.title)) / len(target) >= 0.5:
                return True
        return False

    def _eligible(self, idx: int, role: Role) -> list[Candidate]:
        out = []
        for c in self.pool:
            if c.suggestion_index == idx and (c.doc_id, c.start) in self.superseded:
                c = self._in_place_of(c)
            if (c.suggestion_index != idx or (c.doc_id, c.start) in self.used
                    or (c.doc_id, c.start) in self.superseded or c.context):
                continue
            # A sentence that answers another suggestion much better is left for that one.
            if self.home.get((c.doc_id, c.start), idx) != idx:
                continue
            if role == "work" and (c.tense == "plan" or c.part == "plan"):
                continue
            if role == "work" and c.part == "body" and c.doc_id in self.structured:
                continue
            # A news or plan sentence with no sign of having been done (加快完善…) is an aim or a quotation;
            # a policy's provision is a measure in force, and a reply's or summary's work part was done.
            if role == "work" and c.tense == "neutral" and c.meta.kind in ("news", "plan"):
                continue
            if role == "plan" and (c.tense != "plan" or c.meta.kind not in PLAN_KINDS or not c.core):
                continue
            # A policy's conditions, procedures and closing articles are not measures taken, unless the clause
            # is the very reform the ask names in quotes (推行经费“包干制” → 对经费使用实行“包干制”试点).
            if c.meta.kind == "policy" and procedural(c.section) and not names_asked(c):
                continue
            out.append(c)
        return out

    def _changed_since(self, c: Candidate, text: str) -> bool:
        """A parameter a later own report says was changed, as done (青年项目每项资助5万元, and since 资助强度已由每项
        5万元提高到8万元): the old value is history, whatever document set it."""
        if not states_parameter(text):
            return False
        terms = {t for t in c.shared if len(t) >= 2}
        for value in amounts(_QUOTED.sub("", _provision(text))):
            changed = changed_from(value)
            for other in [*self.pool, *self.newer]:
                if (other.doc_id != c.doc_id and other.meta.date > c.meta.date and other.meta.date <= self.reply_date
                        and other.tense != "plan" and other.part != "plan" and changed.search(other.text)
                        and any(t in other.text for t in terms)):
                    return True
        return False

    def _restated(self, c: Candidate, text: str) -> Candidate | None:
        """A recent own passage that gives an old statement's parameter again (“科信贷”…按50%给予风险补偿, and in
        this year's plan 推动“科信贷”…风险补偿比例由50%提高到60%: today it is 50%), so the rule still applies.
        A change reported done (…由50%提高到60%, done) says it no longer does: then none."""
        if not states_parameter(text) or c.meta.kind == "policy":
            return None
        rates = [a for a in amounts(text) if a.endswith("%")] or amounts(text)[:1]
        terms = {t for t in c.shared if len(t) >= 3}
        year = int(self.reply_date[:4]) if self.reply_date[:4].isdigit() else 0
        for other in [*self.pool, *self.newer]:
            recent = other.meta.date[:4].isdigit() and int(other.meta.date[:4]) >= year - self.recency.years
            if not (other.doc_id != c.doc_id and recent and other.meta.date <= self.reply_date):
                continue
            for rate in rates:
                if rate in other.text and any(t in other.text for t in terms):
                    changed = changed_from(rate).search(other.text)
                    done = changed and other.tense != "plan" and other.part != "plan"
                    return None if done else other
        return None

    def _in_place_of(self, c: Candidate) -> Candidate:
        """The newest statement of ``c``'s measure, answering ``c``'s suggestion as ``c`` did, when only a
        reference (too weak to cite on its own) gives it; else ``c`` itself (its successor is a candidate too)."""
        newest = self.successor[(c.doc_id, c.start)]
        if not newest.reference:
            return c
        return newest.model_copy(update={"suggestion_index": c.suggestion_index, "score": c.score, "fit": c.fit,
                                         "specific": c.specific, "core": c.core, "shared": c.shared,
                                         "reference": False})

    def _write(self, c: Candidate, role: Role, commit: bool = False) -> str:
        return self.writer.work(c, commit=commit) if role == "work" else self.writer.plan(c)

    def _judge(self, c: Candidate, role: Role, floor: float, strict: bool = True) -> Choice | None:
        relevance = c.score
        one_word = strict and not c.specific and role == "work"
        if relevance < (max(floor, MIN_RELEVANCE_ONE_WORD) if one_word else floor):
            return None
        text = self._write(c, role)
        if role == "plan" and c.meta.kind == "policy" and not _PLAN_ACT.match(_strip_will(text)):
            return None  # 高校院所将成果转让…的，按…给予奖励: a provision in force, its 将 is not the future
        flags = sentence_flags(text, [c.meta], self.reply_date, role, self.recency, quotes=[c.quote])
        support: tuple[Candidate, ...] = ()
        if flags and role == "work" and {f.code for f in flags} == {FlagCode.STALE}:
            # An old statement of a parameter a recent document restates: cited with it, it is not stale.
            restated = self._restated(c, text)
            if restated is not None and not sentence_flags(text, [c.meta, restated.meta], self.reply_date, role,
                                                           self.recency, quotes=[c.quote, restated.quote]):
                flags, support = [], (restated,)
        if flags or (role == "work" and self._changed_since(c, text)):
            return None
        # A parameter a past reply states without its instrument (对运营良好的平台按…20%给予运营补助) reads better
        # from the policy that sets it, which the letter names: the reply's prior does not apply to it.
        bare_parameter = states_parameter(text) and "《" not in text
        prior = 0.0 if bare_parameter else _KIND_PRIOR.get(c.meta.kind, 0.0)
        score = relevance + prior + (SPECIFIC_BONUS if c.specific else 0.0)
        if c.part in ("work", "suggestion"):
            score += 0.1
        if amounts(_QUOTED.sub("", _provision(text))):
            score += 0.2  # a figure of the sentence's own: not its date, its policy's number or a name (“高企26条”)
        if "《" in text or "“" in text:
            score += 0.1
        if names_asked(c):
            score += NAMED_ASK_BONUS  # the reform or programme the ask names (“包干制”, “免申即享”) is its answer
        score += 0.3 * recency(c.meta.date, self.reply_date)
        if self.style is not None:
            score += STYLE_WEIGHT * (self.style.score(text) - 0.5)
        return Choice(c, text, score, support)


# A heading names its section in a few words (（五）申报条件); a longer "heading" is a numbered provision the
# chunker took for one (（二）对…中心组织实施的概念验证项目，按…给予资助), and its words are not the section's.
_HEADING_CHARS = 24


def merged_policy_clauses(chosen: list[Choice]) -> list[Choice]:
    """Clauses of one policy side by side in an item read as one sentence that names the policy once
    (《办法》规定…共同设立联合基金；联合基金由市财政与合作方按1:1比例共同出资…), citing every clause."""
    out: list[Choice] = []
    for ch in chosen:
        prev = out[-1] if out else None
        rest = _provision(ch.text)
        if (prev is not None and ch.candidate.meta.kind == "policy" and prev.candidate.doc_id == ch.candidate.doc_id
                and rest != ch.text and rest):
            out[-1] = Choice(prev.candidate, re.sub(r"[。；]$", "", prev.text) + "；" + rest, prev.score,
                             (*prev.support, ch.candidate, *ch.support))
            continue
        out.append(ch)
    return out


def _overtaken(choice: Choice, chosen: list[Choice], reply_date: str) -> bool:
    """A count as of a month two or more years back (截至2024年6月底，共征集场景需求46项) beside a later account of
    the same programme in the item (2025年9月发布第二批35个场景): a step the programme has gone past."""
    m = re.search(r"截至(\d{4})年(\d{1,2})月", choice.text)
    if not m or m.group(2) == "12" or not reply_date[:4].isdigit() or int(reply_date[:4]) - int(m.group(1)) < 2:
        return False
    terms = {t for t in choice.candidate.shared if len(t) >= 3}
    return any(other is not choice and other.candidate.meta.date[:4].isdigit()
               and int(other.candidate.meta.date[:4]) > int(m.group(1)) and terms & set(other.candidate.shared)
               for other in chosen)


def _room_for(choice: Choice, chosen: list[Choice]) -> bool:
    """Whether an item holding ``chosen`` may take another sentence of ``choice``'s document."""
    same_doc = sum(ch.candidate.doc_id == choice.candidate.doc_id for ch in chosen)
    # One clause of a policy per item, unless a further one states a parameter of its own (按…给予…，最高…万元:
    # the amounts are what a reply cites) or answers a part of the ask no sentence of the item has touched (推行经费
    # “包干制”): up to three, which the letter says as one sentence naming the policy once (merged_policy_clauses).
    covered = {t for ch in chosen for t in ch.candidate.shared}
    adds = any(_term_of_art(t) and len(t) >= 3 for t in set(choice.candidate.shared) - covered)
    policy_room = POLICY_CLAUSES if states_parameter(choice.text) or adds else 1
    same = [ch.candidate.score for ch in chosen if ch.candidate.doc_id == choice.candidate.doc_id]
    if len(same) >= 2 and choice.candidate.score < THIRD_CLAUSE * max(same):
        policy_room = 2  # a third clause only as relevant as the others: not another programme's amounts
    # A past reply lists one measure a sentence (its instruments and their amounts): up to three of them;
    # so may a news report on the ask (its result, its first-time reform, the revision under review).
    return same_doc < {"policy": policy_room, "reply": 3, "news": 3}.get(choice.candidate.meta.kind, 2)


def procedural(section: str) -> bool:
    """Whether a policy passage sits under a heading of conditions, procedures or closing articles."""
    return any(len(h) <= _HEADING_CHARS and _PROCEDURAL_SECTION.search(h) for h in section.split(" > "))


def names_asked(c: Candidate) -> bool:
    """Whether the sentence names, in quotes, a term the suggestion asks for (推行经费“包干制”)."""
    return any(f"“{t}”" in c.text for t in c.shared)


_QUOTED = re.compile(r"《[^》]*》|“[^”]*”")
# A target to add so many (新增联合基金合作方不少于3家, 新增市级中试平台4家以上).
_TARGET = re.compile(r"新增[^，；。]{2,20}?(?:不少于|至少)?(\d+)(家|个|项|名|支|所)")
_ISSUE_PLAN = re.compile(r"^(?:下一步，)?(?:我局|我市)?将(?:研究)?(?:修订完善|修订出台|修订|出台|印发|制定|发布)([^，。；]{3,30})")
_PLAN_ACT = re.compile(r"(?:全年|年内|每年|加快|持续|深入|全面|大力|积极|进一步)*(?:建设|推进|推动|实施|打造|完善|建立|培育|支持|"
                       r"开展|布局|建强|培训|新增|认定|选派|组织|举办|力争|扩大|提高|引导|加大|设立|组建|出台|制定)")
_ISSUED = re.compile(r"印发|出台|发布|施行")


def _without_figures(text: str, figures: set[str]) -> str | None:
    """``text`` without its clauses whose every amount is among ``figures``; None when nothing was dropped or
    what remains states no figure of its own, or opens on a part (其中…) of what was dropped."""
    clauses = [c for c in re.split(r"(?<=[，；])", text) if c]
    # The first clause past the date says who did what (我市共选派…356名): it stays, or the rest has no subject.
    first = next((i for i, c in enumerate(clauses) if not re.fullmatch(r"(?:截至)?\d{4}年(?:\d{1,2}月)?(?:底)?[，,]", c)), 0)
    kept = [c for i, c in enumerate(clauses) if i <= first or not (amounts(c) and set(amounts(c)) <= figures)]
    if len(kept) == len(clauses):
        return None
    rest = re.sub(r"[，；。]?$", "。", "".join(kept).rstrip("。"), count=1)
    body = re.sub(r"^(?:截至)?\d{4}年(?:\d{1,2}月)?(?:底)?[，,]?", "", rest)
    if len(body) < 12 or body.startswith("其中") or not amounts(body):
        return None
    return rest


def _without_said_measures(choice: Choice, said: list[str]) -> Choice | None:
    """The plan without its clauses whose figure was given already (选派科技特派员不少于370名，建设示范基地10个
    → 建设示范基地10个), or None when what remains does not stand as a plan."""
    head, _, _ = choice.text.partition("，")
    subject = head[: len(head) - len(_strip_will(head))]
    clauses = [c for c in re.split(r"(?<=[，；])", _strip_will(choice.text)) if c]
    kept = [c for c in clauses if not any(same_measure(c, t) for t in said)]
    rest = "".join(kept)
    if len(rest) < 12 or kept == clauses or not _PLAN_ACT.match(rest):
        return None
    return Choice(choice.candidate, subject + rest, choice.score)


# Where a plan chains its acts: 建立…制度，推动…互联互通 (a comma before the next act's verb).
_ACT_CUT = re.compile(r"[，；](?=" + _PLAN_ACT.pattern + ")")


def split_acts(text: str, keep: set[str], give: set[str]) -> tuple[str, str] | None:
    """A plan of several acts cut in two: the acts naming only ``give`` terms go, the rest stay; None
    unless both halves stand as plans and what stays still names a ``keep`` term."""
    if not keep or not give:
        return None
    body = _strip_will(text)
    subject = text[: len(text) - len(body)]
    acts = [a.rstrip("。；，") for a in _ACT_CUT.split(body) if a.strip("。；，")]
    if len(acts) < 2:
        return None
    going = [a for a in acts if any(t in a for t in give) and not any(t in a for t in keep)]
    staying = [a for a in acts if a not in going]
    if not going or not any(any(t in a for t in keep) for a in staying):
        return None
    stay, go = "，".join(staying), "，".join(going)
    if len(go) < 10 or not _PLAN_ACT.match(go) or not _PLAN_ACT.match(staying[0]):
        return None
    return f"{subject}{stay}。", f"{re.sub(r'^下一步[，,]', '', subject)}{go}。"


def _term_of_art(term: str) -> bool:
    return len(term) >= 2 and term not in GENERIC


def _strip_will(text: str) -> str:
    """What a plan says after its subject: 下一步，我局将出台… → 出台…"""
    return re.sub(r"^(?:下一步[，,])?(?:我局|我市|全市)?(?:将|还将)?", "", text)


def _opening(text: str) -> str:
    return _strip_will(text.partition("，")[0])


# How much better another suggestion must fit a sentence before it is kept for that one.
HOME_MARGIN = 0.15
# A parameter fits the money ask "about equally" when its relevance there is at most this much lower.
_TIE = 0.05


def best_suggestion(pool: list[Candidate]) -> dict[tuple[str, int], int]:
    """For a sentence found for several suggestions, the one it answers clearly best (by HOME_MARGIN);
    sentences that fit several about equally are absent (any of them may take it)."""
    scores: dict[tuple[str, int], dict[int, float]] = {}
    for c in pool:
        per = scores.setdefault((c.doc_id, c.start), {})
        # Above full relevance the score is capped; how far above still tells two suggestions apart.
        fit = c.score + max(0.0, c.fit - 1.0)
        per[c.suggestion_index] = max(per.get(c.suggestion_index, 0.0), fit + (SPECIFIC_BONUS if c.specific else 0.0))
    home: dict[tuple[str, int], int] = {}
    for key, per in scores.items():
        if len(per) < 2:
            continue
        ranked = sorted(per.items(), key=lambda kv: -kv[1])
        if ranked[0][1] - ranked[1][1] >= HOME_MARGIN:
            home[key] = ranked[0][0]
    return home


def same_measure(a: str, b: str) -> bool:
    """Two sentences that give the same figure for the same thing (选派科技特派员370名 twice).

    Two parameters (最高50万元) are one measure only when the one with fewer figures gives them all as the other
    does: two provisions may pay the same recipient the same cap (评价优秀的孵化器给予最高50万元运营补助;
    孵化器对在孵企业实际投资额的10%给予奖励，每家孵化器每年最高50万元), and a restatement repeats every figure.
    """
    if states_parameter(a) and states_parameter(b) and set(re.findall(r"《[^》]+》", a)) & set(re.findall(r"《[^》]+》", b)):
        # One policy's parameters, as the policy and as a past reply give them: the same rule when the amounts
        # of one are all in the other (奖励20万元 beside 5万元培育补助…奖励20万元).
        fa, fb = set(amounts(_QUOTED.sub("", a))), set(amounts(_QUOTED.sub("", b)))
        if fa and fb and (fa <= fb or fb <= fa):
            return True
    ka, kb_ = measure_values(a), measure_values(b)
    shared = {k for k in ka.keys() & kb_.keys() if ka[k] & kb_[k]}
    if shared and states_parameter(a) and states_parameter(b):
        fewer = ka if len(ka) <= len(kb_) else kb_
        return set(fewer) <= shared
    return bool(shared)


def recency(date: str, reply_date: str) -> float:
    """1 for a source of the reply year, falling by a quarter per year before it, 0 from four years back."""
    if not (date[:4].isdigit() and reply_date[:4].isdigit()):
        return 0.0
    return max(0.0, 1.0 - 0.25 * (int(reply_date[:4]) - int(date[:4])))


def similar(a: str, b: str) -> bool:
    """Two sentences that say much the same, judged on what they say after naming their policy (two
    provisions of one policy share its long name, not their content)."""
    fa, fb = set(amounts(a)), set(amounts(b))
    if fa and fb and not fa & fb:
        return False  # the same words about other figures (达到948家 now, 突破1000家 to come) are two statements
    a, b = _content(a), _content(b)
    ga = {a[i : i + 2] for i in range(len(a) - 1)}
    gb = {b[i : i + 2] for i in range(len(b) - 1)}
    return bool(ga and gb) and len(ga & gb) / len(ga | gb) >= SIMILAR


_POLICY_LEAD = re.compile(r"^(?:(?:\d{4}年(?:\d{1,2}月)?[，,]?)?[\u4e00-\u9fff]{0,12}?印发《[^》]+》(?:[（(][^）)]*[）)])?[，,]"
                          r"(?:提出|明确|规定)?|按照《[^》]+》[，,]|《[^》]+》(?:提出|明确|规定))")


def _provision(text: str) -> str:
    return _POLICY_LEAD.sub("", text, count=1)


def _content(text: str) -> str:
    """What a sentence says, without its policy's name, its dates, its subject and its punctuation: the same
    fact dated 12月 in one document and 2023年12月，我局… in another reads the same."""
    return re.sub(r"\d{4}年|\d{1,2}月(?:底|末)?|截至|我局|我市|[，,。；、]", "", _provision(text))


_MEASURE_STOP = frozenset({"全市", "我市", "累计", "共", "达", "达到", "其中", "同比", "增长", "年", "月", "以上", "超过", "突破",
                           # a parameter's frame (每家每年最高100万元) says nothing of what it measures
                           "每家", "每年", "每人", "每个", "每项", "最高", "单个", "不超过", "给予", "企业",
                           "年度", "上年度", "对外", "单位", "实际", "支付", "按其",
                           # what a parameter pays for and how (建设投入的30%给予补助): the frame, not the subject
                           "建设", "投入", "补助", "资助", "支出", "奖励", "补贴", "项目",
                           # a level or an act says nothing of what is counted (市级中试平台4家 ≠ 市级中心4家)
                           "市级", "省级", "国家级", "区级", "县级", "首批", "认定", "新增", "建成", "完成"})


_TOTAL = frozenset({"总数", "总量", "数量", "总计", "合计", "总和"})


def measure_keys(text: str) -> dict[tuple[str, str], str]:
    """What each figure of ``text`` measures: (word, unit) → the first figure given for it."""
    return {k: v[0] for k, v in _measures(text).items()}


def measure_values(text: str) -> dict[tuple[str, str], set[str]]:
    """Every figure ``text`` gives for each measure (第二批中试平台5家，…中试平台累计达到11家: both)."""
    return {k: set(v) for k, v in _measures(text).items()}


def _measures(text: str) -> dict[tuple[str, str], list[str]]:
    """What each figure of ``text`` measures: (word, unit) → its figures in order, from the words of its own
    clause just before it (合作银行达到14家) or just after it (8家市级中试平台)."""
    keys: dict[tuple[str, str], list[str]] = {}
    previous: list[str] = []
    for m in re.finditer(r"(\d[\d,.]*)\s*(亿元|万元|元|家|项|个|名|人|%|件|所|支|台|亩|倍)", text):
        if re.search(r"由[^，。；\d]{0,3}$", text[max(0, m.start() - 4) : m.start()]) and CHANGE.match(text, m.end()):
            continue  # the old value of a change (比例由5%提高到8%) is not a figure the sentence reports
        before = re.split(r"[，。；、：,;:]", text[max(0, m.start() - 12) : m.start()])[-1]
        before = re.sub(r"\d{4}年|\d{1,2}月(?:底|末)?|截至|\d", "", before)
        after = re.split(r"[，。；、：,;:]", text[m.end() : m.end() + 6])[0]
        named = [w for w in words(before + " " + after) if len(w) >= 2 and w not in _MEASURE_STOP]
        if set(named) <= _TOTAL and "其中" not in before:  # 其中国家级6家 is a part, not the total
            # 新认定市级重点实验室8家，总数达到79家: the total counts what the figure before it counts, and is
            # what the sentence reports of it.
            for w in previous:
                keys.setdefault((w, m.group(2)), []).insert(0, normalize(m.group(0)))
        for w in named:
            keys.setdefault((w, m.group(2)), []).append(normalize(m.group(0)))
        previous = [w for w in named if w not in _TOTAL] or previous
    return keys


def _states_total(text: str, figure: str) -> bool:
    """Whether ``text`` gives ``figure`` as a running total (达到31家, 累计51.6亿元, 总数达到27家)."""
    return bool(re.search(r"(?:达到|总数|累计|共有|增至|突破)[^，。；\d]{0,6}" + re.escape(figure), text))


def _batch(text: str, figure: str) -> bool:
    """Whether ``text`` gives ``figure`` as the size of one batch (认定首批市级中试平台6家): a fact of its own
    day, which no later total or later batch replaces."""
    return bool(re.search(r"(?:首批|第[一二三四五六七八九十\d]{1,3}批)[^，。；]{0,16}?" + re.escape(figure), text))


def superseded(pool: list[Candidate]) -> set[tuple[str, int]]:
    """Candidates whose figure a newer statement of what was done gives again, with another value
    (the newest figure wins); a newer sentence that repeats the same figure supersedes nothing."""
    return set(successors(pool))


def successors(pool: list[Candidate]) -> dict[tuple[str, int], Candidate]:
    """For each candidate a newer statement of the same measure replaces, the newest such statement."""
    dated = [(c, measure_keys(c.text)) for c in pool if c.meta.date and figures(c.text)]
    # Targets (新认定3家以上) are not measurements: they neither replace nor get replaced; nor is a policy's
    # parameter (最高100万元), which stands as long as the policy does (validity says when it ends).
    done = [(c, k) for c, k in dated if c.tense != "plan" and c.part != "plan" and c.meta.kind != "policy"]
    out: dict[tuple[str, int], Candidate] = {}
    for c, keys in done:
        for other, other_keys in done:
            if other.doc_id == c.doc_id or other.meta.date <= c.meta.date:
                continue
            shared = keys.keys() & other_keys.keys()
            changed = [k for k in shared if keys[k] != other_keys[k] and keys[k] not in other_keys.values()
                       and not _batch(c.text, keys[k])]
            # Two shared measures make it the same series; so does one named by a long term of art that the newer
            # sentence gives as a total (全市市级新型研发机构达到31家; not 其中科技型中小企业463家, a part of another).
            if changed and (len(shared) >= 2 or any(len(word) >= 4 and _states_total(other.text, other_keys[(word, unit)])
                                                    for word, unit in changed)):
                key = (c.doc_id, c.start)
                if key not in out or other.meta.date > out[key].meta.date:
                    out[key] = other
    return out
