"""Knowledge base on the web: upload and background ingest, list/filter/search, view, delete, limits."""

from __future__ import annotations

import time

from fastapi.testclient import TestClient

from assistant.settings import Settings
from tests.web.conftest import SCRIPT, admin_password, api_login, new_draft, page_csrf
from vectorstore.kb import VECTORS_EMPTY, VECTORS_GONE, KnowledgeBase
from vectorstore.types import DocFilter
from vectorstore.vector_index import make_client

NOTE = ("示例市中试平台服务清单发布\n2025年5月，示例市科学技术局发布中试平台服务清单，涵盖18家平台的服务内容和收费标准。"
        "清单在示例市科技资源共享服务平台公开。\n示例市科学技术局\n2025年5月20日\n")


def _wait(client: TestClient, job_id: int) -> dict:
    for _ in range(200):
        job = client.get(f"/api/kb/jobs/{job_id}").json()
        if job["finished"]:
            return job
        time.sleep(0.05)
    raise AssertionError("ingest did not finish")


def test_upload_ingests_in_background_with_per_file_results(as_drafter: TestClient) -> None:
    files = [("files", ("服务清单.txt", NOTE.encode("utf-8"), "text/plain")),
             ("files", ("空白.md", "  \n短\n".encode(), "text/markdown"))]
    r = as_drafter.post("/api/kb/uploads", files=files,
                        data={"kind": "news", "issuer": "示例市科学技术局", "region": "示例省示例市", "date": "2025-05-20"})
    assert r.status_code == 202, r.text
    job = _wait(as_drafter, r.json()["id"])
    assert job["status"] == "done"
    by_name = {f["name"]: f for f in job["files"]}
    assert by_name["服务清单.txt"]["status"] == "added" and by_name["服务清单.txt"]["doc_id"]
    assert by_name["空白.md"]["status"] == "failed" and by_name["空白.md"]["reason"]
    docs = as_drafter.get("/api/kb/documents", params={"kind": "news", "date_from": "2025-01-01"}).json()
    assert [d["title"] for d in docs] == ["示例市中试平台服务清单发布"]
    assert docs[0]["issuer"] == "示例市科学技术局" and docs[0]["date"] == "2025-05-20"
    found = as_drafter.get("/api/kb/search", params={"q": "中试平台服务清单 收费标准"}).json()
    hits = found["hits"]
    assert found["query"] == "中试平台服务清单 收费标准" and found["warnings"] == []
    assert hits and hits[0]["doc_id"] == by_name["服务清单.txt"]["doc_id"]
    assert as_drafter.get("/api/kb/search").status_code == 422
    page = as_drafter.get(f"/kb/jobs/{job['id']}")
    assert page.status_code == 200 and "已完成" in page.text and "失败" in page.text


