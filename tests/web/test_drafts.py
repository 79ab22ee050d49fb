"""Drafts through the API and the pages: parse, generate, view, edit, versions, diff, restore, export."""

from __future__ import annotations

import io
import json
import re

import docx
from fastapi.testclient import TestClient

from assistant.settings import Settings
from tests.web.conftest import (
    PASSWORD,
    SCRIPT,
    add_bureau,
    api_login,
    make_user,
    new_draft,
    page_csrf,
    proposal_text,
)


def test_parse_text_and_files(as_drafter: TestClient) -> None:
    r = as_drafter.post("/api/proposals/parse", json={"text": proposal_text()})
    assert r.status_code == 200
    p = r.json()
    assert p["number"] == "88" and "中试平台" in p["title"] and len(p["suggestions"]) == 4
    r = as_drafter.post("/api/proposals/parse-file",
                        files={"file": ("提案.txt", proposal_text().encode("utf-8"), "text/plain")})
    assert r.status_code == 200 and r.json()["number"] == "88"
    buf = io.BytesIO()
    document = docx.Document()
    for line in proposal_text().splitlines():
        document.add_paragraph(line)
    document.save(buf)
    r = as_drafter.post("/api/proposals/parse-file", files={"file": ("提案.docx", buf.getvalue(), "application/octet-stream")})
    assert r.status_code == 200 and r.json()["number"] == "88"


def test_parse_refuses_wrong_type_size_and_empty(as_drafter: TestClient, settings: Settings) -> None:
    r = as_drafter.post("/api/proposals/parse-file", files={"file": ("提案.exe", b"MZ...", "application/octet-stream")})
    assert r.status_code == 415 and "不支持的文件类型" in r.json()["detail"]
    big = b"a" * (settings.max_upload_bytes + 10)
    r = as_drafter.post("/api/proposals/parse-file", files={"file": ("提案.txt", big, "text/plain")})
    assert r.status_code == 413 and "太大" in r.json()["detail"]
    huge = b"a" * (settings.max_upload_bytes + 512 * 1024)
    r = as_drafter.post("/api/proposals/parse-file", files={"file": ("提案.txt", huge, "text/plain")})
    assert r.status_code == 413
    r = as_drafter.post("/api/proposals/parse", json={"text": "  "})
    assert r.status_code == 422 and "过短" in r.json()["detail"]


def test_draft_lifecycle_api(as_drafter: TestClient) -> None:
    made = new_draft(as_drafter)
    did = made["id"]
    assert made["current_version"] == 1 and made["review_status"] == "pending"
    draft = made["draft"]
    assert draft["letter"]["title"] and draft["sources"], "the real Drafter cites the test documents"
    got = as_drafter.get(f"/api/drafts/{did}").json()
    text = got["text"]
    assert "[1]" in text

    closing = next(line for line in text.splitlines() if line.startswith("感谢"))
    edited = text.replace(closing, closing + "我局将认真研究您的意见。")
    r = as_drafter.post(f"/api/drafts/{did}/versions", json={"text": edited, "base_version": 1})
    assert r.status_code == 201, r.text
    assert r.json()["number"] == 2
    stale = as_drafter.post(f"/api/drafts/{did}/versions", json={"text": edited, "base_version": 1})
    assert stale.status_code == 409 and "第 2 版" in stale.json()["detail"]

    unreadable = "\n".join(line for line in edited.splitlines() if not line.startswith(("一、", "二、")))
    r = as_drafter.post(f"/api/drafts/{did}/versions", json={"text": unreadable, "base_version": 2})
    assert r.status_code == 422 and "部分标题" in r.json()["detail"]

    versions = as_drafter.get(f"/api/drafts/{did}/versions").json()
    assert [v["number"] for v in versions] == [1, 2] and versions[1]["editor"] == "zhang"
    assert as_drafter.get(f"/api/drafts/{did}/versions/1").json()["draft"]["letter"]["title"]
    d = as_drafter.get(f"/api/drafts/{did}/diff", params={"a": 1, "b": 2}).json()
    assert "<ins>" in d["html"] and "认真研究" in d["html"]

    r = as_drafter.post(f"/api/drafts/{did}/versions/1/restore")
    assert r.status_code == 201 and r.json()["number"] == 3 and "恢复自第 1 版" in r.json()["note"]
    assert as_drafter.get(f"/api/drafts/{did}").json()["text"] == text
    assert as_drafter.post(f"/api/drafts/{did}/versions/3/restore").status_code == 409
    assert as_drafter.get(f"/api/drafts/{did}/versions/9").status_code == 404
    assert as_drafter.get("/api/drafts/999").status_code == 404


