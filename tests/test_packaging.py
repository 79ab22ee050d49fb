"""`pip install .` gives a working assistant: packages, templates and prompts are all in the wheel.

The install test builds the wheel from a copy of the sources, installs it (without dependencies) into
a fresh virtual environment that borrows the dependencies already installed here (a .pth file, so
nothing is downloaded), and then ingests the sample knowledge base and drafts a sample proposal from a
directory outside the repository. It runs in the quick suite (so in CI's `make test`): about half a
minute, most of it the two CLI runs that any user would make.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import sysconfig
import zipfile
from pathlib import Path

import pytest

from assistant.resources import resource_dir
from conftest import ROOT, SAMPLE_KB

# What the wheel is built from (and what the Docker image copies).
SOURCES = ["pyproject.toml", "setup.py", "README.md", "assistant", "vectorstore", "eval", "templates", "prompts"]
# Where each source folder's files are in the wheel.
IN_WHEEL = {"assistant": "assistant", "vectorstore": "vectorstore", "eval": "eval",
            "templates": "assistant/templates", "prompts": "assistant/prompts"}
# Files that are documentation of a folder, not something the code reads.
NOT_SHIPPED = {"eval/README.md"}


def _wheel_misses(wheel: Path) -> list[str]:
    names = set(zipfile.ZipFile(wheel).namelist())
    missing = []
    for folder, target in IN_WHEEL.items():
        for path in (ROOT / folder).rglob("*"):
            rel = path.relative_to(ROOT / folder).as_posix()
            if (path.is_file() and "__pycache__" not in path.parts and f"{folder}/{rel}" not in NOT_SHIPPED
                    and f"{target}/{rel}" not in names):
                missing.append(f"{folder}/{rel}")
    return missing


def test_a_checkout_finds_the_top_level_folders() -> None:
    assert resource_dir("templates") == ROOT / "templates"
    assert resource_dir("prompts") == ROOT / "prompts"


def test_the_image_installs_the_wheel_from_what_it_copies() -> None:
    dockerfile = (ROOT / "deploy" / "Dockerfile").read_text(encoding="utf-8")
    copied = {part.rstrip("/").removeprefix("/src/") for line in dockerfile.splitlines() if line.startswith("COPY ")
              for part in line.split()[1:-1]}
    assert set(SOURCES) <= copied, f"the image lacks {set(SOURCES) - copied}"
    install = [line for line in dockerfile.splitlines() if "pip install" in line and "torch" not in line]
    assert install and not any(" -e " in line or "--editable" in line for line in install)


def _site_dirs() -> list[str]:
    """The folders the running interpreter imports third-party packages from."""
    dirs = {sysconfig.get_paths()["purelib"], sysconfig.get_paths()["platlib"]}
    dirs |= {p for p in sys.path if p.endswith("site-packages")}
    return sorted(d for d in dirs if Path(d).is_dir())


def _run(cmd: list[str], cwd: Path, env: dict[str, str], timeout: float = 240) -> subprocess.CompletedProcess[str]:
    done = subprocess.run(cmd, cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout)
    assert done.returncode == 0, f"{' '.join(cmd)} failed ({done.returncode}):\n{done.stdout[-3000:]}\n{done.stderr[-3000:]}"
    return done


def test_the_wheel_installs_and_drafts_outside_the_repository(tmp_path: Path) -> None:
    pytest.importorskip("setuptools.build_meta", reason="building the wheel needs setuptools")
    src = tmp_path / "src"
    src.mkdir()
    for name in SOURCES:
        path = ROOT / name
        if path.is_dir():
            shutil.copytree(path, src / name, ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
        else:
            shutil.copy2(path, src / name)
    env = {k: v for k, v in os.environ.items() if not k.startswith(("ASSISTANT_", "PYTHON"))}
    env |= {"PIP_NO_INDEX": "1", "PIP_DISABLE_PIP_VERSION_CHECK": "1"}
    _run([sys.executable, "-m", "pip", "wheel", str(src), "--no-deps", "--no-build-isolation", "-w",
          str(tmp_path / "dist"), "-q"], tmp_path, env)
    wheel = next((tmp_path / "dist").glob("*.whl"))
    missing = _wheel_misses(wheel)
    assert not missing, f"not in the wheel (add a pattern to [tool.setuptools.package-data]): {missing}"

    venv = tmp_path / "venv"
    _run([sys.executable, "-m", "venv", "--without-pip", str(venv)], tmp_path, env)
    python = venv / "bin" / "python"
    site = Path(_run([str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
                     tmp_path, env).stdout.strip())
    (site / "borrowed_dependencies.pth").write_text("\n".join(_site_dirs()) + "\n", encoding="utf-8")
    _run([sys.executable, "-m", "pip", "--python", str(python), "install", "--no-deps", str(wheel), "-q"],
         tmp_path, env)

    work = tmp_path / "work"  # a user's folder, far from the repository
    shutil.copytree(SAMPLE_KB, work / "sample_kb")
    env |= {"ASSISTANT_EMBEDDING_MODEL": "hashing", "ASSISTANT_KB_DIR": str(work / "kb"),
            "ASSISTANT_VAR_DIR": str(work / "var")}
    where = _run([str(python), "-c", "import assistant, assistant.resources as r; print(assistant.__file__); "
                  "print(r.resource_dir('templates')); print(r.resource_dir('prompts'))"], work, env).stdout.split()
    assert all(Path(p).is_relative_to(site) for p in where), f"not the installed copy: {where}"

    assistant = str(venv / "bin" / "assistant")
    _run([assistant, "ingest", "sample_kb"], work, env)
    proposal = "sample_kb/proposals/proposal_2025_ta088.txt"
    _run([assistant, "draft", proposal, "--reply-date", "2025-06-20", "--json", "draft.json", "--docx", "draft.docx",
          "--html", "draft.html"], work, env)
    draft = json.loads((work / "draft.json").read_text(encoding="utf-8"))
    assert draft["letter"]["title"].startswith("示例市科学技术局") and draft["sources"]
    assert draft["checks"]["citations_valid"] == 1.0
    assert (work / "draft.docx").stat().st_size > 0 and "<html" in (work / "draft.html").read_text(encoding="utf-8")

    # The web app's pages and migrations come from the wheel too.
    page = _run([str(python), "-c", (
        "from fastapi.testclient import TestClient\n"
        "from assistant.settings import Settings\n"
        "from assistant.web.app import create_app\n"
        "with TestClient(create_app(Settings())) as c:\n"
        "    r = c.get('/login')\n"
        "    print(r.status_code, 'csrf_token' in r.text, c.get('/static/app.css').status_code)\n")], work, env)
    assert page.stdout.split()[-3:] == ["200", "True", "200"], page.stdout
