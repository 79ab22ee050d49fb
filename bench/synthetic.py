"""A synthetic corpus of any size, recombined at run time from real sentences and headings.

Sentences and headings come from the benchmark sources (real corpus, seeds,
sample knowledge base); documents are laid out like the real ones (thematic
and per-suggestion replies, policies with chapters and articles) under
invented issuers, regions and dates, so chunking, metadata and tokenisation
do the same work per chunk as on real documents. Generated into a temporary
folder for each run and never kept.
"""

from __future__ import annotations

import random
import re
from dataclasses import dataclass
from pathlib import Path

from bench.corpus import Source
from bench.mining import strip_marker
from vectorstore.chunker import chunk_document
from vectorstore.metadata import load_manifest
from vectorstore.normalize import normalize_text
from vectorstore.readers import ReadError, read_file
from vectorstore.tokenize import STOPWORDS, words

CN = "一二三四五六七八九十"
# Invented place-name characters: the combinations name no real city.
_PLACE = "澄岚枫栖榆槐芷岑沅淇泓澜峪渚漪崇珑琨璟瑜蘅芊湄棠"
_SURNAMES = "王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗"
PARA_MIN, PARA_MAX = 120, 380  # one paragraph = one chunk (chunker merges below 80, splits above 400)


@dataclass
class Pools:
    sentences: list[str]
    headings: list[str]
    clauses: list[str]


@dataclass
class Generated:
    docs: int
    paragraphs: int
    chars: int
    manifest: Path


def load_pools(srcs: list[Source]) -> Pools:
    """Body sentences and heading labels of every source document (sets: order-independent and deduplicated)."""
    sentences: set[str] = set()
    headings: set[str] = set()
    for src in srcs:
        for rel, (meta, _) in load_manifest(src.manifest).items():
            try:
                text = normalize_text(read_file(src.manifest.parent / rel, 20 * 1024 * 1024))
            except ReadError:
                continue
            for chunk in chunk_document("pool", text, meta.kind):
                sentences.update(s.text for s in chunk.sentences if 12 <= len(s.text) <= 160 and "【" not in s.text)
                headings.update(h for h in map(strip_marker, chunk.section_path) if 4 <= len(h) <= 30)
    clauses = {c for s in sentences for c in re.split(r"[，；：。！？]", s) if 4 <= len(c) <= 60}
    return Pools(sorted(sentences), sorted(headings), sorted(clauses))


