"""One module per resource; each exposes ``routers``: its pages and its /api/ routes."""
