"""Two bureaus in one deployment: each sees only its own knowledge base and drafts; admins address each."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from assistant.bureaus import settings_for
from assistant.services import open_kb
from assistant.settings import Settings
from assistant.web.orm import BureauRecord, IngestJob, User
from assistant.web.security import hash_password
from tests.web.conftest import PASSWORD, admin_password, api_login, page_csrf

BUREAUS = """
[[bureau]]
key = "jia"
name = "甲市科学技术局"
short = "我局"
region = "甲省甲市"
city_short = "我市"
issuer_aliases = ["甲市科技局"]

[[bureau]]
key = "yi"
name = "乙市科学技术局"
short = "我局"
region = "乙省乙市"
city_short = "我市"
"""

JIA_DOC = ("甲市量子计算中试平台建设方案\n第一条 甲市支持建设量子计算中试平台，已认定量子中试平台3家。\n"
           "第二条 对量子计算中试平台给予最高500万元补助。\n甲市科学技术局\n2024年5月1日\n")
YI_DOC = ("乙市氢能产业园中试平台建设方案\n第一条 乙市支持建设氢能燃料电池中试平台，已认定氢能中试平台7家。\n"
          "第二条 对氢能中试平台给予最高300万元补助。\n乙市科学技术局\n2024年6月1日\n")
UPLOAD = "甲市光子芯片公共服务平台通知\n甲市科学技术局发布光子芯片公共服务平台开放目录，共开放设备41台套。\n甲市科学技术局\n2025年3月1日\n"


def _ingest(settings: Settings, key: str, folder: Path, name: str, text: str, region: str) -> str:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / name).write_text(text, encoding="utf-8")
    (folder / "MANIFEST.tsv").write_text(
        "file\tkind\tissuer\tregion\tdate\tproposal_number\ttitle\tsource\n"
        f"{name}\tpolicy\t{text.splitlines()[-2]}\t{region}\t2024-05-01\t\t{text.splitlines()[0]}\ttest\n",
        encoding="utf-8")
    kb = open_kb(settings_for(settings, key))
    report = kb.ingest([folder], manifest=folder / "MANIFEST.tsv")
    assert not report.failed, report.failed
    return report.files[0].doc_id


@pytest.fixture
def two(tmp_path: Path) -> Iterator[tuple[TestClient, Settings, dict[str, str]]]:
    from assistant.web.app import create_app

    (tmp_path / "bureaus.toml").write_text(BUREAUS, encoding="utf-8")
    settings = Settings(kb_dir=tmp_path / "kb", embedding_model="hashing", var_dir=tmp_path / "var",
                        secret_key="test-secret-key", max_upload_bytes=64 * 1024, database_url="",
                        bureaus_file=tmp_path / "bureaus.toml")
    ids = {"jia": _ingest(settings, "jia", tmp_path / "docs-jia", "jia.txt", JIA_DOC, "甲省甲市"),
           "yi": _ingest(settings, "yi", tmp_path / "docs-yi", "yi.txt", YI_DOC, "乙省乙市")}
    with TestClient(create_app(settings), base_url="http://testserver") as c:
        api_login(c, "admin", admin_password(settings))
        for name, bureau in (("jia1", "jia"), ("yi1", "yi")):
            r = c.post("/api/users", json={"username": name, "role": "drafter", "password": PASSWORD,
                                           "bureau": bureau})
            assert r.status_code == 201 and r.json()["bureau"] == bureau, r.text
        c.post("/api/auth/logout")
        yield c, settings, ids


def _as(c: TestClient, name: str, settings: Settings) -> TestClient:
    c.post("/api/auth/logout")
    c.cookies.clear()
    api_login(c, name, admin_password(settings) if name == "admin" else PASSWORD)
    return c


def _wait(c: TestClient, job_id: int) -> dict:
    for _ in range(200):
        job = c.get(f"/api/kb/jobs/{job_id}").json()
        if job["finished"]:
            return job
        time.sleep(0.05)
    raise AssertionError("ingest did not finish")


def test_each_bureau_has_its_own_folder_and_documents(two: tuple[TestClient, Settings, dict[str, str]]) -> None:
    c, settings, ids = two
    assert (settings.kb_dir / "jia" / "kb.sqlite3").is_file() and (settings.kb_dir / "yi" / "kb.sqlite3").is_file()
    _as(c, "jia1", settings)
    assert [d["doc_id"] for d in c.get("/api/kb/documents").json()] == [ids["jia"]]
    stats = c.get("/api/kb/stats").json()
    assert stats["bureau"] == "jia" and stats["documents"] == 1
    _as(c, "yi1", settings)
    assert [d["doc_id"] for d in c.get("/api/kb/documents").json()] == [ids["yi"]]


def test_search_and_document_views_never_cross_bureaus(two: tuple[TestClient, Settings, dict[str, str]]) -> None:
    c, settings, ids = two
    _as(c, "jia1", settings)
    found = c.get("/api/kb/search", params={"q": "氢能燃料电池中试平台 补助"}).json()
    hits = found["hits"]
    assert found["warnings"] == []
    assert hits and {h["doc_id"] for h in hits} == {ids["jia"]}
    page = c.get("/kb", params={"q": "氢能燃料电池", "mode": "search"})
    assert page.status_code == 200 and "氢能产业园" not in page.text and "甲市量子计算中试平台" in page.text
    # Another bureau's ids are unknown here (404, like any unknown id), also when naming the bureau.
    for path in (f"/api/kb/documents/{ids['yi']}", f"/kb/docs/{ids['yi']}",
                 f"/api/kb/documents/{ids['yi']}?bureau=yi", f"/kb/docs/{ids['yi']}?bureau=yi"):
        r = c.get(path)
        assert r.status_code == 404 and "氢能" not in r.text, path
    assert c.get(f"/api/kb/documents/{ids['jia']}").status_code == 200
    # A drafter cannot delete at all; the other bureau's document stays where it was.
    assert c.delete(f"/api/kb/documents/{ids['yi']}").status_code == 403
    assert c.get("/api/kb/documents", params={"bureau": "yi"}).json()[0]["doc_id"] == ids["jia"]


def test_drafts_are_generated_from_and_kept_in_the_users_bureau(
        two: tuple[TestClient, Settings, dict[str, str]]) -> None:
    c, settings, ids = two
    _as(c, "jia1", settings)
    proposal = {"title": "关于加快中试平台建设的提案", "number": "12", "proposer": "王某",
                "body": "建议加快中试平台建设，加大补助力度。", "suggestions": ["加快中试平台建设", "加大补助力度"]}
    r = c.post("/api/drafts", json={"proposal": proposal, "options": {"reply_date": "2025-06-30"}})
    assert r.status_code == 201, r.text
    made = r.json()
    did = made["id"]
    assert made["bureau"] == "jia"
    cited = {s["doc_id"] for s in made["draft"]["sources"]}
    assert cited and cited <= {ids["jia"]}
    src = made["draft"]["sources"][0]["id"]
    assert c.get(f"/api/drafts/{did}/sources/{src}").json()["found"] is True
    text = c.get(f"/api/drafts/{did}").json()["text"]
    assert "甲市科学技术局" in text and "乙市" not in text  # the bureau's own name signs the letter

    _as(c, "yi1", settings)
    assert c.get("/api/drafts").json() == []
    assert "关于加快中试平台建设的提案" not in c.get("/drafts").text
    for path in (f"/api/drafts/{did}", f"/drafts/{did}", f"/api/drafts/{did}/versions",
                 f"/api/drafts/{did}/versions/1", f"/api/drafts/{did}/export/docx", f"/drafts/{did}/export/md",
                 f"/api/drafts/{did}/sources/{src}", f"/api/drafts/{did}/diff?a=1&b=1", f"/api/drafts/{did}/reviews",
                 f"/api/drafts/{did}?bureau=jia"):
        assert c.get(path).status_code == 404, path
    r = c.post(f"/api/drafts/{did}/versions", json={"text": text + "\n补充一句。", "base_version": 1})
    assert r.status_code == 404
    assert c.post(f"/api/drafts/{did}/versions/1/restore").status_code == 404

    _as(c, "admin", settings)
    assert c.get(f"/api/drafts/{did}").status_code == 200  # admins see every bureau's drafts
    # Opened by an admin of another bureau, the sources still come from the draft's own bureau.
    assert c.get(f"/api/drafts/{did}/sources/{src}").json()["url"].endswith("&bureau=jia#passage")


def test_upload_lands_only_in_the_uploaders_bureau(two: tuple[TestClient, Settings, dict[str, str]]) -> None:
    c, settings, ids = two
    _as(c, "jia1", settings)
    r = c.post("/api/kb/uploads", files=[("files", ("光子.txt", UPLOAD.encode(), "text/plain"))],
               data={"kind": "news", "bureau": "yi"})  # a drafter naming another bureau still gets their own
    assert r.status_code == 202, r.text
    job = _wait(c, r.json()["id"])
    assert job["status"] == "done", job
    new_id = job["files"][0]["doc_id"]
    assert new_id in {d["doc_id"] for d in c.get("/api/kb/documents").json()}

    _as(c, "yi1", settings)
    assert {d["doc_id"] for d in c.get("/api/kb/documents").json()} == {ids["yi"]}
    assert c.get(f"/api/kb/jobs/{job['id']}").status_code == 404  # the job is the other bureau's too
    assert c.get(f"/kb/jobs/{job['id']}").status_code == 404
    assert "光子" not in c.get("/kb").text
    tenants = c.app.state.services.tenants  # type: ignore[attr-defined]
    assert tenants.kb(tenants.find("yi")).get(new_id) is None
    assert tenants.kb(tenants.find("jia")).get(new_id) is not None


def test_admin_addresses_each_bureau_with_a_parameter(two: tuple[TestClient, Settings, dict[str, str]]) -> None:
    c, settings, ids = two
    _as(c, "admin", settings)
    # The admin's own bureau is the first one; `bureau` picks another.
    assert [d["doc_id"] for d in c.get("/api/kb/documents").json()] == [ids["jia"]]
    assert [d["doc_id"] for d in c.get("/api/kb/documents", params={"bureau": "yi"}).json()] == [ids["yi"]]
    assert c.get(f"/api/kb/documents/{ids['yi']}").status_code == 404
    assert c.get(f"/api/kb/documents/{ids['yi']}", params={"bureau": "yi"}).status_code == 200
    page = c.get("/kb", params={"bureau": "yi"})
    assert page.status_code == 200 and 'name="bureau" value="yi"' in page.text and "乙市科学技术局" in page.text
    r = c.get("/api/kb/documents", params={"bureau": "bing"})
    assert r.status_code == 422 and "jia" in r.json()["detail"] and "yi" in r.json()["detail"]
    # Delete by form: the bureau travels as a form field, and only that bureau's document goes.
    token = page_csrf(c.get(f"/kb/docs/{ids['yi']}", params={"bureau": "yi"}).text)
    r = c.post(f"/kb/docs/{ids['jia']}/delete", data={"csrf_token": token, "bureau": "yi"}, follow_redirects=False)
    assert r.status_code == 404
    r = c.post(f"/kb/docs/{ids['yi']}/delete", data={"csrf_token": token, "bureau": "yi"}, follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"].endswith("bureau=yi")
    assert c.get("/api/kb/documents", params={"bureau": "yi"}).json() == []
    assert [d["doc_id"] for d in c.get("/api/kb/documents").json()] == [ids["jia"]]
    # An admin's upload goes where the form says.
    r = c.post("/api/kb/uploads?bureau=yi", files=[("files", ("光子.txt", UPLOAD.encode(), "text/plain"))])
    job = _wait(c, r.json()["id"])
    assert job["status"] == "done"
    assert [d["doc_id"] for d in c.get("/api/kb/documents", params={"bureau": "yi"}).json()] == [job["files"][0]["doc_id"]]
    assert len(c.get("/api/kb/documents").json()) == 1


def test_users_are_created_in_configured_bureaus_only(two: tuple[TestClient, Settings, dict[str, str]]) -> None:
    c, settings, _ = two
    _as(c, "admin", settings)
    r = c.post("/api/users", json={"username": "bing1", "role": "drafter", "password": PASSWORD, "bureau": "bing"})
    assert r.status_code == 422
    assert r.json()["detail"] == "未配置单位“bing”；可选：jia（甲市科学技术局）、yi（乙市科学技术局）"
    # The API takes keys: a full name is not matched any more (bureaus are rows, not names).
    r = c.post("/api/users", json={"username": "yi2", "role": "reviewer", "password": PASSWORD,
                                   "bureau": "乙市科学技术局"})
    assert r.status_code == 422 and "未配置单位" in r.json()["detail"]
    r = c.post("/api/users", json={"username": "yi2", "role": "reviewer", "password": PASSWORD, "bureau": "yi"})
    assert r.status_code == 201 and (r.json()["bureau"], r.json()["bureau_name"]) == ("yi", "乙市科学技术局")
    page = c.get("/users")
    assert '<select id="bureau" name="bureau"' in page.text and "乙市科学技术局" in page.text
    token = page_csrf(page.text)
    bad = c.post("/users", data={"csrf_token": token, "username": "bing2", "role": "drafter",
                                 "password": PASSWORD, "bureau": "bing"})
    assert bad.status_code == 422 and "未配置单位" in bad.text
    ok = c.post("/users", data={"csrf_token": token, "username": "yi3", "role": "drafter", "password": PASSWORD,
                                "bureau": "yi"})
    assert ok.status_code == 200 and "已创建用户" in ok.text
    assert {u["username"]: u["bureau"] for u in c.get("/api/users").json()}["yi3"] == "yi"
    sessions = c.app.state.services.sessions  # type: ignore[attr-defined]
    with sessions() as db:
        yi3 = db.scalar(select(User).where(User.username == "yi3"))
        assert yi3 is not None and yi3.bureau.key == "yi" and yi3.bureau_id == _bureau_id(c, "yi")


def _bureau_id(c: TestClient, key: str) -> int:
    tenant = c.app.state.services.tenants.by_key(key)  # type: ignore[attr-defined]
    assert tenant is not None
    bureau_id: int = tenant.bureau_id
    return bureau_id


def test_header_names_the_users_bureau(two: tuple[TestClient, Settings, dict[str, str]]) -> None:
    c, settings, _ = two
    _as(c, "yi1", settings)
    page = c.get("/drafts")
    assert "<small>乙市科学技术局</small>" in page.text and "甲市科学技术局" not in page.text


def test_unconfigured_bureau_is_forbidden_with_a_reason(two: tuple[TestClient, Settings, dict[str, str]]) -> None:
    c, settings, ids = two
    sessions = c.app.state.services.sessions  # type: ignore[attr-defined]
    with sessions() as db:
        # A bureau that left the bureaus file but keeps its accounts: inactive, refused with its name.
        bing = BureauRecord(key="bing", name="丙市科学技术局", active=False)
        db.add(bing)
        db.flush()
        db.add(User(username="old1", role="drafter", bureau_id=bing.id, password_hash=hash_password(PASSWORD)))
        db.commit()
    _as(c, "old1", settings)
    for path in ("/api/drafts", "/api/kb/search?q=中试平台", f"/api/kb/documents/{ids['jia']}", "/api/kb/documents"):
        r = c.get(path)
        assert r.status_code == 403 and "丙市科学技术局" in r.json()["detail"] and "未在本系统配置" in r.json()["detail"]
    page = c.get("/kb")
    assert page.status_code == 403 and "联系管理员" in page.text
    assert c.get("/api/auth/me").status_code == 200  # still logged in, still able to read why


def test_an_admins_upload_is_listed_under_the_bureau_it_went_into(
        two: tuple[TestClient, Settings, dict[str, str]]) -> None:
    c, settings, _ = two
    _as(c, "admin", settings)  # the admin's own bureau is jia
    r = c.post("/api/kb/uploads", files=[("files", ("光子.txt", UPLOAD.encode(), "text/plain"))],
               data={"kind": "news", "bureau": "yi"})
    assert r.status_code == 202, r.text
    job = _wait(c, r.json()["id"])
    assert job["status"] == "done" and job["bureau"] == "yi"
    link = f'href="/kb/jobs/{job["id"]}'
    assert link in c.get("/kb", params={"bureau": "yi"}).text  # the admin viewing yi sees it
    assert link not in c.get("/kb").text  # not under the admin's own bureau
    sessions = c.app.state.services.sessions  # type: ignore[attr-defined]
    with sessions() as db:
        row = db.get(IngestJob, job["id"])
        assert row is not None and row.bureau_id == _bureau_id(c, "yi") and row.user.bureau.key == "jia"

    _as(c, "yi1", settings)  # yi's users see the job in their list and may open it
    assert link in c.get("/kb").text
    assert c.get(f"/api/kb/jobs/{job['id']}").json()["files"][0]["status"] == "added"
    _as(c, "jia1", settings)  # the admin's own bureau does not
    assert link not in c.get("/kb").text
    assert c.get(f"/api/kb/jobs/{job['id']}").status_code == 404
