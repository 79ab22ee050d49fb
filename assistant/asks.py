"""The separate asks of a suggestion, and which of them a letter leaves without a word.

A suggestion often asks several things in one line (扩大科技型中小企业评价入库规模，对入库企业给予研发、融资等
方面的精准支持，推动更多企业成长为高新技术企业). A letter may answer its subject and still pass one of them over;
the signer should know which, so the draft's warnings list them. Only the clauses after a suggestion's lead
sentence count when it has one (加大资金支持力度。适当提高…): the lead names the item the letter answers as a whole.
"""

from __future__ import annotations

import re

from assistant.textsim import char_bigrams

# An ask opens with what is to be done (degree words first: 进一步加快推动…).
_ASK_VERB = re.compile(
    r"^(?:进一步|加快|大力|积极|着力|切实|适当|逐步|持续|不断)*(?:推动|推进|建立|建设|完善|健全|扩大|加大|支持|鼓励|引导|探索|"
    r"设立|提高|提升|强化|加强|优化|落实|实施|出台|打造|培育|促进|开展|组织|发挥|搭建|构建|降低|简化|推行|实行|给予|纳入|"
    r"防止|避免|做好|用好|确保)")
MIN_ASK_CHARS = 4  # what an ask names after its verb (扩大资金池规模 → 资金池规模)
# Share of an ask's character pairs (after its verb) that some sentence of its items must repeat.
ASK_ANSWERED = 0.3


def split_asks(suggestion: str) -> list[str]:
    """The clauses of a suggestion that each ask for something, its lead left out: the sentence before the
    first 。 when there are several, or the first of three or more asks in one sentence (建立“孵化+投资”联动机制，
    扩大…，引导…), which names the whole the others spell out."""
    sentences = [s for s in re.split(r"[。！？]", suggestion) if s.strip()]
    body = "，".join(sentences[1:]) if len(sentences) > 1 else suggestion
    out = []
    for part in re.split(r"[，；;。]", body):
        part = part.strip()
        m = _ASK_VERB.match(part)
        if m and len(part) - m.end() >= MIN_ASK_CHARS:
            out.append(part)
    if len(sentences) == 1 and len(out) <= 1:
        return []  # one ask is the suggestion itself: its item answers it or says 【待补充】
    return out[1:] if len(sentences) == 1 and len(out) >= 3 else out


def unaddressed(suggestion: str, sentences: list[str]) -> list[str]:
    """The asks of ``suggestion`` that none of ``sentences`` (its work and plan items) speaks to."""
    out = []
    for ask in split_asks(suggestion):
        wanted = char_bigrams(_ASK_VERB.sub("", ask))
        if wanted and all(len(wanted & char_bigrams(s)) / len(wanted) < ASK_ANSWERED for s in sentences):
            out.append(ask)
    return out
