"""The bureau-style model: learned from the knowledge base's own replies, kept beside it, relearned when it changes."""

from __future__ import annotations

from assistant.style import MIN_POSITIVES, load_style, train
from conftest import SAMPLE_KB
from vectorstore.kb import KnowledgeBase


def test_reply_sentences_score_above_news_and_the_model_is_cached(kb: KnowledgeBase) -> None:
    kb.ingest([SAMPLE_KB], manifest=SAMPLE_KB / "MANIFEST.tsv")
    model = load_style(kb)
    assert model is not None and model.positives >= MIN_POSITIVES
    reply_like = "2023年，我局新认定市级中试平台4家，兑现建设补助1660万元。"
    news_like = "记者从会上了解到，与会嘉宾围绕成果转化进行了热烈讨论。"
    assert model.score(reply_like) > model.score(news_like)
    assert (kb.config.kb_dir / "style_model.json").is_file()
    again = load_style(kb)
    assert again is not None and again.weights == model.weights  # read back, not relearned


def test_too_few_replies_means_no_model(kb: KnowledgeBase, tmp_path) -> None:  # type: ignore[no-untyped-def]
    doc = tmp_path / "news.txt"
    doc.write_text("示例市科学技术局工作动态\n全市新增高新技术企业89家。\n", encoding="utf-8")
    kb.ingest([doc])
    assert train(kb) is None and load_style(kb) is None
