"""`assistant serve` starts the app with uvicorn and, on a fresh database, announces the first admin."""

from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx

from tests.web.conftest import ROOT


def test_serve_starts_and_prints_first_admin(tmp_path: Path) -> None:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    env = {**os.environ, "ASSISTANT_KB_DIR": str(tmp_path / "kb"), "ASSISTANT_VAR_DIR": str(tmp_path / "var"),
           "ASSISTANT_EMBEDDING_MODEL": "hashing", "ASSISTANT_DATABASE_URL": "", "ASSISTANT_SECRET_KEY": ""}
    proc = subprocess.Popen([sys.executable, "-c", "from assistant.cli import main; main()", "serve", "--port", str(port)],
                            cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        deadline = time.monotonic() + 90
        while True:
            try:
                r = httpx.get(f"http://127.0.0.1:{port}/login", timeout=2)
                if r.status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            assert proc.poll() is None and time.monotonic() < deadline, "server did not start"
            time.sleep(0.3)
        saved = (tmp_path / "var" / "initial_admin_password.txt").read_text(encoding="utf-8")
        password = re.search(r"密码: (\S+)", saved)
        assert password
        r = httpx.post(f"http://127.0.0.1:{port}/api/auth/login", json={"username": "admin", "password": password.group(1)})
        assert r.status_code == 200
        assert (tmp_path / "var" / "secret_key").stat().st_mode & 0o777 == 0o600
    finally:
        proc.terminate()
        out, _ = proc.communicate(timeout=15)
    assert f"密码 {password.group(1)}" in out
