"""The README documents every setting and keeps its two-command quick start."""

from __future__ import annotations

import re

from assistant.settings import Settings
from conftest import ROOT

README = (ROOT / "README.md").read_text(encoding="utf-8")


def test_every_setting_is_documented() -> None:
    missing = [name for name in Settings.model_fields if f"`ASSISTANT_{name.upper()}`" not in README]
    assert not missing, f"README lacks settings: {missing} (python -m assistant.settings_doc prints the table)"


def test_quick_start_has_exactly_two_commands() -> None:
    block = README.split("## Quick start", 1)[1].split("```bash", 1)[1].split("```", 1)[0]
    commands = [line.split("#")[0].strip() for line in block.strip().splitlines()]
    assert commands == ["make run", "make test"]
    ci = (ROOT / ".ci" / "run").read_text()
    assert re.search(r"^make test$", ci, flags=re.M)
