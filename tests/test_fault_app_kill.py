"""Kill the app (SIGKILL, every worker) while drafters are saving: every acknowledged save survives the restart.

The app runs as `assistant serve --workers 2` on a SQLite app database under ASSISTANT_VAR_DIR. Four
clients each save new versions of their own draft as fast as they can; once enough saves were
acknowledged the whole process group is killed mid-stream, the app is started again on the same data,
and each save that got a 201 must be there with exactly the letter it was acknowledged with, under a
version number that is not duplicated.
"""

from __future__ import annotations

import threading
import time
from pathlib import Path
from typing import Any

import httpx
import pytest

from bench.load import PASSWORD, make_users
from bench.loadclients import edited_text
from bench.loadkit import CHROMA, AppServer, app_on_cached_kb
from tests.web.conftest import PROPOSAL

pytestmark = [pytest.mark.server, pytest.mark.timeout(420)]
SAVERS = 4
KILL_AFTER = 40  # acknowledged saves before the kill


def _login(http: httpx.Client, user: str) -> None:
    r = http.post("/api/auth/login", json={"username": user, "password": PASSWORD})
    assert r.status_code == 200, r.text
    http.headers["X-CSRF-Token"] = r.json()["csrf_token"]


def _saver(url: str, user: str, acked: list[tuple[int, int, dict[str, Any]]], odd: list[str],
           ready: threading.Barrier) -> None:
    with httpx.Client(base_url=url, timeout=30) as http:
        _login(http, user)
        proposal = http.post("/api/proposals/parse", json={"text": PROPOSAL.read_text(encoding="utf-8")}).json()
        made = http.post("/api/drafts", json={"proposal": proposal, "options": {"reply_date": "2025-06-30"}})
        assert made.status_code == 201, made.text
        did = made.json()["id"]
        text = http.get(f"/api/drafts/{did}").json()["text"]
        ready.wait()
        for i in range(1, 10_000):
            try:
                r = http.post(f"/api/drafts/{did}/versions", json={"text": edited_text(text, f"{user}第{i}次保存")})
            except httpx.HTTPError:
                return  # the server is gone: this save was never acknowledged
            if r.status_code != 201:
                odd.append(f"{r.status_code}: {r.text[:200]}")
                return
            body = r.json()
            acked.append((did, body["number"], body["draft"]))


def test_sigkill_while_saving_keeps_every_acknowledged_save(tmp_path: Path) -> None:
    if not CHROMA.exists():
        pytest.skip(f"{CHROMA} not installed")
    with app_on_cached_kb(tmp_path, workers=2, admin_password=PASSWORD) as stack:
        app = stack.app
        users = make_users(app.url, SAVERS)
        acked: list[tuple[int, int, dict[str, Any]]] = []
        odd: list[str] = []
        ready = threading.Barrier(SAVERS + 1)
        threads = [threading.Thread(target=_saver, args=(app.url, u, acked, odd, ready), daemon=True) for u in users]
        for t in threads:
            t.start()
        ready.wait(timeout=60)
        deadline = time.monotonic() + 120  # a bound, not a target: a loaded machine is slow
        while len(acked) < KILL_AFTER and time.monotonic() < deadline and not odd:
            time.sleep(0.02)
        app.kill()  # SIGKILL to the whole group: the server and both workers, saves in flight
        for t in threads:
            t.join(timeout=40)
        assert not odd, odd
        assert len(acked) >= KILL_AFTER, f"only {len(acked)} saves acknowledged before the kill"

        app = stack.app = AppServer(stack.env, workers=2, port=app.port)
        app.start()
        with httpx.Client(base_url=app.url, timeout=30) as http:
            _login(http, "loadadmin")
            for did in sorted({d for d, _, _ in acked}):
                numbers = [v["number"] for v in http.get(f"/api/drafts/{did}/versions").json()]
                assert len(numbers) == len(set(numbers)), f"draft {did}: duplicated version numbers {numbers}"
                assert sorted(numbers) == list(range(1, max(numbers) + 1)), f"draft {did}: gaps in {numbers}"
                assert http.get(f"/api/drafts/{did}").json()["current_version"] == max(numbers)
            for did, number, draft in acked:
                r = http.get(f"/api/drafts/{did}/versions/{number}")
                assert r.status_code == 200, f"acknowledged save {did}/v{number} is missing after the restart"
                assert r.json()["draft"] == draft, f"save {did}/v{number} differs from what was acknowledged"
