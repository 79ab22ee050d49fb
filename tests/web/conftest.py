"""Web-app fixtures: a temporary app database and knowledge base (hashing embedder), users, logins."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from assistant.settings import Settings
from vectorstore.embed import HashingEmbedder
from vectorstore.kb import KnowledgeBase

ROOT = Path(__file__).resolve().parents[2]
SAMPLE_KB = ROOT / "sample_kb"
PROPOSAL = SAMPLE_KB / "proposals" / "proposal_2025_ta088.txt"
SCRIPT = "<script>alert('x')</script>"
PASSWORD = "correct-horse-1"

DOCS = {
    "policy_zhongshi.txt": (
        "示例市中试平台建设管理办法\n"
        "第一条 为推动科技成果转化，支持建设市级中试平台。\n"
        "第二条 截至2024年底，全市已认定市级中试平台12家，带动社会投资3.5亿元。\n"
        "第三条 对新认定的中试平台给予最高200万元建设补助。\n"
        "示例市科学技术局\n2024年3月1日\n"
    ),
    "news_injected.txt": (
        f"示例市科技局召开中试平台工作推进会{SCRIPT}\n"
        f"会议指出，中试平台开放共享取得进展<img src=x onerror=alert(1)>，已发放创新券1200万元。\n"
        "下一步将推动中试平台向中小企业开放服务清单和收费标准。\n"
        "示例市科学技术局\n2024年9月10日\n"
    ),
}


def write_docs(folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for name, text in DOCS.items():
        (folder / name).write_text(text, encoding="utf-8")
    (folder / "MANIFEST.tsv").write_text(
        "file\tkind\tissuer\tregion\tdate\tproposal_number\ttitle\tsource\n"
        "policy_zhongshi.txt\tpolicy\t示例市科学技术局\t示例省示例市\t2024-03-01\t\t示例市中试平台建设管理办法\ttest\n"
        f"news_injected.txt\tnews\t示例市科学技术局\t示例省示例市\t2024-09-10\t\t推进会{SCRIPT}\ttest\n",
        encoding="utf-8",
    )
    return folder


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return Settings(kb_dir=tmp_path / "kb", embedding_model="hashing", var_dir=tmp_path / "var",
                    secret_key="test-secret-key", max_upload_bytes=64 * 1024, database_url="")


@pytest.fixture
def kb(settings: Settings, tmp_path: Path) -> KnowledgeBase:
    kb = KnowledgeBase(settings.kb(), embedder=HashingEmbedder())
    folder = write_docs(tmp_path / "docs")
    report = kb.ingest([folder], manifest=folder / "MANIFEST.tsv")
    assert not report.failed, report.failed
    return kb


@pytest.fixture
def client(settings: Settings, kb: KnowledgeBase) -> Iterator[TestClient]:
    from assistant.web.app import create_app

    with TestClient(create_app(settings, kb=kb), base_url="http://testserver") as c:
        yield c


def admin_password(settings: Settings) -> str:
    text = (settings.var_dir / "initial_admin_password.txt").read_text(encoding="utf-8")
    m = re.search(r"密码: (\S+)", text)
    assert m
    return m.group(1)


def api_login(c: TestClient, username: str, password: str) -> str:
    """Log in through the API; returns the CSRF token (the cookie stays in the client)."""
    r = c.post("/api/auth/login", json={"username": username, "password": password})
    assert r.status_code == 200, r.text
    token: str = r.json()["csrf_token"]
    c.headers["X-CSRF-Token"] = token
    return token


def make_user(c: TestClient, settings: Settings, username: str, role: str) -> None:
    """Create a user as admin (then log the client out again)."""
    api_login(c, "admin", admin_password(settings))
    r = c.post("/api/users", json={"username": username, "role": role, "password": PASSWORD})
    assert r.status_code == 201, r.text
    c.post("/api/auth/logout")
    c.headers.pop("X-CSRF-Token", None)


@pytest.fixture
def as_drafter(client: TestClient, settings: Settings) -> TestClient:
    make_user(client, settings, "zhang", "drafter")
    api_login(client, "zhang", PASSWORD)
    return client


def add_bureau(c: TestClient, key: str, name: str) -> None:
    """A second bureau in a deployment without a bureaus file (as the migration keeps one for older accounts
    whose bureau text named another office): it shares the knowledge base, its drafts and jobs stay apart."""
    from assistant.web.orm import BureauRecord

    svc = c.app.state.services  # type: ignore[attr-defined]
    with svc.sessions() as db:
        row = BureauRecord(key=key, name=name)
        db.add(row)
        db.commit()
        assert svc.tenants.tenant(row) is not None


def page_csrf(html: str) -> str:
    m = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert m, "no CSRF field on the page"
    return m.group(1)


def proposal_text() -> str:
    return PROPOSAL.read_text(encoding="utf-8")


def new_draft(c: TestClient, title: str = "关于推动中试平台建设加快科技成果转化的提案", **extra: object) -> dict:
    """Create a draft through the API as the logged-in user; returns the record with its Draft JSON."""
    proposal = {"title": title, "number": "88", "session": "市政协十届五次会议", "proposer": "刘某某",
                "proposer_type": "member", "body": proposal_text(),
                "suggestions": ["加大中试平台布局建设力度", "推动中试平台开放共享"], **extra}
    r = c.post("/api/drafts", json={"proposal": proposal, "options": {"reply_date": "2025-06-30"}})
    assert r.status_code == 201, r.text
    data: dict = r.json()
    return data


# Two bureaus in the bureaus-file format, for tenancy tests.
TWO_BUREAUS = """
[[bureau]]
key = "jia"
name = "甲市科学技术局"
region = "甲省甲市"

[[bureau]]
key = "yi"
name = "乙市科学技术局"
region = "乙省乙市"
"""