def test_upload_page_redirects_to_job_and_lists_document(as_drafter: TestClient) -> None:
    token = page_csrf(as_drafter.get("/kb").text)
    r = as_drafter.post("/kb/upload", data={"csrf_token": token, "title": "服务清单（网页上传）", "kind": ""},
                        files=[("files", ("note.txt", NOTE.encode(), "text/plain"))], follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"].startswith("/kb/jobs/")
    _wait(as_drafter, int(r.headers["location"].rsplit("/", 1)[1]))
    assert "服务清单（网页上传）" in as_drafter.get("/kb").text
    assert "服务清单（网页上传）" in as_drafter.get("/kb", params={"q": "中试平台服务清单", "mode": "search"}).text
    assert "服务清单（网页上传）" not in as_drafter.get("/kb", params={"kind": "policy"}).text


def test_upload_limits(as_drafter: TestClient, settings: Settings) -> None:
    r = as_drafter.post("/api/kb/uploads", files=[("files", ("virus.exe", b"MZ", "application/octet-stream"))])
    assert r.status_code == 415 and "只接受" in r.json()["detail"]
    big = b"x" * (settings.max_upload_bytes + 1)
    r = as_drafter.post("/api/kb/uploads", files=[("files", ("big.txt", big, "text/plain"))])
    assert r.status_code == 413 and "太大" in r.json()["detail"]
    r = as_drafter.post("/api/kb/uploads", files=[("files", ("a.txt", NOTE.encode(), "text/plain"))], data={"date": "去年"})
    assert r.status_code == 422 and "日期格式" in r.json()["detail"]
    token = page_csrf(as_drafter.get("/kb").text)
    page = as_drafter.post("/kb/upload", data={"csrf_token": token}, files=[("files", ("x.exe", b"MZ", "application/x"))])
    assert page.status_code == 415 and "文件类型不支持" in page.text
    huge = b"x" * (settings.max_upload_bytes + 400 * 1024)
    page = as_drafter.post("/kb/upload", data={"csrf_token": token}, files=[("files", ("x.txt", huge, "text/plain"))])
    assert page.status_code == 413 and "提交的内容太大" in page.text and "拆分后分批上传" in page.text


def test_document_page_shows_chunks_and_passage(as_drafter: TestClient, kb) -> None:  # type: ignore[no-untyped-def]
    doc_id = kb.documents(DocFilter(kinds=["policy"]))[0].doc_id
    chunks = kb.chunks(doc_id)
    c = chunks[-1]
    page = as_drafter.get(f"/kb/docs/{doc_id}", params={"start": c.start, "end": c.end})
    assert page.status_code == 200
    assert page.text.count('class="cut"') == len(chunks)
    assert '<mark id="passage">' in page.text
    api = as_drafter.get(f"/api/kb/documents/{doc_id}").json()
    assert len(api["chunks"]) == len(chunks) and api["meta"]["kind"] == "policy"
    assert as_drafter.get("/kb/docs/nope").status_code == 404
    assert as_drafter.get("/api/kb/documents/nope").status_code == 404
    assert as_drafter.get("/api/kb/stats").json()["documents"] == 2


def test_corpus_injection_is_inert(as_drafter: TestClient, kb) -> None:  # type: ignore[no-untyped-def]
    doc_id = next(r["doc_id"] for r in kb.store.meta_rows() if r["kind"] == "news")
    pages = [f"/kb/docs/{doc_id}", "/kb", "/kb?q=中试平台 推进会&mode=search"]
    made = new_draft(as_drafter, title="关于推动中试平台开放共享的提案", suggestions=["推动中试平台开放共享创新券"])
    if any(s["doc_id"] == doc_id for s in made["draft"]["sources"]):
        pages.append(f"/drafts/{made['id']}")
    for path in pages:
        html = as_drafter.get(path).text
        assert SCRIPT not in html and "<img src=x" not in html, path
        assert "&lt;script&gt;" in html or "&lt;img" in html, path


def test_delete_is_for_admins(client: TestClient, settings: Settings, kb) -> None:  # type: ignore[no-untyped-def]
    from tests.web.conftest import PASSWORD, make_user

    doc_id = kb.store.meta_rows()[0]["doc_id"]
    make_user(client, settings, "zhang", "drafter")
    api_login(client, "zhang", PASSWORD)
    page = client.get(f"/kb/docs/{doc_id}")
    assert "删除文档" not in page.text
    token = page_csrf(page.text)
    assert client.post(f"/kb/docs/{doc_id}/delete", data={"csrf_token": token}).status_code == 403
    client.post("/api/auth/logout")
    api_login(client, "admin", admin_password(settings))
    page = client.get(f"/kb/docs/{doc_id}")
    token = page_csrf(page.text)
    r = client.post(f"/kb/docs/{doc_id}/delete", data={"csrf_token": token}, follow_redirects=False)
    assert r.status_code == 303
    assert kb.get(doc_id) is None
    other = kb.store.meta_rows()[0]["doc_id"]
    assert client.delete(f"/api/kb/documents/{other}").json() == {"ok": True}
    assert client.delete(f"/api/kb/documents/{other}").status_code == 404


def test_search_page_api_and_draft_say_when_the_vectors_are_gone(as_drafter: TestClient, kb: KnowledgeBase) -> None:
    make_client(kb.config.chroma_path).delete_collection(kb.collection_name())  # e.g. by another process
    found = as_drafter.get("/api/kb/search", params={"q": "中试平台 补助"}).json()
    assert found["hits"], "keywords still answer"
    assert found["warnings"] == [VECTORS_GONE]
    empty = VECTORS_EMPTY.format(chunks=kb.counts().chunks)
    page = as_drafter.get("/kb", params={"q": "中试平台 补助", "mode": "search"})
    assert page.status_code == 200 and 'class="alert error search-warning">' + empty in page.text
    assert empty in new_draft(as_drafter)["draft"]["warnings"]
    kb.check(repair=True)
    assert as_drafter.get("/api/kb/search", params={"q": "中试平台 补助"}).json()["warnings"] == []
    assert "search-warning" not in as_drafter.get("/kb", params={"q": "中试平台 补助", "mode": "search"}).text
