"""Where the templates/ and prompts/ folders are, in a checkout and in an installed wheel.

In the repository they sit at the top level, beside the packages. A wheel ships them inside the
``assistant`` package (pyproject maps them there as ``assistant.templates`` and ``assistant.prompts``),
so an installed copy finds them with importlib.resources, wherever the current directory is.
"""

from __future__ import annotations

from importlib.resources import files
from pathlib import Path
from typing import Literal

Resource = Literal["templates", "prompts"]


def resource_dir(name: Resource) -> Path:
    """The folder holding ``name`` (``templates`` or ``prompts``); FileNotFoundError says where it looked."""
    package = Path(str(files("assistant")))
    tried = [package / name, package.parent / name]  # installed wheel, then checkout (editable or not)
    for path in tried:
        if path.is_dir():
            return path
    raise FileNotFoundError(f"{name}/ not found (looked in {', '.join(map(str, tried))}); reinstall the package")
