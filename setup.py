"""The package list, computed so that it never drifts from the folders (everything else is in pyproject.toml).

Code packages are found on disk, as `packages.find` would. The top-level templates/ and prompts/ stay
where they are in the repository and ship inside the wheel as ``assistant/templates`` and
``assistant/prompts`` (package-dir mapping); ``assistant.resources.resource_dir`` finds them either way.
"""

from pathlib import Path

from setuptools import find_namespace_packages, setup

ROOT = Path(__file__).resolve().parent
RESOURCES = {"assistant.templates": "templates", "assistant.prompts": "prompts"}


def resource_packages() -> list[str]:
    found = []
    for package, folder in RESOURCES.items():
        found.append(package)
        found += [package + "." + ".".join(sub.relative_to(ROOT / folder).parts)
                  for sub in sorted((ROOT / folder).rglob("*")) if sub.is_dir() and sub.name != "__pycache__"]
    return found


CODE = [p for p in find_namespace_packages(where=str(ROOT), include=["assistant*", "vectorstore*", "eval*"])
        if "__pycache__" not in p]

setup(packages=CODE + resource_packages(), package_dir=RESOURCES)
