"""Collections are created with the HNSW settings chosen by measurement (vector_index.HNSW)."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from vectorstore.vector_index import HNSW, ChromaIndex, make_client


def test_new_collections_carry_the_measured_hnsw_settings(tmp_path: Path) -> None:
    client = make_client(tmp_path / "chroma")
    index = ChromaIndex(client, "kb_test_hnsw", metadata={"kb_id": "abc"})
    stored = client.get_collection("kb_test_hnsw", embedding_function=None).configuration["hnsw"]
    assert {k: stored[k] for k in HNSW} == HNSW
    assert stored["ef_construction"] < 100 and stored["ef_search"] > 64  # not Chroma's defaults nor the old query ef
    # The settings hold for a collection in use: vectors go in and the nearest comes back first.
    vectors = np.eye(4, 8, dtype=np.float32)
    index.add([f"c{i}" for i in range(4)], vectors)
    assert index.query(vectors[2], 1, None)[0][0] == "c2"
    # Reopening keeps what the collection was made with.
    again = ChromaIndex(client, "kb_test_hnsw", metadata={"kb_id": "abc"})
    assert again.count() == 4
    assert client.get_collection("kb_test_hnsw", embedding_function=None).configuration["hnsw"]["ef_search"] == HNSW["ef_search"]
