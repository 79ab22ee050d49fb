"""Drafting engines: each turns a proposal and its evidence into the letter's body (a typed :class:`Body`).

- :mod:`assistant.engines.compose` — the offline default: sentences of the bureau's own sources, chosen by
  the letter-worthiness rules and written in a reply's shapes with safe edits;
- :mod:`assistant.engines.llm` — any OpenAI-compatible model, held to the same citations and rules.
"""

from assistant.engines.base import Body, Engine, EngineInput

__all__ = ["Body", "Engine", "EngineInput"]
