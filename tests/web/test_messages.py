"""What a user reads when something goes wrong: Chinese, what to do, and what they typed is still there."""

from __future__ import annotations

import html
import re
import time
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from assistant.settings import Settings
from tests.web.conftest import (
    PASSWORD,
    admin_password,
    api_login,
    make_user,
    new_draft,
    page_csrf,
    proposal_text,
)
from vectorstore.kb import KnowledgeBase

ENGLISH = re.compile(r"[A-Za-z]{3,}[ ,.;:]+[A-Za-z]{3,}")
BINARY = bytes(range(256)) * 8


def _shown(page: str) -> str:
    """The text of the page's alerts (what the user reads), without markup."""
    return html.unescape(" ".join(re.findall(r'<div class="alert[^"]*">(.*?)</div>', page, flags=re.S)))


def _textarea(page: str, name: str = "text") -> str:
    match = re.search(rf'<textarea id="{name}" name="{name}"[^>]*>(.*?)</textarea>', page, flags=re.S)
    assert match, f"no textarea {name}"
    return html.unescape(match.group(1))


@pytest.fixture
def big(settings: Settings, kb: KnowledgeBase) -> Iterator[TestClient]:
    """The app with its default upload limit (10 MB), a drafter logged in."""
    from assistant.web.app import create_app

    settings.max_upload_bytes = 10 * 1024 * 1024
    with TestClient(create_app(settings, kb=kb)) as c:
        make_user(c, settings, "zhang", "drafter")
        api_login(c, "zhang", PASSWORD)
        yield c


def test_a_2mb_paste_is_answered_in_chinese_and_kept(big: TestClient) -> None:
    token = page_csrf(big.get("/drafts/new").text)
    pasted = proposal_text() + "\n附件：" + "科技成果转化" * 120_000 + "\n（粘贴结束标记）"
    assert len(pasted.encode("utf-8")) > 2 * 1024 * 1024
    r = big.post("/drafts/parse", data={"csrf_token": token}, files={"file": ("", b"", "application/octet-stream")}
                 | {"text": (None, pasted)})
    assert r.status_code == 422, r.text[:500]
    shown = _shown(r.text)
    assert "提案过长" in shown and "请只粘贴提案正文" in shown and not ENGLISH.search(shown), shown
    assert _textarea(r.text).endswith("（粘贴结束标记）"), "the pasted text is back in the form"


def test_a_body_beyond_the_limit_gets_chinese_and_a_way_back(as_drafter: TestClient, settings: Settings) -> None:
    token = page_csrf(as_drafter.get("/drafts/new").text)
    r = as_drafter.post("/drafts/parse", data={"csrf_token": token, "text": "中" * settings.max_upload_bytes})
    assert r.status_code == 413
    shown = _shown(r.text)
    assert "提交的内容太大" in shown and "只粘贴正文" in shown and not ENGLISH.search(shown), shown
    assert 'href="/drafts/new"' in r.text and 'class="topbar"' in r.text
    # The page script keeps the paste in the tab (sessionStorage) and restores it into the empty form.
    script = as_drafter.get("/static/app.js").text
    assert "sessionStorage" in script and 'id="restored"' in as_drafter.get("/drafts/new").text


def test_a_binary_file_named_txt_is_explained(as_drafter: TestClient) -> None:
    r = as_drafter.post("/api/proposals/parse-file", files={"file": ("提案.txt", BINARY, "text/plain")})
    assert r.status_code == 422
    detail = r.json()["detail"]
    assert "提案.txt" in detail and "不是文本文件" in detail and not ENGLISH.search(detail), detail
    token = page_csrf(as_drafter.get("/drafts/new").text)
    page = as_drafter.post("/drafts/parse", data={"csrf_token": token, "text": "我先粘贴的几句话"},
                           files={"file": ("提案.txt", BINARY, "text/plain")})
    assert page.status_code == 422 and "不是文本文件" in _shown(page.text)
    assert _textarea(page.text) == "我先粘贴的几句话"


def test_a_large_proposal_file_names_the_limit_that_applies(big: TestClient) -> None:
    data = ("关于推动中试平台建设的提案\n" + "建议加大投入。" * 300_000).encode("utf-8")
    assert 5 * 1024 * 1024 < len(data) < 10 * 1024 * 1024
    r = big.post("/api/proposals/parse-file", files={"file": ("提案.txt", data, "text/plain")})
    detail = r.json()["detail"]
    assert r.status_code == 422 and "文件过大" in detail and "上限 5 MB" in detail, detail
    assert "ASSISTANT_" not in detail and not ENGLISH.search(detail), detail


