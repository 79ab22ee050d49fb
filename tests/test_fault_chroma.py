"""The Chroma server goes away under the running app, then comes back on the same port and data.

While it is gone, search and draft generation answer 503 with a Chinese sentence, over the API and on
the HTML pages (no traceback, no 500), and what was saved stays readable and editable (saving re-verifies
against the document store, not the vectors). Once Chroma is back the same requests succeed, without
restarting the app.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import httpx
import pytest

from bench.load import PASSWORD, make_users
from bench.loadclients import edited_text
from bench.loadkit import CHROMA, app_on_cached_kb
from tests.web.conftest import PROPOSAL

pytestmark = [pytest.mark.server, pytest.mark.timeout(420)]
QUERY: dict[str, str | int] = {"q": "中试平台 科技成果转化", "k": 5}


def _requests(http: httpx.Client, proposal: dict[str, Any]) -> dict[str, httpx.Response]:
    """Search and drafting, through the API and through the pages."""
    form = {"title": proposal["title"], "body": proposal["body"], "suggestions": "\n".join(proposal["suggestions"]),
            "reply_date": "2025-06-30"}
    return {
        "api search": http.get("/api/kb/search", params=QUERY),
        "api draft": http.post("/api/drafts", json={"proposal": proposal, "options": {"reply_date": "2025-06-30"}}),
        "page search": http.get("/kb", params={"q": str(QUERY["q"]), "mode": "search"}),
        "page draft": http.post("/drafts", data=form),  # 303 to the new draft on success
    }


def _wait_for_vectors(http: httpx.Client, bound: float = 120) -> None:
    """The app opens Chroma in the background at start and answers by keywords meanwhile; the outage is
    only an outage once the vector channel serves (a bound, not a target: a loaded machine is slow)."""
    deadline = time.monotonic() + bound
    while time.monotonic() < deadline:
        hits = http.get("/api/kb/search", params=QUERY).json()["hits"]
        if any("vector" in h["channels"] for h in hits):
            return
        time.sleep(0.5)
    raise AssertionError("the vector channel never took part in a search")


def test_chroma_outage_then_recovery(tmp_path: Path) -> None:
    if not CHROMA.exists():
        pytest.skip(f"{CHROMA} not installed")
    with app_on_cached_kb(tmp_path, workers=1, admin_password=PASSWORD) as stack:
        app, chroma = stack.app, stack.chroma
        (user,) = make_users(app.url, 1)
        with httpx.Client(base_url=app.url, timeout=60) as http:
            r = http.post("/api/auth/login", json={"username": user, "password": PASSWORD})
            http.headers["X-CSRF-Token"] = r.json()["csrf_token"]
            proposal = http.post("/api/proposals/parse", json={"text": PROPOSAL.read_text(encoding="utf-8")}).json()
            _wait_for_vectors(http)
            before = _requests(http, proposal)
            assert [r.status_code for r in before.values()] == [200, 201, 200, 303], \
                {k: (r.status_code, r.text[:300]) for k, r in before.items()}
            saved = before["api draft"].json()
            text = http.get(f"/api/drafts/{saved['id']}").json()["text"]

            chroma.kill()
            down = _requests(http, proposal)
            for name, r in down.items():
                assert r.status_code == 503, (name, r.status_code, r.text[:500])
                assert "向量库" in r.text and "稍后重试" in r.text, (name, r.text[:500])
                assert "Traceback" not in r.text and "chroma" not in r.text.lower(), (name, r.text[:500])
            assert down["api search"].json()["detail"].startswith("知识库检索服务")
            assert "text/html" in down["page search"].headers["content-type"]
            # Nothing saved is lost, and an edit can still be saved while the vectors are away.
            assert http.get(f"/api/drafts/{saved['id']}").json()["text"] == text
            edit = http.post(f"/api/drafts/{saved['id']}/versions", json={"text": edited_text(text, "停机期间修改")})
            assert edit.status_code == 201, edit.text

            chroma.start()  # same port, same data path
            deadline = time.monotonic() + 90  # a bound, not a target: a loaded machine is slow
            while (r := http.get("/api/kb/search", params=QUERY)).status_code != 200 and time.monotonic() < deadline:
                time.sleep(0.5)
            after = _requests(http, proposal)
            assert [r.status_code for r in after.values()] == [200, 201, 200, 303], \
                {k: (r.status_code, r.text[:300]) for k, r in after.items()}
            assert after["api search"].json()["hits"], "search finds hits again"
            assert http.get(f"/api/drafts/{saved['id']}").json()["current_version"] == 2
