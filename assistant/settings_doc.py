"""Print the settings as a Markdown table (used to keep the README's settings section complete)."""

from __future__ import annotations

from assistant.settings import Settings


def settings_table() -> str:
    rows = ["| Environment variable | Default | Meaning |", "| --- | --- | --- |"]
    for name, field in Settings.model_fields.items():
        default = field.get_default(call_default_factory=True)
        shown = "" if default in ("", None, []) else str(default)
        rows.append(f"| `ASSISTANT_{name.upper()}` | {shown and f'`{shown}`'} | {field.description} |")
    return "\n".join(rows)


if __name__ == "__main__":
    print(settings_table())
