"""End to end in headless Chromium: the app under uvicorn over the sample knowledge base.

Screenshots of every page go to artifacts/screenshots/ (git-ignored) for a person to look at.
"""

from __future__ import annotations

import re
import shutil
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.web.conftest import PROPOSAL, ROOT, SAMPLE_KB

pytestmark = pytest.mark.browser
CHROMIUM = Path("/usr/bin/chromium")
SHOTS = ROOT / "artifacts" / "screenshots"
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--disable-background-networking",
        "--disable-component-update", "--no-first-run", "--disable-sync", "--lang=zh-CN"]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, str]]:
    if not CHROMIUM.exists():
        pytest.skip("/usr/bin/chromium is not installed (make system-deps installs it)")
    pytest.importorskip("playwright.sync_api", reason="playwright (python) is not installed")
    import uvicorn

    from assistant.services import open_kb
    from assistant.settings import Settings
    from assistant.web.app import create_app

    tmp = tmp_path_factory.mktemp("browser")
    # A 2 MB upload limit, so that a paste beyond it is quick to make.
    settings = Settings(kb_dir=tmp / "kb", var_dir=tmp / "var", embedding_model="hashing", secret_key="browser-test",
                        database_url="", llm_base_url="", max_upload_bytes=2 * 1024 * 1024)
    report = open_kb(settings).ingest([SAMPLE_KB], manifest=SAMPLE_KB / "MANIFEST.tsv")
    assert not report.failed, report.failed
    port = _free_port()
    config = uvicorn.Config(create_app(settings), host="127.0.0.1", port=port, log_level="warning")
    uv = uvicorn.Server(config)
    thread = threading.Thread(target=uv.run, daemon=True)
    thread.start()
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 120
        while not uv.started:
            if not thread.is_alive() or time.monotonic() > deadline:
                pytest.fail("the app did not start")
            time.sleep(0.1)
        text = (tmp / "var" / "initial_admin_password.txt").read_text(encoding="utf-8")
        password = re.search(r"密码: (\S+)", text)
        assert password
        yield base, password.group(1)
    finally:
        uv.should_exit = True
        thread.join(timeout=10)


