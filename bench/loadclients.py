"""Simulated drafters for the load benchmark: each logs in and loops parse → draft → open → save → search.

Each client is a thread with its own httpx client (its own cookie session and CSRF header), as twenty
people in twenty browsers would be. Every request is timed and recorded with its start time, so the
report can cut the run into phases (warm-up, before the ingest, during it, after it).
"""

from __future__ import annotations

import contextlib
import random
import threading
import time
from dataclasses import dataclass, field
from typing import Any

import httpx

OPS = ("login", "parse", "draft", "open", "save", "search")
MAX_MESSAGES = 5


@dataclass
class Sample:
    op: str
    start: float  # time.monotonic() at the request's start
    seconds: float
    ok: bool


@dataclass
class Recorder:
    samples: list[Sample] = field(default_factory=list)
    messages: dict[str, list[str]] = field(default_factory=dict)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def add(self, op: str, start: float, seconds: float, error: str | None) -> None:
        with self.lock:
            self.samples.append(Sample(op, start, seconds, error is None))
            if error is not None and len(self.messages.setdefault(op, [])) < MAX_MESSAGES:
                self.messages[op].append(error)


class ClientError(Exception):
    """One request failed; already recorded, the loop starts its next round."""


@dataclass
class Drafter:
    base_url: str
    username: str
    password: str
    proposals: list[str]
    queries: list[str]
    rec: Recorder
    stop: threading.Event
    think_s: float = 0.0
    seed: int = 0
    rounds: int = 0
    saved: list[tuple[int, int, str]] = field(default_factory=list)  # (draft id, version, text) acknowledged

    def __post_init__(self) -> None:
        self.rng = random.Random(self.seed)
        self.http = httpx.Client(base_url=self.base_url, timeout=httpx.Timeout(120.0, connect=10.0))

    def call(self, op: str, method: str, url: str, expect: int, **kwargs: Any) -> Any:
        start = time.monotonic()
        try:
            r = self.http.request(method, url, **kwargs)
        except httpx.HTTPError as err:
            self.rec.add(op, start, time.monotonic() - start, f"{type(err).__name__}: {err}"[:300])
            raise ClientError from err
        seconds = time.monotonic() - start
        if r.status_code != expect:
            self.rec.add(op, start, seconds, f"HTTP {r.status_code}: {r.text[:300]}")
            raise ClientError
        self.rec.add(op, start, seconds, None)
        return r.json()

    def login(self) -> None:
        body = self.call("login", "POST", "/api/auth/login", 200,
                         json={"username": self.username, "password": self.password})
        self.http.headers["X-CSRF-Token"] = body["csrf_token"]

    def think(self) -> None:
        if self.think_s > 0:
            self.stop.wait(self.think_s * self.rng.uniform(0.5, 1.5))

    def round(self) -> None:
        proposal = self.call("parse", "POST", "/api/proposals/parse", 200,
                             json={"text": self.rng.choice(self.proposals)})
        self.think()
        made = self.call("draft", "POST", "/api/drafts", 201,
                         json={"proposal": proposal, "options": {"reply_date": "2025-06-30"}})
        got = self.call("open", "GET", f"/api/drafts/{made['id']}", 200)
        self.think()
        text = edited_text(got["text"], f"{self.username}第{self.rounds + 1}轮修改")
        saved = self.call("save", "POST", f"/api/drafts/{made['id']}/versions", 201,
                          json={"text": text, "base_version": got["current_version"]})
        self.saved.append((int(made["id"]), int(saved["number"]), text))
        self.think()
        self.call("search", "GET", "/api/kb/search", 200, params={"q": self.rng.choice(self.queries), "k": 10})
        self.rounds += 1

    def run(self) -> None:
        try:
            while not self.stop.is_set():
                try:
                    if "X-CSRF-Token" not in self.http.headers:
                        self.login()
                    self.round()
                except ClientError:
                    self.stop.wait(0.5)  # do not spin on a failing server
                except Exception as err:  # a malformed answer: record it rather than lose the thread
                    self.rec.add("client", time.monotonic(), 0.0, f"{type(err).__name__}: {err}"[:300])
                    self.stop.wait(0.5)
        finally:
            self.http.close()


def edited_text(text: str, mark: str) -> str:
    """The letter with one sentence added after the thanks line, as a drafter's small edit."""
    lines = text.splitlines()
    for i, line in enumerate(lines):
        if line.startswith("感谢"):
            lines[i] = f"{line}（{mark}）"
            return "\n".join(lines)
    return f"{text}\n（{mark}）"


def searcher(base_url: str, username: str, password: str, queries: list[str], rec: Recorder,
             stop: threading.Event, interval_s: float = 0.5, op: str = "probe") -> None:
    """Search-only probe at a steady rate: its latency is the clean before/during-ingest comparison."""
    d = Drafter(base_url, username, password, [], queries, rec, stop, seed=99)
    try:
        d.login()
        i = 0
        while not stop.is_set():
            with contextlib.suppress(ClientError):  # recorded by call(); the probe keeps its pace
                d.call(op, "GET", "/api/kb/search", 200, params={"q": queries[i % len(queries)], "k": 10})
            i += 1
            stop.wait(interval_s)
    except ClientError:
        pass
    finally:
        d.http.close()
