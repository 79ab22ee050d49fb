"""Several bureaus in one deployment: the bureaus file, and the Settings each bureau works with.

Without ``bureaus_file`` the deployment has one implicit bureau made from the plain settings
(same knowledge-base folder as ever). The web app keeps the bureaus in a table synced from this
file at every start; users, drafts and ingest jobs point at a row of it by id.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from assistant.settings import Settings

_KEY = re.compile(r"^[a-z0-9][a-z0-9_-]{0,31}$")
DEFAULT_KEY = "default"


class BureauError(ValueError):
    """A bureaus file that cannot be used, or a bureau key that is not configured."""


class Bureau(BaseModel):
    model_config = ConfigDict(extra="forbid")

    key: str = Field(description="Short ASCII slug naming the bureau (lower-case letters, digits, - and _)")
    name: str = Field(min_length=1, description="Full name, used in titles and signatures")
    short: str = Field("我局", min_length=1, description="How the bureau calls itself in letters")
    region: str = Field(min_length=1, description="The bureau's region")
    city_short: str = Field("我市", min_length=1, description="How letters call the city")
    issuer_aliases: list[str] = Field(default_factory=list, description="Other and former names of the bureau")
    own_bodies: list[str] = Field(default_factory=list, description="The city's own bodies whose names do not start with the city")
    kb_dir: Path | None = Field(None, description="Knowledge-base folder; default <kb_dir>/<key>")

    @field_validator("key")
    @classmethod
    def _slug(cls, value: str) -> str:
        if not _KEY.match(value):
            raise ValueError("key 只能由小写字母、数字、- 和 _ 组成（以字母或数字开头，最长 32 位），如 shili")
        return value

    @field_validator("name", "short", "region", "city_short")
    @classmethod
    def _strip(cls, value: str) -> str:
        return value.strip()


@dataclass(frozen=True)
class Bureaus:
    """The bureaus a deployment serves; ``configured`` is False for the implicit single bureau."""

    items: tuple[Bureau, ...]
    configured: bool

    def keys(self) -> list[str]:
        return [b.key for b in self.items]

    def listing(self) -> str:
        return "、".join(f"{b.key}（{b.name}）" for b in self.items)

    def get(self, key: str) -> Bureau | None:
        return next((b for b in self.items if b.key == key), None)

    def resolve(self, value: str) -> Bureau | None:
        """The bureau a value names: its key, or its full name (what older free-text rows stored)."""
        value = value.strip()
        return self.get(value) or next((b for b in self.items if b.name == value), None)

    def require(self, key: str) -> Bureau:
        bureau = self.resolve(key)
        if bureau is None:
            raise BureauError(f"未配置单位“{key}”；可选：{self.listing()}")
        return bureau


def _implicit(settings: Settings) -> Bureau:
    # Built without validation: the plain settings were accepted before there were bureaus files,
    # and must keep working whatever their tenant name looks like.
    return Bureau.model_construct(
        key=settings.tenant or DEFAULT_KEY, name=settings.bureau_name, short=settings.bureau_short,
        region=settings.region, city_short=settings.city_short, issuer_aliases=list(settings.issuer_aliases),
        own_bodies=list(settings.own_bodies),
        kb_dir=settings.kb_dir,
    )


def load_bureaus(settings: Settings) -> Bureaus:
    """The bureaus of this deployment; raises BureauError naming the file and what to fix."""
    path = settings.bureaus_file
    if path is None:
        return Bureaus((_implicit(settings),), configured=False)

    def fail(what: str) -> BureauError:
        return BureauError(f"单位配置文件 {path} 有误：{what}")

    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError as err:
        raise fail("文件不存在（检查 ASSISTANT_BUREAUS_FILE）") from err
    except (OSError, UnicodeDecodeError) as err:
        raise fail(f"无法读取（{err}）") from err
    except tomllib.TOMLDecodeError as err:
        raise fail(f"不是合法的 TOML（{err}）") from err
    unknown = sorted(set(data) - {"bureau"})
    if unknown:
        raise fail(f"未知的顶层项 {', '.join(unknown)}；每个单位写成一个 [[bureau]] 表")
    tables = data.get("bureau")
    if not isinstance(tables, list) or not tables:
        raise fail("至少需要一个 [[bureau]] 表（含 key、name、region）")
    items = []
    for i, table in enumerate(tables, 1):
        try:
            bureau = Bureau.model_validate(table)
        except ValidationError as err:
            label = table.get("key", "") if isinstance(table, dict) else ""
            problems = "；".join(f"{'.'.join(str(p) for p in e['loc']) or '表'}：{e['msg']}" for e in err.errors())
            raise fail(f"第 {i} 个 [[bureau]]{f'（key = {label}）' if label else ''} {problems}") from err
        if bureau.kb_dir is not None and not bureau.kb_dir.is_absolute():
            # Relative folders are read against the file that names them, not the current directory.
            bureau = bureau.model_copy(update={"kb_dir": path.parent / bureau.kb_dir})
        items.append(bureau)
    _check_unique(items, settings, fail)
    return Bureaus(tuple(items), configured=True)


def _check_unique(items: list[Bureau], settings: Settings, fail: Callable[[str], BureauError]) -> None:
    for label, values in (("key", [b.key for b in items]), ("name", [b.name for b in items]),
                          ("kb_dir", [str(_kb_dir(settings, b).resolve()) for b in items])):
        seen: set[str] = set()
        for value in values:
            if value in seen:
                # Two bureaus in one folder would share a knowledge base: exactly what the file must prevent.
                raise fail(f"{label} “{value}” 重复；每个单位的 {label} 必须不同")
            seen.add(value)


def _kb_dir(settings: Settings, bureau: Bureau) -> Path:
    return bureau.kb_dir if bureau.kb_dir is not None else settings.kb_dir / bureau.key


def settings_for(settings: Settings, key: str, bureaus: Bureaus | None = None) -> Settings:
    """A copy of ``settings`` for bureau ``key``: its profile, its kb_dir, and ``tenant=key``.

    ``tenant`` goes into the Chroma collection name, so bureaus sharing one Chroma server keep
    their own collections. The implicit single bureau gets the settings unchanged.
    """
    bureaus = bureaus or load_bureaus(settings)
    bureau = bureaus.require(key)
    if not bureaus.configured:
        return settings.model_copy()
    return settings.model_copy(update={
        "bureau_name": bureau.name, "bureau_short": bureau.short, "region": bureau.region,
        "city_short": bureau.city_short, "issuer_aliases": list(bureau.issuer_aliases),
        "own_bodies": list(bureau.own_bodies),
        "kb_dir": _kb_dir(settings, bureau), "tenant": bureau.key,
    })
