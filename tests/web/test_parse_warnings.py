"""Parse warnings reach the clerk: in the API response and beside the suggestions on the new-draft form."""

from __future__ import annotations

import re

from fastapi.testclient import TestClient

from tests.web.conftest import SCRIPT, page_csrf, proposal_text

UNSURE = "关于样例村修路的建议\n样例村道路坑洼，雨天泥泞。因此建议县交通局硬化村道。\n"


def test_api_returns_the_warnings(as_drafter: TestClient) -> None:
    r = as_drafter.post("/api/proposals/parse", json={"text": UNSURE})
    assert r.status_code == 200
    p = r.json()
    assert p["suggestions"] == ["因此建议县交通局硬化村道"]
    assert any("提出请求的句子" in w for w in p["warnings"]) and any("未识别出编号、提出人" in w for w in p["warnings"])
    assert as_drafter.post("/api/proposals/parse", json={"text": proposal_text()}).json()["warnings"] == []


def test_form_shows_warnings_beside_the_suggestions_escaped(as_drafter: TestClient) -> None:
    token = page_csrf(as_drafter.get("/drafts/new").text)
    page = as_drafter.post("/drafts/parse", data={"csrf_token": token, "text": UNSURE}).text
    block = re.search(r'<textarea id="suggestions".*?</textarea>\s*<div class="alert info" id="parse-warnings".*?</div>', page, re.S)
    assert block, "the warnings sit right under the suggestions box"
    assert "解析时不确定的地方" in block.group(0) and "未识别出编号、提出人" in block.group(0)

    clean = as_drafter.post("/drafts/parse", data={"csrf_token": token, "text": proposal_text()}).text
    assert 'id="parse-warnings"' not in clean

    hostile = f"关于示例的提案\n提案人：甲某某委员\n建议：\n一是{SCRIPT}资金不足。\n二是培养科技人才。\n"
    page = as_drafter.post("/drafts/parse", data={"csrf_token": token, "text": hostile}).text
    warnings = re.search(r'id="parse-warnings".*?</div>', page, re.S)
    assert warnings and "读起来像问题" in warnings.group(0)
    assert "&lt;script&gt;" in warnings.group(0) and "<script>" not in warnings.group(0)
