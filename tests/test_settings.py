"""Settings hold every default once; the knowledge base's KBConfig is built from them."""

from __future__ import annotations

from pathlib import Path

import pytest
from pydantic import ValidationError
from pydantic_core import PydanticUndefined

from assistant.settings import Settings, make_kb_config
from vectorstore.config import KBConfig


def test_kbconfig_has_no_defaults_of_its_own_and_every_field_is_a_setting() -> None:
    with_defaults = [n for n, f in KBConfig.model_fields.items()
                     if f.default is not PydanticUndefined or f.default_factory is not None]
    assert not with_defaults, f"defaults belong in Settings: {with_defaults}"
    assert set(KBConfig.model_fields) <= set(Settings.model_fields)


def test_the_environment_reaches_the_knowledge_base(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("ASSISTANT_FUSION", "minmax")
    monkeypatch.setenv("ASSISTANT_RRF_K", "15")
    monkeypatch.setenv("ASSISTANT_CHUNK_MIN_CHARS", "50")
    cfg = Settings(kb_dir=tmp_path / "kb").kb()
    assert (cfg.fusion, cfg.rrf_k, cfg.chunk_min_chars) == ("minmax", 15, 50)
    assert cfg.kb_dir.is_absolute()
    monkeypatch.setenv("ASSISTANT_FUSION", "average")
    with pytest.raises(ValidationError, match="fusion"):
        Settings()


def test_make_kb_config_ignores_the_environment_and_refuses_misspelt_names(monkeypatch: pytest.MonkeyPatch,
                                                                            tmp_path: Path) -> None:
    monkeypatch.setenv("ASSISTANT_CANDIDATES", "7")
    monkeypatch.setenv("ASSISTANT_CHROMA_URL", "http://127.0.0.1:1")
    cfg = make_kb_config(tmp_path, rrf_k=10)
    defaults = Settings.model_fields
    assert cfg.candidates == defaults["candidates"].default and cfg.chroma_url == ""
    assert cfg.rrf_k == 10
    with pytest.raises(ValidationError, match="rrfk"):
        make_kb_config(tmp_path, rrfk=10)


def test_the_readme_settings_table_is_the_one_the_code_prints() -> None:
    from assistant.settings_doc import settings_table

    readme = (Path(__file__).resolve().parents[1] / "README.md").read_text(encoding="utf-8")
    table = settings_table()
    assert table in readme, "README's settings table is stale: paste `python -m assistant.settings_doc` into it"


def test_empty_fusion_settings_leave_the_choice_to_the_embedder(monkeypatch: pytest.MonkeyPatch,
                                                                tmp_path: Path) -> None:
    monkeypatch.setenv("ASSISTANT_RRF_K", "")
    monkeypatch.setenv("ASSISTANT_VECTOR_WEIGHT", " ")
    cfg = Settings(kb_dir=tmp_path / "kb").kb()
    assert cfg.rrf_k is None and cfg.vector_weight is None
    assert make_kb_config(tmp_path).rrf_k is None
