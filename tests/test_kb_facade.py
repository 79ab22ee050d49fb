"""The typed reads of KnowledgeBase that callers use instead of the document store."""

from __future__ import annotations

from pathlib import Path

from vectorstore.kb import KnowledgeBase
from vectorstore.types import DocFilter

DOCS = {
    "a.txt": ("policy", "2024-03-01", "示例市中试平台建设管理办法（100%覆盖）"),
    "b.txt": ("reply", "2024-07", "关于中试平台建设提案的答复"),
    "c.txt": ("news", "", "科技特派员工作动态"),
    "d.txt": ("reply", "2023-11-20", "关于科技金融_试点提案的答复"),
}


def _kb(kb: KnowledgeBase, tmp_path: Path) -> KnowledgeBase:
    folder = tmp_path / "docs"
    folder.mkdir()
    rows = ["file\tkind\tissuer\tregion\tdate\tproposal_number\ttitle\tsource"]
    for name, (kind, date, title) in DOCS.items():
        (folder / name).write_text(f"{title}\n示例市科学技术局推动{title}相关工作。已认定平台12家。\n共投入资金300万元。\n",
                                   encoding="utf-8")
        number = "第88号" if name == "b.txt" else ""
        rows.append(f"{name}\t{kind}\t示例市科学技术局\t示例省示例市\t{date}\t{number}\t{title}\ttest")
    (folder / "MANIFEST.tsv").write_text("\n".join(rows) + "\n", encoding="utf-8")
    report = kb.ingest([folder], manifest=folder / "MANIFEST.tsv")
    assert not report.failed, report.failed
    return kb


def _titles(kb: KnowledgeBase, **f: object) -> list[str]:
    return [d.title for d in kb.documents(DocFilter.model_validate(f))]


def test_documents_are_filtered_and_paged_in_the_database(kb: KnowledgeBase, tmp_path: Path) -> None:
    _kb(kb, tmp_path)
    every = kb.documents()
    assert [d.date for d in every] == ["2024-07", "2024-03-01", "2023-11-20", ""]
    assert all(d.n_chunks >= 1 and d.content_hash and d.source_path for d in every)
    assert _titles(kb, kinds=["reply"]) == [DOCS["b.txt"][2], DOCS["d.txt"][2]]
    assert _titles(kb, text="第88号") == [DOCS["b.txt"][2]], "the proposal number is searched too"
    assert _titles(kb, text="%") == [DOCS["a.txt"][2]] and _titles(kb, text="_") == [DOCS["d.txt"][2]]
    # Bounds leave undated documents out; a partial date compares at the bound's precision.
    assert _titles(kb, date_from="2024") == [DOCS["b.txt"][2], DOCS["a.txt"][2]]
    assert _titles(kb, date_to="2024-03") == [DOCS["a.txt"][2], DOCS["d.txt"][2]]
    assert _titles(kb, region="示例市", issuer="科学技术局", limit=2, offset=1) == [DOCS["a.txt"][2], DOCS["d.txt"][2]]
    assert _titles(kb, issuer="广州") == []


def test_counts_stats_and_lookups(kb: KnowledgeBase, tmp_path: Path) -> None:
    _kb(kb, tmp_path)
    counts = kb.counts()
    stats = kb.stats()
    assert (counts.documents, counts.chunks) == (stats["documents"], stats["chunks"]) == (4, len(kb.chunk_ids()))
    assert stats["kinds"] == {"news": 1, "policy": 1, "reply": 2}
    doc = kb.documents(DocFilter(kinds=["policy"]))[0]
    stored = kb.get(doc.doc_id)
    assert stored is not None and kb.doc_with_text(stored.text) == doc.doc_id
    assert kb.doc_with_text(stored.text + "。") is None
    ids = [c.chunk_id for c in kb.chunks(doc.doc_id)]
    assert set(kb.chunks_by_id([*ids, "nope:0", ids[0]])) == set(ids)


def test_hits_carry_their_chunks_sentences(kb: KnowledgeBase, tmp_path: Path) -> None:
    _kb(kb, tmp_path)
    hits = kb.search("中试平台 资金", k=5)
    assert hits
    for hit in hits:
        doc = kb.get(hit.doc_id)
        assert doc is not None
        assert hit.sentences == kb.chunks_by_id([hit.chunk_id])[hit.chunk_id].sentences
        assert hit.sentences and all(doc.text[s.start:s.end] == s.text for s in hit.sentences)
        assert hit.start <= hit.sentences[0].start and hit.sentences[-1].end <= hit.end
