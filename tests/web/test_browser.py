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
        "--disable-component-update", "--no-first-run", "--disable-sync"]


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
    settings = Settings(kb_dir=tmp / "kb", var_dir=tmp / "var", embedding_model="hashing", secret_key="browser-test",
                        database_url="", llm_base_url="")
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
