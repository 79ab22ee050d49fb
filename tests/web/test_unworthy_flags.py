"""A sentence a reviewer would delete (a meeting report pasted into the letter) is flagged on the page."""

from __future__ import annotations

from fastapi.testclient import TestClient

from tests.web.conftest import new_draft, page_csrf


def test_an_edited_in_meeting_report_is_flagged_on_the_draft_page(as_drafter: TestClient) -> None:
    record = new_draft(as_drafter)
    draft_id = record["id"]
    page = as_drafter.get(f"/drafts/{draft_id}")
    assert page.status_code == 200 and "不宜写入答复" in page.text
    text = record["draft"]["text"]
    marker = "[1]"
    assert marker in text
    edited = text.replace(marker, "会议介绍了全市中试平台建设情况。" + marker, 1)
    r = as_drafter.post(f"/api/drafts/{draft_id}/versions", json={"text": edited, "base_version": 1},
                        headers={"X-CSRF-Token": page_csrf(page.text)})
    assert r.status_code in (200, 201), r.text
    checks = r.json()["draft"]["checks"]
    assert checks["unworthy_sentences"] >= 1
    page = as_drafter.get(f"/drafts/{draft_id}")
    assert "会议、活动过程描述" in page.text  # the reason, shown with the flagged sentence