def test_source_context_highlights_passage(as_drafter: TestClient, kb) -> None:  # type: ignore[no-untyped-def]
    made = new_draft(as_drafter)
    src = made["draft"]["sources"][0]
    r = as_drafter.get(f"/api/drafts/{made['id']}/sources/{src['id']}")
    assert r.status_code == 200
    ctx = r.json()
    assert ctx["passage"] == src["quote"] and ctx["found"]
    text = kb.get(src["doc_id"]).text
    assert text[src["end"]:].startswith(ctx["after"].rstrip("…")[:50])
    assert len(ctx["before"].lstrip("…")) <= 300 and len(ctx["after"].rstrip("…")) <= 300
    assert ctx["url"].startswith(f"/kb/docs/{src['doc_id']}?start=") and ctx["url"].endswith("#passage")
    assert as_drafter.get(f"/api/drafts/{made['id']}/sources/999").status_code == 404


def test_exports(as_drafter: TestClient) -> None:
    did = new_draft(as_drafter)["id"]
    r = as_drafter.get(f"/api/drafts/{did}/export/docx")
    assert r.status_code == 200 and r.content[:2] == b"PK"
    assert "attachment" in r.headers["content-disposition"] and ".docx" in r.headers["content-disposition"]
    assert "%E6%AD%A3%E5%BC%8F%E7%A8%BF" in r.headers["content-disposition"]  # 正式稿 in the file name
    letter = docx.Document(io.BytesIO(r.content))
    texts = [p.text for p in letter.paragraphs]
    assert any("第88号" in t for t in texts)
    assert not any(re.search(r"\[\d+\]", t) for t in texts) and "附：引用来源（供审核）" not in texts
    r = as_drafter.get(f"/drafts/{did}/export/review-docx")
    assert r.status_code == 200 and "%E5%AE%A1%E6%A0%B8%E7%A8%BF" in r.headers["content-disposition"]  # 审核稿
    texts = [p.text for p in docx.Document(io.BytesIO(r.content)).paragraphs]
    assert any(re.search(r"\[\d+\]", t) for t in texts) and "附：引用来源（供审核）" in texts
    md = as_drafter.get(f"/drafts/{did}/export/md")
    assert md.status_code == 200 and md.headers["content-type"].startswith("text/markdown") and "第88号" in md.text
    js = as_drafter.get(f"/api/drafts/{did}/export/json?v=1")
    assert json.loads(js.content)["proposal"]["number"] == "88"
    assert as_drafter.get(f"/api/drafts/{did}/export/exe").status_code == 404


def test_list_filters(as_drafter: TestClient, settings: Settings) -> None:
    new_draft(as_drafter, title="关于推动中试平台建设的提案")
    new_draft(as_drafter, title="关于加强科技金融的提案", number="120")
    rows = as_drafter.get("/api/drafts").json()
    assert len(rows) == 2
    assert [r["title"] for r in as_drafter.get("/api/drafts", params={"q": "科技金融"}).json()] == ["关于加强科技金融的提案"]
    assert len(as_drafter.get("/api/drafts", params={"number": "120"}).json()) == 1
    assert len(as_drafter.get("/api/drafts", params={"status": "approved"}).json()) == 0
    assert len(as_drafter.get("/api/drafts", params={"author": "zhang"}).json()) == 2
    assert len(as_drafter.get("/api/drafts", params={"author": "nobody"}).json()) == 0
    assert len(as_drafter.get("/api/drafts", params={"date_from": "2000-01-01", "date_to": "2999-01-01"}).json()) == 2
    assert len(as_drafter.get("/api/drafts", params={"date_to": "2000-01-01"}).json()) == 0
    page = as_drafter.get("/drafts", params={"q": "科技金融"})
    assert "关于加强科技金融的提案" in page.text and "关于推动中试平台建设的提案" not in page.text


def test_other_bureau_cannot_see_draft(client: TestClient, settings: Settings) -> None:
    make_user(client, settings, "zhang", "drafter")
    api_login(client, "zhang", PASSWORD)
    did = new_draft(client)["id"]
    client.post("/api/auth/logout")
    api_login(client, "admin", re.search(r"密码: (\S+)", (settings.var_dir / "initial_admin_password.txt")
                                         .read_text(encoding="utf-8")).group(1))  # type: ignore[union-attr]
    add_bureau(client, "other", "另一市科学技术局")
    r = client.post("/api/users", json={"username": "other", "role": "drafter", "password": PASSWORD,
                                        "bureau": "other"})
    assert r.status_code == 201
    assert client.get(f"/api/drafts/{did}").status_code == 200  # admins see every bureau
    client.post("/api/auth/logout")
    api_login(client, "other", PASSWORD)
    assert client.get(f"/api/drafts/{did}").status_code == 404
    assert client.get("/api/drafts").json() == []