def test_knowledge_base_upload_results_are_chinese(client: TestClient, settings: Settings) -> None:
    api_login(client, "admin", admin_password(settings))
    r = client.post("/api/kb/uploads", files=[("files", ("扫描件.txt", BINARY, "text/plain")),
                                              ("files", ("说明.txt", "示例市科学技术局关于中试平台的说明，全市建成中试平台十二家。\n"
                                                         "示例市科学技术局\n2024年5月1日\n".encode(), "text/plain"))])
    assert r.status_code == 202
    for _ in range(200):
        job = client.get(f"/api/kb/jobs/{r.json()['id']}").json()
        if job["finished"]:
            break
        time.sleep(0.05)
    failed = next(f for f in job["files"] if f["name"] == "扫描件.txt")
    assert failed["status_name"] == "失败" and "不是文字" in failed["reason"] and not ENGLISH.search(failed["reason"])
    page = client.get(f"/kb/jobs/{job['id']}")
    assert "不是文字" in page.text and "binary" not in page.text


def test_form_parser_errors_are_translated() -> None:
    from assistant.web.app import chinese_detail

    for detail in ("Part exceeded maximum size of 1024KB.", "Field exceeded maximum size of 1024KB."):
        assert "太长（上限 1.0 MB）" in chinese_detail(400, detail)
    assert "分批" in chinese_detail(400, "Too many files. Maximum number of files is 1000.")
    assert "刷新" in chinese_detail(400, "Missing boundary in multipart.")
    assert chinese_detail(404, "Not Found") == "没有找到该页面。"
    assert chinese_detail(409, "草稿已更新") == "草稿已更新"


def test_trail_names_the_engine_and_people_in_chinese(as_drafter: TestClient) -> None:
    did = new_draft(as_drafter)["id"]
    trail = as_drafter.get(f"/api/drafts/{did}/reviews").json()["trail"]
    assert trail[0]["comment"] == "起草方式：组合引擎"
    page = as_drafter.get(f"/drafts/{did}").text
    assert "起草方式：组合引擎" in page and "引擎：compose" not in page
    # A trail written before the engine had a Chinese name reads the same.
    from assistant.web.orm import ReviewEvent

    with as_drafter.app.state.services.sessions() as db:  # type: ignore[attr-defined]
        db.add(ReviewEvent(draft_id=did, version=1, actor_id=2, action="created", comment="引擎：llm"))
        db.commit()
    trail = as_drafter.get(f"/api/drafts/{did}/reviews").json()["trail"]
    assert trail[-1]["comment"] == "起草方式：大模型"


def test_reply_date_field_says_what_it_does(as_drafter: TestClient) -> None:
    page = as_drafter.get("/drafts/new").text
    hint = re.search(r'<p class="hint" id="reply-date-hint">(.*?)</p>', page, flags=re.S)
    assert hint and "此日期及以前的材料" in hint.group(1) and "下一步工作打算" in hint.group(1)


def test_an_empty_plan_section_says_why(as_drafter: TestClient) -> None:
    r = as_drafter.post("/api/drafts", json={"proposal": {"title": "关于推动中试平台建设的提案", "body": proposal_text(),
                                                          "suggestions": ["推动中试平台开放共享"]},
                                             "options": {"reply_date": "2031-06-30"}})
    assert r.status_code == 201, r.text
    page = as_drafter.get(f"/drafts/{r.json()['id']}").text
    note = re.search(r'<li id="reply-date-note">(.*?)</li>', page, flags=re.S)
    assert note and "2031-06-30" in note.group(1) and "2030 年或 2031 年" in note.group(1), page[-3000:]
    # Once the plan section is written (here: by hand), there is nothing to explain.
    from assistant.models import Draft
    from assistant.web.services.drafts import plan_gap_year

    draft = Draft.model_validate(r.json()["draft"])
    assert plan_gap_year(draft) == 2031
    for section in draft.letter.sections:
        for item in section.items:
            for sentence in item.sentences:
                sentence.text = sentence.text.replace("【待补充】", "")
    assert plan_gap_year(draft) is None


def test_validation_errors_name_the_field_in_chinese(as_drafter: TestClient) -> None:
    r = as_drafter.post("/api/drafts", json={"proposal": {"title": 5}, "options": {"layout": "sideways"}})
    assert r.status_code == 422
    detail = r.json()["detail"]
    assert "提案.标题（应为文字）" in detail and "起草选项.正文结构（只能是 thematic、per_suggestion）" in detail, detail
    assert r.json()["errors"] and not ENGLISH.search(detail.replace("per_suggestion", "")), detail
    r = as_drafter.post("/api/drafts/1/reviews", content=b"{not json", headers={"content-type": "application/json"})
    assert r.status_code in (403, 422)
    page = as_drafter.get("/drafts", params={"date_from": "去年"})
    assert page.status_code == 422 and "起始日期（日期格式应为 YYYY-MM-DD）" in _shown(page.text)