def test_whole_flow(server: tuple[str, str], tmp_path: Path) -> None:
    from playwright.sync_api import expect, sync_playwright

    base, password = server
    if SHOTS.exists():
        shutil.rmtree(SHOTS)
    SHOTS.mkdir(parents=True)
    errors: list[str] = []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        page = browser.new_page(viewport={"width": 1280, "height": 800}, locale="zh-CN", accept_downloads=True)
        page.on("pageerror", lambda e: errors.append(str(e)))
        page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)

        def shot(name: str, full: bool = False) -> None:
            page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=full)

        # Log in.
        page.goto(f"{base}/drafts")
        expect(page).to_have_url(re.compile(r"/login\?next="))
        shot("01-login")
        page.fill("#username", "admin")
        page.fill("#password", password)
        page.click("button[type=submit]")
        expect(page).to_have_url(re.compile(r"/drafts$"))
        shot("02-drafts-empty")

        # Paste a proposal, parse it, check the fields, generate.
        page.click("text=新建答复")
        page.fill("#text", PROPOSAL.read_text(encoding="utf-8"))
        page.click("text=解析")
        expect(page.locator("#title")).to_have_value(re.compile("中试平台"))
        expect(page.locator("#number")).to_have_value("88")
        assert page.locator("#suggestions").input_value().count("\n") >= 3
        page.fill("#contact_person", "王某某")
        page.fill("#contact_phone", "0000-12345678")
        page.fill("#co_handlers", "市财政局、市工业和信息化局")
        shot("03-new-parsed", full=True)
        page.click("text=生成答复函")
        page.wait_for_url(re.compile(r"/drafts/\d+$"))
        expect(page.locator(".paper .letter .title")).to_contain_text("第88号")
        shot("04-draft")

        # A citation opens its passage, highlighted, in the side panel.
        first = page.locator(".paper .letter-body a.cite").first
        source_id = first.get_attribute("data-source")
        first.click()
        mark = page.locator("#source-body mark")
        expect(mark).to_be_visible()
        assert len(mark.inner_text()) > 5
        expect(page.locator("#source-body")).to_contain_text("打开全文")
        shot("05-citation")

        # A flagged sentence shows why it was flagged.
        flagged = page.locator(".paper .letter-body .flagged")
        if flagged.count():
            flagged.first.click()
            expect(page.locator("#source-body .flag-reason")).to_be_visible()
            shot("05b-flagged")
            first.click()

        # Review that citation: accept it.
        page.locator("#source-body input[value=accepted]").check()
        page.locator("#source-body textarea[name=comment]").fill("与原文一致")
        page.locator("#source-body button[type=submit]").click()
        page.wait_for_url(re.compile(rf"src={source_id}"))
        expect(page.locator("#source-body .decision")).to_contain_text("采纳")
        expect(page.locator("#trail")).to_contain_text("采纳引用")
        shot("06-reviewed")

        # The whole document, scrolled to the passage.
        with page.expect_navigation():
            page.locator("#source-body a", has_text="打开全文").click()
        expect(page.locator("#passage")).to_be_visible()
        shot("07-document")
        page.go_back()

        # Edit the text and save a new version, then compare.
        area = page.locator("#letter-text")
        text = area.input_value()
        closing = next(line for line in text.splitlines() if line.startswith("感谢"))
        area.fill(text.replace(closing, closing + "我局将认真研究您的意见。"))
        page.click("text=保存为新版本")
        expect(page.locator(".statline")).to_contain_text("第 2 版")
        expect(page.locator(".paper")).to_contain_text("认真研究您的意见")
        shot("08-edited")
        page.click("#versions button:has-text('比较')")
        expect(page.locator(".diff ins").first).to_be_visible()
        shot("09-diff")
        page.go_back()

        # Export the letter as Word.
        with page.expect_download() as info:
            page.click("#export-docx")
        download = info.value
        assert download.suggested_filename.endswith(".docx")
        saved = tmp_path / download.suggested_filename
        download.save_as(saved)
        assert saved.read_bytes()[:2] == b"PK"

        # Upload a document to the knowledge base and see it listed.
        doc = tmp_path / "upload_note.txt"
        doc.write_text("示例市中试平台服务清单发布\n2025年5月，示例市科学技术局发布中试平台服务清单，涵盖18家平台的服务内容和收费标准。\n"
                       "示例市科学技术局\n2025年5月20日\n", encoding="utf-8")
        page.goto(f"{base}/kb")
        shot("10-kb")
        page.set_input_files("#files", str(doc))
        page.select_option("#up-kind", "news")
        page.fill("#up-title", "中试平台服务清单发布（上传测试）")
        page.fill("#up-issuer", "示例市科学技术局")
        page.click("text=上传并入库")
        page.wait_for_url(re.compile(r"/kb/jobs/\d+"))
        expect(page.locator("#job")).to_have_attribute("data-finished", "1", timeout=60_000)
        expect(page.locator("#job-files")).to_contain_text("新增")
        shot("11-ingest-job")
        page.goto(f"{base}/kb")
        expect(page.locator("#doc-table")).to_contain_text("中试平台服务清单发布（上传测试）")
        page.goto(f"{base}/kb?q=中试平台服务清单&mode=search")
        shot("12-kb-search")

        page.goto(f"{base}/drafts")
        expect(page.locator("table.list")).to_contain_text("中试平台")
        shot("13-drafts-list")
        page.goto(f"{base}/reviews")
        shot("14-reviews")
        page.goto(f"{base}/users")
        shot("15-users")
        browser.close()
    assert not errors, errors


# --- page-level checks: logout, CSP, review without a jump, readable markers, kept paste --------------------

CSP_PROBE = ("window.__csp = []; document.addEventListener('securitypolicyviolation', "
             "function (e) { window.__csp.push(e.violatedDirective + ' ' + e.blockedURI); });")


