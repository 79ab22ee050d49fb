"""The web app: pages and a JSON API over drafting, review and the knowledge base."""
