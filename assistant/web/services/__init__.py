"""Service functions shared by the pages and the JSON API."""
