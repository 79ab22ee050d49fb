"""Errors a service raises for the user to read; routers turn them into HTTP responses."""

from __future__ import annotations


class ServiceError(Exception):
    """A request the service refuses; ``status`` is the HTTP status, ``str(err)`` the Chinese message."""

    def __init__(self, message: str, status: int = 400) -> None:
        super().__init__(message)
        self.status = status


class NotFound(ServiceError):
    def __init__(self, message: str = "没有找到该内容。") -> None:
        super().__init__(message, 404)
