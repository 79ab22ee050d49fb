"""The one Settings object (environment prefix ``ASSISTANT_``), passed down to every service."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from pydantic import Field, field_validator
from pydantic_settings import BaseSettings, PydanticBaseSettingsSource, SettingsConfigDict

from vectorstore.config import KBConfig
from vectorstore.hybrid import (
    OTHER_RRF_K,
    OTHER_VECTOR_WEIGHT,
    SELF_TRAINED_RRF_K,
    SELF_TRAINED_VECTOR_WEIGHT,
    FusionMethod,
)


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="ASSISTANT_", env_file=".env", extra="ignore")

    # --- knowledge base ---------------------------------------------------
    kb_dir: Path = Field(Path("var/kb"), description="Knowledge-base directory: SQLite document store, Chroma data, BM25 index, trained model")
    embedding_model: str = Field(
        "", description="sentence-transformers model name or local folder (e.g. /models/bge-small-zh-v1.5); "
        "empty: train a static model on the knowledge base itself; 'hashing': character-hashing fake (tests)"
    )
    chroma_url: str = Field("", description="Chroma server URL such as http://127.0.0.1:8000; empty: embedded Chroma under kb_dir")
    tenant: str = Field("", description="Bureau (tenant) key when several bureaus share one Chroma server")
    chunk_max_chars: int = Field(400, description="Longest chunk before it is split at items or sentences")
    chunk_min_chars: int = Field(80, description="Chunks shorter than this merge with a neighbour under the same heading")
    max_file_bytes: int = Field(20 * 1024 * 1024, description="Largest file accepted at ingest, in bytes")
    ingest_workers: int = Field(0, description="Processes that read and tokenize files when 200 or more are ingested at once (and build the keyword index while the embedder trains); 0: one per CPU, 1: none")
    static_time_budget_s: float = Field(60.0, description="Seconds the self-trained static embedder may fine-tune for (vocabulary building is not counted)")
    static_min_chunks: int = Field(40, description="Below this many chunks no static embedder is trained (the hashing embedder is used)")
    retrain_fraction: float = Field(0.2, description="Retrain the static embedder when this share of the chunks changed since it was trained")
    fusion: FusionMethod = Field(
        "rrf", description="How keyword and vector candidates are merged: 'rrf' (reciprocal rank, uses rrf_k), "
        "'minmax' (each channel's scores scaled to 0..1, then a weighted sum) or 'max' (scaled by the top score only)",
    )
    rrf_k: int | None = Field(
        None, description="Reciprocal-rank-fusion constant of search (larger: ranks further down count more); empty: "
        f"{SELF_TRAINED_RRF_K} with the self-trained embedder (ranked best with it on the staff-query tuning half), "
        f"{OTHER_RRF_K} with a pretrained ASSISTANT_EMBEDDING_MODEL or the hashing fake",
    )
    keyword_weight: float = Field(1.0, description="Weight of the keyword (BM25) channel in fusion")
    vector_weight: float | None = Field(
        None, description="Weight of the vector channel in fusion; empty: "
        f"{SELF_TRAINED_VECTOR_WEIGHT} with the self-trained embedder (it adds noise at the top of keyword rankings), "
        f"{OTHER_VECTOR_WEIGHT} with a pretrained ASSISTANT_EMBEDDING_MODEL or the hashing fake",
    )
    candidates: int = Field(50, description="Candidates per retrieval channel before rank fusion")
    max_per_doc: int = Field(2, description="Most search hits one document may contribute (diversity)")
    diversity_after: int = Field(
        5, description="The first this many search hits stay as ranked; max_per_doc applies after them "
        "(capping the top cost passages staff asked for, measured on the staff queries)",
    )

    # --- bureau profile ---------------------------------------------------
    bureau_name: str = Field("示例市科学技术局", description="Full name of the bureau, used in titles and signatures")
    bureau_short: str = Field("我局", description="How the bureau calls itself in letters (我局/我委)")
    region: str = Field("示例省示例市", description="The bureau's region; sources outside it are never cited as its own work")
    city_short: str = Field("我市", description="How letters call the city (我市/我区/我县)")
    issuer_aliases: list[str] = Field(default_factory=list, description="Other and former names of the bureau (e.g. 广州市科技创新委员会, 泸州市科技和人才工作局); documents issued under them, and sentences naming them, are the bureau's own")
    own_bodies: list[str] = Field(default_factory=list, description="Names of the city's own bodies that do not start with the city's name (e.g. 中共示例市委, 示例高新区管委会); their documents count as the city's own")
    bureaus_file: Path | None = Field(
        None, description="TOML file with one [[bureau]] table per bureau this deployment serves (key, name, short, region, "
        "city_short, issuer_aliases, optional kb_dir; default <kb_dir>/<key>); empty: one bureau from the settings above"
    )

    # --- drafting -----------------------------------------------------------
    llm_base_url: str = Field("", description="OpenAI-compatible endpoint (vLLM, Ollama, Xinference), e.g. http://127.0.0.1:8001/v1; empty: no LLM")
    llm_model: str = Field("", description="Model name served by the endpoint")
    llm_api_key: str = Field("not-needed", description="API key for the endpoint, if it wants one")
    llm_timeout_s: float = Field(60.0, description="Seconds before an LLM call is abandoned and the Compose engine is used")
    cross_encoder: str = Field("", description="Optional sentence-transformers cross-encoder (name or folder) to score support; empty: character n-gram overlap")
    support_threshold: float = Field(0.35, description="Sentences whose support is below this are flagged")
    stale_years: int = Field(2, description="Events and figures more than this many years before the reply year are not written as current work (a year longer for cumulative 截至/累计 statements; policies in force are never stale)")

    # --- web app ------------------------------------------------------------
    database_url: str = Field("", description="SQLAlchemy URL of the app database; empty: SQLite at var/app.sqlite3")
    secret_key: str = Field("", description="Key that signs session cookies; empty: generated once and kept in var/secret_key")
    host: str = Field("127.0.0.1", description="Address the web app listens on")
    port: int = Field(8000, description="Port the web app listens on")
    max_upload_bytes: int = Field(10 * 1024 * 1024, description="Largest upload accepted by the web app, in bytes")
    var_dir: Path = Field(Path("var"), description="Directory for the app database, secret key and exports")
    cookie_secure: bool = Field(False, description="Mark the session cookie Secure; set true when the app is served over https")
    session_hours: float = Field(12.0, description="Hours a login stays valid without activity")
    login_max_failures: int = Field(5, ge=1, description="Wrong passwords in a row after which an account is locked for a while (an address: four times as many within the lock time)")
    login_lock_minutes: float = Field(15.0, gt=0, description="Minutes a locked account or address must wait before the next login attempt")
    workers: int = Field(1, description="Worker processes `assistant serve` starts (ingest status is kept in the database, so several work)")

    @field_validator("bureaus_file", "vector_weight", "rrf_k", mode="before")
    @classmethod
    def _empty_is_none(cls, value: object) -> object:
        # ASSISTANT_BUREAUS_FILE= (set but empty) means "no file", not the current directory; an empty
        # ASSISTANT_RRF_K or ASSISTANT_VECTOR_WEIGHT means the embedder's own default.
        return None if isinstance(value, str) and not value.strip() else value

    def kb(self) -> KBConfig:
        """The knowledge base's typed config: every KBConfig field comes from the setting of the same name."""
        values = {name: getattr(self, name) for name in KBConfig.model_fields}
        return KBConfig.model_validate({**values, "kb_dir": self.kb_dir.resolve()})


class _Explicit(Settings):
    """Settings from defaults and arguments only: no environment, no .env file; a misspelt name is an error."""

    model_config = SettingsConfigDict(extra="forbid")

    @classmethod
    def settings_customise_sources(cls, settings_cls: type[BaseSettings], init_settings: PydanticBaseSettingsSource,
                                   env_settings: PydanticBaseSettingsSource, dotenv_settings: PydanticBaseSettingsSource,
                                   file_secret_settings: PydanticBaseSettingsSource) -> tuple[PydanticBaseSettingsSource, ...]:
        return (init_settings,)


def make_kb_config(kb_dir: Path, **overrides: Any) -> KBConfig:
    """A KBConfig with the Settings defaults and ``overrides``, whatever the environment says (tests, benchmarks)."""
    return _Explicit(kb_dir=kb_dir, **overrides).kb()
