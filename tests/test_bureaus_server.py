"""Two bureaus on ONE real `chroma run` server keep separate collections (tenant in the collection name)."""

from __future__ import annotations

from pathlib import Path

import pytest

from assistant.bureaus import settings_for
from assistant.services import open_kb
from assistant.settings import Settings
from tests.test_store_contract import ChromaServer, shared_server  # noqa: F401  (the module's server fixture)
from tests.web.conftest import TWO_BUREAUS as TOML
from vectorstore.vector_index import make_client


@pytest.mark.server
def test_two_bureaus_share_a_server_but_not_collections(tmp_path: Path, shared_server: ChromaServer) -> None:  # noqa: F811
    (tmp_path / "bureaus.toml").write_text(TOML, encoding="utf-8")
    base = Settings(kb_dir=tmp_path / "kb", embedding_model="hashing", chroma_url=shared_server.url,
                    bureaus_file=tmp_path / "bureaus.toml")
    texts = {"jia": "甲市量子计算中试平台建设方案。甲市已认定量子中试平台3家，给予最高500万元补助。",
             "yi": "乙市氢能产业园建设方案。乙市已认定氢能燃料电池中试平台7家，给予最高300万元补助。"}
    kbs, ids = {}, {}
    for key, text in texts.items():
        path = tmp_path / f"{key}.txt"
        path.write_text(text, encoding="utf-8")
        kbs[key] = open_kb(settings_for(base, key))
        report = kbs[key].ingest([path])
        assert not report.failed, report.failed
        ids[key] = report.files[0].doc_id

    names = {key: kb.stats()["collection"] for key, kb in kbs.items()}
    assert names["jia"] != names["yi"]
    client = make_client(tmp_path / "unused", shared_server.url)
    on_server = {c if isinstance(c, str) else c.name for c in client.list_collections()}
    assert {names["jia"], names["yi"]} <= on_server
    for key, other in (("jia", "yi"), ("yi", "jia")):
        assert client.get_collection(names[key]).count() == kbs[key].stats()["chunks"]
        hits = kbs[key].search(texts[other], k=10)
        assert hits and {h.doc_id for h in hits} == {ids[key]}, "a bureau's search never reaches the other's vectors"
    assert not any((tmp_path / "kb").rglob("chroma")), "server mode keeps no embedded vectors"
    # Deleting in one bureau leaves the other's collection alone.
    assert kbs["jia"].delete(ids["jia"])
    assert client.get_collection(names["jia"]).count() == 0
    assert client.get_collection(names["yi"]).count() == kbs["yi"].stats()["chunks"] > 0