def test_pages_two_step_flow(as_drafter: TestClient) -> None:
    page = as_drafter.get("/drafts/new")
    assert page.status_code == 200 and "第一步" in page.text
    token = page_csrf(page.text)
    parsed = as_drafter.post("/drafts/parse", data={"text": proposal_text(), "csrf_token": token})
    assert parsed.status_code == 200
    assert re.search(r'id="number" name="number" value="88"', parsed.text)
    assert "已从提案中识别出以下信息" in parsed.text
    from_file = as_drafter.post("/drafts/parse", data={"csrf_token": token},
                                files={"file": ("p.txt", proposal_text().encode(), "text/plain")})
    assert 'value="88"' in from_file.text
    wrong = as_drafter.post("/drafts/parse", data={"csrf_token": token}, files={"file": ("p.pdf", b"%PDF", "application/pdf")})
    assert wrong.status_code == 415 and "不支持的文件类型" in wrong.text
    empty = as_drafter.post("/drafts/parse", data={"csrf_token": token, "text": ""})
    assert empty.status_code == 422 and "请粘贴提案全文" in empty.text

    form = {"csrf_token": token, "title": "关于推动中试平台建设加快科技成果转化的提案", "number": "88",
            "session": "市政协十届五次会议", "proposer": "刘某某", "proposer_type": "member", "kind": "proposal",
            "suggestions": "加大中试平台布局建设力度\n推动中试平台开放共享", "body": proposal_text(),
            "layout": "per_suggestion", "category": "B", "disclosure": "依申请公开", "reply_date": "2025-06-30",
            "contact_person": "王某某", "contact_phone": "0000-1234", "co_handlers": "市财政局、市工信局",
            "communication": "电话沟通", "communication_date": "2025-06-10", "engine": "compose"}
    r = as_drafter.post("/drafts", data=form, follow_redirects=False)
    assert r.status_code == 303
    url = r.headers["location"]
    view = as_drafter.get(url)
    assert view.status_code == 200
    assert 'class="cite"' in view.text and 'id="ctx-1"' in view.text and "<mark>" in view.text
    assert "依申请公开" in view.text and "王某某" in view.text
    did = int(url.rsplit("/", 1)[1])
    draft = as_drafter.get(f"/api/drafts/{did}").json()
    assert draft["draft"]["options"]["co_handlers"] == ["市财政局", "市工信局"]
    assert draft["draft"]["options"]["layout"] == "per_suggestion"

    token = page_csrf(view.text)
    text = draft["text"]
    closing = next(line for line in text.splitlines() if line.startswith("感谢"))
    r = as_drafter.post(f"/drafts/{did}/edit", data={"csrf_token": token, "base_version": 1,
                                                     "text": text.replace(closing, closing + "另行补充。")},
                        follow_redirects=False)
    assert r.status_code == 303
    again = as_drafter.post(f"/drafts/{did}/edit", data={"csrf_token": token, "base_version": 1, "text": text})
    assert again.status_code == 409 and "请刷新页面" in again.text
    v2 = as_drafter.get(url)
    assert "第 2 版" in v2.text and "另行补充" in v2.text
    old = as_drafter.get(url, params={"v": 1})
    assert "正在查看历史版本第 1 版" in old.text
    diff = as_drafter.get(f"{url}/diff", params={"a": 1, "b": 2})
    assert diff.status_code == 200 and "<ins>" in diff.text
    r = as_drafter.post(f"{url}/restore", data={"csrf_token": token, "version": 1}, follow_redirects=False)
    assert r.status_code == 303
    assert "恢复自第 1 版" in as_drafter.get(url).text


def test_proposal_injection_is_inert(as_drafter: TestClient) -> None:
    made = new_draft(as_drafter, title=f"关于{SCRIPT}的提案", proposer=f"<b>刘</b>{SCRIPT}")
    did = made["id"]
    for path in (f"/drafts/{did}", "/drafts", f"/drafts/{did}/diff?a=1&b=1", "/reviews"):
        html = as_drafter.get(path).text
        assert SCRIPT not in html and "<b>刘</b>" not in html, path
        assert "&lt;script&gt;" in html, path
    token = page_csrf(as_drafter.get("/drafts/new").text)
    parsed = as_drafter.post("/drafts/parse", data={"csrf_token": token, "text": f"关于{SCRIPT}的提案\n建议：一是加强{SCRIPT}。"})
    assert SCRIPT not in parsed.text and "&lt;script&gt;" in parsed.text


def test_gaps_are_shown_with_their_reason(as_drafter: TestClient) -> None:
    made = new_draft(as_drafter, suggestions=["加大中试平台布局建设力度", "研究外星人登陆地球的应对预案"])
    assert made["draft"]["checks"]["coverage"] == [True, False]
    html = as_drafter.get(f"/drafts/{made['id']}").text
    assert "未回应的建议" in html and "第2条：研究外星人登陆地球的应对预案" in html
    assert 'class="flagged" title="' in html