def cn_number(n: int) -> str:
    if n <= 10:
        return CN[n - 1]
    return ("" if n < 20 else CN[n // 10 - 1]) + "十" + (CN[n % 10 - 1] if n % 10 else "")


class Writer:
    def __init__(self, pools: Pools, seed: int) -> None:
        self.p = pools
        self.rng = random.Random(seed)
        self.paragraphs = 0

    def para(self, lo: int = PARA_MIN, hi: int = PARA_MAX) -> str:
        self.paragraphs += 1
        out = ""
        while len(out) < lo:
            s = self.sentence()
            if len(out) + len(s) > hi:
                if out:
                    break
                continue
            out += s
        return out

    def sentence(self) -> str:
        """A real sentence, or (half the time) real clauses joined anew: the real corpus has only
        about a thousand sentences, and 100k chunks built from them alone would repeat each one
        hundreds of times."""
        if self.rng.random() < 0.5:
            return self.rng.choice(self.p.sentences)
        return "，".join(self.rng.sample(self.p.clauses, self.rng.randint(2, 4))) + "。"

    def heading(self) -> str:
        return self.rng.choice(self.p.headings)

    def place(self) -> str:
        return "".join(self.rng.sample(_PLACE, 2))

    def reply(self, issuer: str, city: str, date: str, per_suggestion: bool) -> tuple[str, str, str]:
        r = self.rng
        number = r.randint(1, 300)
        kind = r.choice(["提案", "建议"])
        session = f"{city}市{'政协' if kind == '提案' else '人大'}{cn_number(r.randint(8, 16))}届{cn_number(r.randint(1, 5))}次会议"
        topic = self.heading()
        title = f"{issuer}关于{session}第{number}号{kind}答复的函"
        lines = [title, f"{city[0]}科函〔{date[:4]}〕{r.randint(1, 99)}号", f"{r.choice(_SURNAMES)}某某委员：",
                 f"您提出的《关于{topic}的{kind}》收悉。经认真研究，现答复如下："]
        n = 1
        if per_suggestion:
            for _ in range(r.randint(2, 4)):
                lines.append(f"{cn_number(n)}、对“{self.heading()}”建议的回复")
                lines += [self.para() for _ in range(r.randint(1, 3))]
                n += 1
            lines.append(f"{cn_number(n)}、下一步工作计划")
        else:
            lines.append(f"{cn_number(n)}、工作开展情况")
            for i in range(1, r.randint(3, 6) + 1):
                lines.append(f"（{cn_number(i)}）{self.heading()}")
                lines += [self.para() for _ in range(r.randint(1, 2))]
            lines.append(f"{cn_number(n + 1)}、下一步工作打算")
        for i in range(1, r.randint(2, 4) + 1):
            lines.append(f"（{cn_number(i)}）{self.heading()}。{self.para(80, 300)}")
        y, m, d = date.split("-")
        lines += ["感谢您对科技工作的关心和支持。", issuer, f"{y}年{int(m)}月{int(d)}日"]
        return "\n".join(lines), title, f"{session}第{number}号"

    def policy(self, issuer: str, city: str) -> tuple[str, str]:
        r = self.rng
        title = f"{city}市{re.sub(r'[，。；]', '', self.heading())}管理办法"
        lines = [title]
        article = 1
        for ch in range(1, r.randint(3, 6) + 1):
            lines.append(f"第{cn_number(ch)}章 {self.heading()}")
            for _ in range(r.randint(2, 4)):
                lines.append(f"第{cn_number(article)}条 {self.para()}")
                article += 1
        lines.append(f"第{cn_number(article)}条 本办法由{issuer}负责解释，自印发之日起施行。")
        return "\n".join(lines), title


def generate(pools: Pools, out: Path, target_chunks: int, seed: int = 7) -> Generated:
    """Write documents and a MANIFEST.tsv under ``out`` until about ``target_chunks`` paragraphs exist."""
    w = Writer(pools, seed)
    docs_dir = out / "docs"
    docs_dir.mkdir(parents=True, exist_ok=True)
    rows = ["file\tkind\tissuer\tregion\tdate\tproposal_number\ttitle\tsource"]
    provinces = [w.place() + "省" for _ in range(12)]
    cities = [(w.rng.choice(provinces), w.place()) for _ in range(120)]
    n = chars = 0
    while w.paragraphs < target_chunks:
        province, city = w.rng.choice(cities)
        issuer = f"{city}市科学技术局"
        date = f"{w.rng.randint(2015, 2025)}-{w.rng.randint(1, 12):02d}-{w.rng.randint(1, 28):02d}"
        roll = w.rng.random()
        number = ""
        if roll < 0.75:
            text, title, number = w.reply(issuer, city, date, per_suggestion=roll < 0.2)
            kind = "reply"
        else:
            text, title = w.policy(issuer, city)
            kind = "policy"
        name = f"docs/{kind}_{n:06d}.txt"
        (out / name).write_text(text + "\n", encoding="utf-8")
        rows.append("\t".join([name, kind, issuer, f"{province}{city}市", date, number, title, "synthetic"]))
        n += 1
        chars += len(text)
    manifest = out / "MANIFEST.tsv"
    manifest.write_text("\n".join(rows) + "\n", encoding="utf-8")
    return Generated(n, w.paragraphs, chars, manifest)


def queries(pools: Pools, n: int = 200, seed: int = 11) -> list[str]:
    """Search queries of the shapes people type: headings, phrases, keyword lists, suggestion-length text."""
    rng = random.Random(seed)
    out: list[str] = []
    seen: set[str] = set()
    shapes = ["heading", "phrase", "keywords", "long"]
    while len(out) < n:
        shape = shapes[len(out) % len(shapes)]
        if shape == "heading":
            q = rng.choice(pools.headings)
        elif shape == "phrase":
            s = rng.choice(pools.sentences)
            start = rng.randint(0, max(0, len(s) - 15))
            q = s[start : start + rng.randint(15, 40)]
        elif shape == "keywords":
            vocab = [x for x in words(rng.choice(pools.headings) + rng.choice(pools.headings))
                     if len(x) >= 2 and x not in STOPWORDS]
            q = " ".join(rng.sample(vocab, min(len(vocab), rng.randint(2, 4))))
        else:
            q = "".join(rng.sample(pools.sentences, 2))[:150]
        if q.strip() and q not in seen:
            seen.add(q)
            out.append(q)
    return out