def _draft_via_api(base: str, password: str) -> int:
    import httpx

    with httpx.Client(base_url=base, timeout=120) as http:
        r = http.post("/api/auth/login", json={"username": "admin", "password": password})
        http.headers["X-CSRF-Token"] = r.json()["csrf_token"]
        proposal = http.post("/api/proposals/parse", json={"text": PROPOSAL.read_text(encoding="utf-8")}).json()
        made = http.post("/api/drafts", json={"proposal": proposal, "options": {"reply_date": "2025-06-20"}})
        assert made.status_code == 201, made.text
        return int(made.json()["id"])


def _open(p, base: str, password: str):  # type: ignore[no-untyped-def]
    """A fresh browser, logged in as admin; returns (browser, page, errors)."""
    browser = p.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
    page = browser.new_page(viewport={"width": 1280, "height": 800}, locale="zh-CN")
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.add_init_script(CSP_PROBE)
    page.goto(f"{base}/login")
    page.fill("#username", "admin")
    page.fill("#password", password)
    page.click("button[type=submit]")
    page.wait_for_url(re.compile(r"/drafts$"))
    return browser, page, errors


def _contrast(fg: str, bg: str) -> float:
    def channels(css: str) -> tuple[float, ...]:
        values = [float(v) for v in re.findall(r"[\d.]+", css)]
        if len(values) == 4 and values[3] == 0:
            return (1.0, 1.0, 1.0)  # transparent over the white paper
        return tuple(v / 255 for v in values[:3])

    def luminance(rgb: tuple[float, ...]) -> float:
        lin = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in rgb]
        return 0.2126 * lin[0] + 0.7152 * lin[1] + 0.0722 * lin[2]

    a, b = sorted((luminance(channels(fg)), luminance(channels(bg))), reverse=True)
    return (a + 0.05) / (b + 0.05)


def test_back_after_logout_shows_no_draft(server: tuple[str, str]) -> None:
    from playwright.sync_api import expect, sync_playwright

    base, password = server
    did = _draft_via_api(base, password)
    with sync_playwright() as p:
        browser, page, errors = _open(p, base, password)
        page.goto(f"{base}/drafts/{did}")
        title = page.locator(".paper .letter .title").inner_text()
        assert "第88号" in title
        page.click(".topbar .who button:has-text('退出')")
        page.wait_for_url(re.compile(r"/login\?bye=1$"))
        expect(page.locator(".alert.ok")).to_contain_text("您已退出登录")
        page.go_back()
        page.wait_for_load_state()
        assert "/login" in page.url, page.url
        assert page.locator(".paper").count() == 0 and title not in page.content()
        page.go_forward()
        assert page.locator(".paper").count() == 0
        browser.close()
    assert not errors, errors


def test_pages_cause_no_csp_violation(server: tuple[str, str]) -> None:
    from playwright.sync_api import sync_playwright

    base, password = server
    did = _draft_via_api(base, password)
    with sync_playwright() as p:
        browser, page, errors = _open(p, base, password)
        page.goto(f"{base}/api/kb/documents")
        doc_id = re.search(r'"doc_id":\s*"([^"]+)"', page.content())
        assert doc_id
        paths = ["/drafts", "/drafts/new", f"/drafts/{did}", f"/drafts/{did}?src=1", f"/drafts/{did}/diff", "/reviews",
                 "/kb", "/kb?q=中试平台&mode=search", f"/kb/docs/{doc_id.group(1)}?start=0&end=20", "/users", "/account",
                 "/no-such-page"]
        for path in paths:
            page.goto(base + path)
            page.wait_for_load_state("load")
            violations = page.evaluate("window.__csp")
            assert violations == [], (path, violations)
        page.goto(f"{base}/drafts/{did}")
        page.locator(".paper .letter-body a.cite").first.click()  # the panel script runs under the policy
        assert page.evaluate("window.__csp") == []
        browser.close()
    # The deliberate 404 page (and the favicon the JSON view asks for) are the only failed loads allowed.
    assert not [e for e in errors if "status of 404" not in e], errors


