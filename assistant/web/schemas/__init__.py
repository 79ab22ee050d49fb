"""What the JSON API answers: one module per resource, each a set of pydantic models (no logic).

The routes declare these as their response models, so ``/api/openapi.json`` describes what a client receives.
Request bodies are in :mod:`assistant.web.forms`, shared with the pages.
"""
