"""Citation review: decisions, the draft's review state, and the trail."""

from __future__ import annotations

import re

from fastapi.testclient import TestClient

from assistant.settings import Settings
from tests.web.conftest import PASSWORD, api_login, make_user, new_draft, page_csrf


def _draft_as_drafter(client: TestClient, settings: Settings) -> dict:
    make_user(client, settings, "zhang", "drafter")
    make_user(client, settings, "shen", "reviewer")
    api_login(client, "zhang", PASSWORD)
    made = new_draft(client)
    client.post("/api/auth/logout")
    api_login(client, "shen", PASSWORD)
    return made


def test_review_states_and_trail(client: TestClient, settings: Settings) -> None:
    made = _draft_as_drafter(client, settings)
    did = made["id"]
    state = client.get(f"/api/drafts/{did}/reviews").json()
    assert state["status"] == "pending" and state["status_name"] == "待审核"
    cited = [c["source_id"] for c in state["citations"]]
    assert cited

    r = client.post(f"/api/drafts/{did}/reviews", json={"source_id": cited[0], "decision": "accepted", "comment": "核对无误"})
    assert r.status_code == 201
    state = r.json()
    assert state["status"] == ("approved" if len(cited) == 1 else "in_review")
    r = client.post(f"/api/drafts/{did}/reviews", json={"source_id": cited[-1], "decision": "rejected"})
    assert r.status_code == 422 and "请填写意见" in r.json()["detail"]
    r = client.post(f"/api/drafts/{did}/reviews", json={"source_id": cited[-1], "decision": "rejected",
                                                       "comment": "数字与原文不符"})
    assert r.json()["status"] == "changes" and r.json()["status_name"] == "需修改"
    for sid in cited:
        client.post(f"/api/drafts/{did}/reviews", json={"source_id": sid, "decision": "accepted"})
    state = client.get(f"/api/drafts/{did}/reviews").json()
    assert state["status"] == "approved"
    actions = [(e["who"], e["action"]) for e in state["trail"]]
    assert actions[0] == ("zhang", "created")
    assert ("shen", "rejected") in actions and actions[-1] == ("shen", "accepted")
    assert any(e["comment"] == "数字与原文不符" for e in state["trail"])
    assert client.post(f"/api/drafts/{did}/reviews", json={"source_id": 999, "decision": "accepted"}).status_code == 404
    assert client.get("/api/drafts", params={"status": "approved"}).json()[0]["id"] == did


def test_decisions_survive_an_edit_that_keeps_the_passage(client: TestClient, settings: Settings) -> None:
    made = _draft_as_drafter(client, settings)
    did = made["id"]
    sid = client.get(f"/api/drafts/{did}/reviews").json()["citations"][0]["source_id"]
    client.post(f"/api/drafts/{did}/reviews", json={"source_id": sid, "decision": "accepted"})
    client.post("/api/auth/logout")
    api_login(client, "zhang", PASSWORD)
    text = client.get(f"/api/drafts/{did}").json()["text"]
    closing = next(line for line in text.splitlines() if line.startswith("感谢"))
    r = client.post(f"/api/drafts/{did}/versions", json={"text": text.replace(closing, closing + "谢谢。")})
    assert r.status_code == 201
    state = client.get(f"/api/drafts/{did}/reviews").json()
    kept = {c["source_id"]: c["decision"] for c in state["citations"]}
    assert "accepted" in kept.values()
    assert [e["action"] for e in state["trail"]][-1] == "edited"


def test_review_through_the_page(client: TestClient, settings: Settings) -> None:
    did = _draft_as_drafter(client, settings)["id"]
    page = client.get(f"/drafts/{did}")
    assert "提交审核意见" in page.text and "保存为新版本" not in page.text
    token = page_csrf(page.text)
    r = client.post(f"/drafts/{did}/reviews", data={"csrf_token": token, "source_id": 1, "decision": "rejected",
                                                    "comment": "来源过旧"}, follow_redirects=False)
    # Back to the draft with the source open, without a #fragment that would jump to the source list.
    assert r.status_code == 303 and r.headers["location"] == f"/drafts/{did}?src=1"
    page = client.get(r.headers["location"])
    assert "需修改" in page.text and "来源过旧" in page.text and "不采纳引用" in page.text
    bad = client.post(f"/drafts/{did}/reviews", data={"csrf_token": token, "source_id": 1, "decision": "rejected"})
    assert bad.status_code == 422 and "请填写意见" in bad.text
    queue = client.get("/reviews")
    assert queue.status_code == 200 and "需修改" in queue.text
    assert "需修改" in client.get("/reviews?status=changes").text
    assert "没有符合条件的草稿" in client.get("/reviews?status=approved").text


def test_source_count_and_review_progress_agree(client: TestClient, settings: Settings) -> None:
    from assistant.models import Draft
    from assistant.web.orm import DraftVersion

    made = _draft_as_drafter(client, settings)
    did = made["id"]

    def counts() -> tuple[int, int, str]:
        page = client.get(f"/drafts/{did}").text
        cited = re.search(r'id="cited-count">(\d+) 条', page)
        progress = re.search(r'id="review-progress">(\d+)/(\d+) 条已审', page)
        assert cited and progress
        note = re.search(r"另有 (\d+) 条参考材料未在正文引用", page)
        return int(cited.group(1)), int(progress.group(2)), note.group(1) if note else ""

    n, total, note = counts()
    citations = client.get(f"/api/drafts/{did}/reviews").json()["citations"]
    assert n == total == len(citations) >= 1
    # A source the letter does not cite (as a practice elsewhere is): in neither count, named beside them.
    with client.app.state.services.sessions() as db:  # type: ignore[attr-defined]
        version = db.query(DraftVersion).filter_by(draft_id=did, number=1).one()
        draft = Draft.model_validate_json(version.data)
        extra = draft.sources[0].model_copy(update={"id": 99, "start": draft.sources[0].start + 1, "own": False})
        draft.sources.append(extra)
        version.data = draft.model_dump_json()
        db.commit()
    n2, total2, note2 = counts()
    assert n2 == total2 == n and note2 == str(int(note or 0) + 1)
    assert len(client.get(f"/api/drafts/{did}/reviews").json()["citations"]) == n