def test_review_keeps_the_place_and_markers_stay_readable(server: tuple[str, str]) -> None:
    from playwright.sync_api import expect, sync_playwright

    base, password = server
    did = _draft_via_api(base, password)
    with sync_playwright() as p:
        browser, page, errors = _open(p, base, password)
        page.goto(f"{base}/drafts/{did}")
        markers = page.locator(".paper .letter-body a.cite")
        assert markers.count() >= 2
        target = markers.nth(markers.count() - 1)
        sid = target.get_attribute("data-source")
        target.scroll_into_view_if_needed()
        page.mouse.wheel(0, 150)
        page.wait_for_timeout(200)
        before = page.evaluate("window.scrollY")
        target.click()
        page.locator("#source-body input[value=accepted]").check()
        page.locator("#source-body button[type=submit]").click()
        page.wait_for_url(re.compile(rf"/drafts/{did}\?src={sid}$"))
        page.wait_for_load_state("load")
        expect(page.locator("#source-body .decision")).to_contain_text("采纳")
        after = page.evaluate("window.scrollY")
        assert abs(after - before) <= 60, (before, after)
        box = page.locator(f'.paper .letter-body a.cite[data-source="{sid}"]').first.bounding_box()
        assert box and 0 <= box["y"] <= 800, box

        def colours(locator) -> tuple[str, str]:  # type: ignore[no-untyped-def]
            return tuple(locator.evaluate("e => [getComputedStyle(e).color, getComputedStyle(e).backgroundColor]"))

        # Reject another citation (with a comment), then check every marker in every state it can be in.
        other = next(m for m in markers.all() if m.get_attribute("data-source") != sid)
        other_id = other.get_attribute("data-source")
        other.click()
        page.locator("#source-body input[value=rejected]").check()
        page.locator("#source-body textarea[name=comment]").fill("与原文不符")
        page.locator("#source-body button[type=submit]").click()
        page.wait_for_url(re.compile(rf"\?src={other_id}$"))
        page.wait_for_load_state("load")
        page.mouse.move(0, 0)
        for marker in page.locator(".paper .letter-body a.cite").all():
            fg, bg = colours(marker)
            assert _contrast(fg, bg) >= 4.5, ("idle", marker.get_attribute("class"), fg, bg)
        for state_id in (sid, other_id, None):
            marker = page.locator(f'.paper .letter-body a.cite[data-source="{state_id}"]').first if state_id else next(
                m for m in page.locator(".paper .letter-body a.cite").all()
                if m.get_attribute("data-source") not in (sid, other_id))
            marker.click()
            page.mouse.move(0, 0)
            assert "active" in (marker.get_attribute("class") or "")
            fg, bg = colours(marker)
            assert _contrast(fg, bg) >= 4.5, ("active", marker.get_attribute("class"), fg, bg)
        page.screenshot(path=str(SHOTS / "16-reviewed-markers.png")) if SHOTS.exists() else None
        browser.close()
    assert not errors, errors


def test_a_paste_beyond_the_limit_is_explained_and_kept(server: tuple[str, str]) -> None:
    from playwright.sync_api import expect, sync_playwright

    base, password = server
    with sync_playwright() as p:
        browser, page, errors = _open(p, base, password)
        page.goto(f"{base}/drafts/new")
        pasted = PROPOSAL.read_text(encoding="utf-8") + "附件：" + "科技成果转化" * 150_000 + "（结束）"
        page.fill("#text", pasted)
        page.click("text=解析")
        page.wait_for_load_state("load")
        expect(page.locator(".alert.error")).to_contain_text("提交的内容太大")
        expect(page.locator(".topbar")).to_be_visible()
        page.click("a.button:has-text('返回')")
        page.wait_for_url(re.compile(r"/drafts/new$"))
        expect(page.locator("#restored")).to_be_visible()
        assert page.locator("#text").input_value() == pasted
        browser.close()
    # The 413 itself is logged by the browser as a failed resource; nothing else may go wrong.
    assert not [e for e in errors if "413" not in e], errors
