"""One contract for the VectorIndex protocol, run against embedded Chroma and a real Chroma server.

The server tests start `chroma run` on a free loopback port and wait for its
heartbeat; the knowledge-base test then stops and restarts that server to check
that an outage surfaces as VectorStoreUnavailable naming the URL, and that
search recovers once the server is back.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest

from assistant.settings import make_kb_config
from bench.loadkit import CHROMA, ChromaServer
from vectorstore.kb import KnowledgeBase
from vectorstore.vector_index import ChromaIndex, VectorIndex, VectorStoreUnavailable, make_client

DIM = 8


def _server(tmp: Path) -> Iterator[ChromaServer]:
    if not CHROMA.exists():
        pytest.skip(f"{CHROMA} not installed")
    server = ChromaServer(tmp / "chroma-data")
    server.start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture(scope="module")
def shared_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ChromaServer]:
    yield from _server(tmp_path_factory.mktemp("chroma-server"))


@pytest.fixture
def own_server(tmp_path: Path) -> Iterator[ChromaServer]:
    """A server of its own, for a test that stops and restarts it."""
    yield from _server(tmp_path)


@pytest.fixture(params=["embedded", pytest.param("server", marks=pytest.mark.server)])
def index(request: pytest.FixtureRequest, tmp_path: Path) -> VectorIndex:
    name = f"contract_{request.node.name.split('[')[0][-40:]}".replace("test_", "")
    if request.param == "embedded":
        client = make_client(tmp_path / "chroma")
    else:
        server: ChromaServer = request.getfixturevalue("shared_server")
        client = make_client(tmp_path / "unused", server.url)
        name = f"{name}_{tmp_path.name}"[:60]  # one server serves every test: keep collections apart
    return ChromaIndex(client, name)


def _vectors(n: int, seed: int = 0) -> np.ndarray:
    v = np.random.default_rng(seed).normal(size=(n, DIM)).astype(np.float32)
    return v / np.linalg.norm(v, axis=1, keepdims=True)


def _fill(index: VectorIndex, per_doc: dict[str, int]) -> tuple[list[str], np.ndarray]:
    ids = [f"{doc}:{i}" for doc, n in per_doc.items() for i in range(n)]
    vectors = _vectors(len(ids))
    index.add(ids, vectors)
    return ids, vectors


def test_empty_index_counts_nothing_and_finds_nothing(index: VectorIndex) -> None:
    assert index.count() == 0
    assert index.ids() == set()
    assert index.query(_vectors(1)[0], 5, None) == []


def test_add_is_idempotent(index: VectorIndex) -> None:
    # A chunk id names its text (a content hash), so under one model its vector never changes: adding an id
    # the index holds (a batch retried after a dropped connection) keeps one entry and its vector.
    ids, vectors = _fill(index, {"a": 3, "b": 2})
    assert index.count() == 5
    assert index.ids() == set(ids)
    index.add(ids, vectors)
    assert index.count() == 5
    index.add([*ids[:2], "c:new"], vectors[:3])
    assert index.count() == 6 and "c:new" in index.ids()
    top_id, score = index.query(vectors[0], 1, None)[0]
    assert top_id == ids[0] and score == pytest.approx(1.0, abs=1e-4)


def test_query_ranks_nearest_first_and_honours_k(index: VectorIndex) -> None:
    ids, vectors = _fill(index, {"a": 4, "b": 4})
    got = index.query(vectors[5], 3, None)
    assert len(got) == 3
    assert got[0][0] == ids[5] and got[0][1] == pytest.approx(1.0, abs=1e-4)
    assert [s for _, s in got] == sorted((s for _, s in got), reverse=True)
    assert len(index.query(vectors[0], 50, None)) == 8  # k beyond the count returns everything


def test_delete_removes_only_the_given_ids(index: VectorIndex) -> None:
    ids, vectors = _fill(index, {"a": 3, "b": 3})
    index.delete(ids[:2])
    assert index.count() == 4
    assert index.ids() == set(ids[2:])
    assert ids[0] not in {c for c, _ in index.query(vectors[0], 10, None)}
    index.delete(ids[:2])  # deleting what is already gone is not an error
    assert index.count() == 4


def test_allowed_ids_restrict_results(index: VectorIndex) -> None:
    ids, vectors = _fill(index, {"a": 3, "b": 3, "c": 3})
    got = index.query(vectors[0], 10, ids[3:])
    assert {c for c, _ in got} == set(ids[3:])
    assert [s for _, s in got] == sorted((s for _, s in got), reverse=True)
    assert [c for c, _ in index.query(vectors[0], 2, ids[3:])] == [c for c, _ in got[:2]]
    assert index.query(vectors[0], 10, []) == []


def test_allowed_ids_the_index_lacks_are_passed_over(index: VectorIndex) -> None:
    # A chunk stored but not embedded yet (an ingest under way) is allowed by its document but has no vector.
    ids, vectors = _fill(index, {"a": 2, "b": 2})
    got = index.query(vectors[2], 10, [*ids[2:], "b:not-yet"])
    assert [c for c, _ in got][:1] == [ids[2]] and {c for c, _ in got} == set(ids[2:])
    assert index.query(vectors[0], 10, ["a:not-yet"]) == []


def test_ids_pages_past_one_batch(index: VectorIndex) -> None:
    ids, _ = _fill(index, {"big": 5003})
    assert index.count() == 5003
    assert index.ids() == set(ids)


DOCS = {
    "a.txt": "示例市科学技术局关于中试平台建设的说明\n一、中试平台建设\n示例市已建成市级中试平台十二家，覆盖新材料、生物医药等产业。\n"
             "二、资金支持\n市财政对新认定的中试平台给予一次性建设补助，最高五百万元。\n",
    "b.txt": "示例市科技特派员工作简报\n一、选派情况\n今年全市选派科技特派员一百二十名，服务乡镇四十个。\n"
             "二、服务成效\n科技特派员开展技术培训九十六场，推广新品种三十个。\n",
    "c.txt": "示例市科技金融工作通报\n一、信贷风险补偿\n风险补偿资金池规模达到五千万元，合作银行七家。\n"
             "二、知识产权质押\n全年知识产权质押融资金额八亿元，惠及企业一百余家。\n",
}


@pytest.mark.server
def test_kb_on_server_survives_an_outage(tmp_path: Path, own_server: ChromaServer) -> None:
    docs = tmp_path / "docs"
    docs.mkdir()
    for name, text in DOCS.items():
        (docs / name).write_text(text, encoding="utf-8")
    kb = KnowledgeBase(make_kb_config(tmp_path / "kb", chroma_url=own_server.url, embedding_model="hashing"))
    report = kb.ingest([docs])
    assert not report.failed and report.embedded > 0
    assert kb.stats()["vectors"] == kb.store.counts()[1]
    assert not any(p.is_dir() for p in (tmp_path / "kb").glob("chroma*")), "server mode must not write embedded data"

    def check_hits() -> None:
        hits = kb.search("中试平台建设补助", k=5)
        assert hits and any("vector" in h.channels for h in hits)
        for h in hits:
            doc = kb.get(h.doc_id)
            assert doc is not None and doc.text[h.start : h.end] == h.text

    check_hits()
    own_server.stop()
    with pytest.raises(VectorStoreUnavailable) as err:
        kb.search("中试平台建设补助", k=5)
    message = str(err.value)
    assert own_server.url in message and "Traceback" not in message
    own_server.start()
    check_hits()
