"""Accounts as the API shows them, and the logged-in session."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, Field

Role = Literal["drafter", "reviewer", "admin"]


class UserOut(BaseModel):
    id: int
    username: str
    display_name: str = Field(description="Name shown in the app; empty: the user name is shown")
    role: Role
    role_name: str = Field(description="The role in Chinese (起草人, 审核人, 管理员)")
    bureau: str = Field(description="Key of the bureau the account belongs to")
    bureau_name: str = Field(description="The bureau's full name")
    active: bool
    created_at: datetime


class MeOut(BaseModel):
    """The logged-in user and the CSRF token to send as ``X-CSRF-Token`` on every mutating call."""

    user: UserOut
    csrf_token: str
