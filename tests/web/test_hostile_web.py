"""Path-like document ids and upload names on every web route that takes them, and oversized bodies.

tests/test_hostile.py proves the KnowledgeBase treats path-like ids as unknown, and test_kb_web.py
that an oversized multipart upload is refused; here the same through HTTP, plus JSON bodies.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import quote

import pytest
from fastapi.testclient import TestClient

from assistant.settings import Settings
from tests.web.conftest import admin_password, api_login, page_csrf
from vectorstore.kb import KnowledgeBase

SECRET = "TOP-SECRET-OUTSIDE-THE-KB"
BAD_IDS = ["../../etc/passwd", "..%2F..%2Fetc%2Fpasswd", "/etc/passwd", "C:\\windows\\win.ini", "a\x00b",
           "../secret.txt", "%00"]
NOTE = "示例市科学技术局发布中试平台服务清单，涵盖18家平台。\n示例市科学技术局\n2025年5月20日\n"


@pytest.fixture
def admin(client: TestClient, settings: Settings, tmp_path: Path) -> Iterator[TestClient]:
    (tmp_path / "secret.txt").write_text(SECRET, encoding="utf-8")
    api_login(client, "admin", admin_password(settings))
    yield client


def _snapshot(kb: KnowledgeBase) -> tuple[list[str], dict[str, int]]:
    return sorted(r["doc_id"] for r in kb.store.meta_rows()), {k: v for k, v in kb.stats().items() if isinstance(v, int)}


def _tree(root: Path) -> set[Path]:
    return {p for p in root.rglob("*") if p.is_file()}


@pytest.mark.parametrize("bad", BAD_IDS)
def test_path_like_ids_are_unknown_on_every_route(admin: TestClient, kb: KnowledgeBase, tmp_path: Path,
                                                  bad: str) -> None:
    before, files = _snapshot(kb), _tree(tmp_path)
    token = page_csrf(admin.get("/kb").text)
    enc = quote(bad, safe="")
    for method, path, kwargs in (
            ("GET", f"/kb/docs/{enc}", {}), ("GET", f"/kb/docs/{enc}?start=0&end=5", {}),
            ("GET", f"/api/kb/documents/{enc}", {}), ("DELETE", f"/api/kb/documents/{enc}", {}),
            ("POST", f"/kb/docs/{enc}/delete", {"data": {"csrf_token": token}})):
        r = admin.request(method, path, follow_redirects=False, **kwargs)  # type: ignore[arg-type]
        assert 400 <= r.status_code < 500, (method, path, r.status_code)
        assert SECRET not in r.text and "root:" not in r.text and "Traceback" not in r.text
        assert r.text.strip(), "a refusal says why"
    assert _snapshot(kb) == before
    assert _tree(tmp_path) == files, "nothing written anywhere"
    assert (tmp_path / "secret.txt").read_text(encoding="utf-8") == SECRET


def _wait(c: TestClient, job_id: int) -> dict:
    for _ in range(200):
        job = c.get(f"/api/kb/jobs/{job_id}").json()
        if job["finished"]:
            return job
        time.sleep(0.05)
    raise AssertionError("ingest did not finish")


@pytest.mark.parametrize("name", ["../../outside.txt", "/tmp/abs-outside.txt", "C:\\windows\\outside.txt",
                                  "..\\..\\outside.txt", "../../../../../../etc/passwd.txt"])
def test_upload_names_cannot_leave_the_job_folder(admin: TestClient, settings: Settings, tmp_path: Path,
                                                  name: str) -> None:
    outside = [Path("/tmp/abs-outside.txt"), tmp_path.parent / "outside.txt", Path.cwd().parent.parent / "outside.txt"]
    assert not any(p.exists() for p in outside)
    r = admin.post("/api/kb/uploads", files=[("files", (name, NOTE.encode(), "text/plain"))])
    assert r.status_code == 202, r.text
    job = _wait(admin, r.json()["id"])
    assert job["status"] == "done", job
    stored = job["files"][0]["name"]
    assert "/" not in stored and "\\" not in stored and not stored.startswith(".")
    uploads = (settings.var_dir / "uploads").resolve()
    written = [p for p in _tree(tmp_path) if "outside" in p.name or "passwd" in p.name]
    assert written and all(p.resolve().is_relative_to(uploads) for p in written), written
    assert not any(p.exists() for p in outside)


def _multipart(field: str, filename: bytes, data: bytes) -> tuple[bytes, str]:
    # Built by hand: httpx percent-encodes a NUL in a file name, and the point is to send a real one.
    boundary = "hostile-boundary-7d1f"
    body = (f"--{boundary}\r\nContent-Disposition: form-data; name=\"{field}\"; filename=\"".encode() + filename
            + b"\"\r\nContent-Type: text/plain\r\n\r\n" + data + f"\r\n--{boundary}--\r\n".encode())
    return body, f"multipart/form-data; boundary={boundary}"


@pytest.mark.parametrize("route", ["/api/kb/uploads", "/api/proposals/parse-file"])
def test_nul_and_extensionless_names_are_refused(admin: TestClient, kb: KnowledgeBase, tmp_path: Path,
                                                 route: str) -> None:
    before, files = _snapshot(kb), _tree(tmp_path)
    field = "file" if "parse" in route else "files"
    for name, status in ((b"evil\x00.txt", 422), (b"notes.txt\x00.exe", 422), (b"../../etc/passwd", 415),
                         (b"C:\\windows\\win.ini", 415)):
        body, ctype = _multipart(field, name, NOTE.encode())
        r = admin.post(route, content=body, headers={"content-type": ctype})
        assert r.status_code == status, (name, r.text)
        assert r.json()["detail"]
    assert _snapshot(kb) == before
    assert _tree(tmp_path) == files


def test_oversized_json_bodies_are_refused(admin: TestClient, settings: Settings) -> None:
    huge = "中" * (settings.max_upload_bytes + 300 * 1024)
    r = admin.post("/api/proposals/parse", json={"text": huge})
    assert r.status_code == 413 and "太大" in r.json()["detail"]
    r = admin.post("/api/drafts", json={"proposal": {"title": "x", "body": huge}})
    assert r.status_code == 413 and "太大" in r.json()["detail"]

    # Without Content-Length (chunked), the body is counted as it arrives.
    def chunks() -> Iterator[bytes]:
        yield b'{"text": "'
        for _ in range(40):
            yield b"x" * 16 * 1024
        yield b'"}'

    r = admin.post("/api/proposals/parse", content=chunks(), headers={"content-type": "application/json"})
    assert r.status_code == 413 and "太大" in r.json()["detail"]
    assert admin.post("/api/proposals/parse", json={"text": "关于中试平台的提案\n建议加大投入。"}).status_code == 200
