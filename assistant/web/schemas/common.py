"""Shapes shared by every part of the API: the error body and the plain acknowledgement."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, Field


class OkOut(BaseModel):
    """The action was done; nothing else to report."""

    ok: bool = True


class ErrorOut(BaseModel):
    """Every error answer: one sentence in Chinese saying what went wrong and what to do."""

    detail: str = Field(description="What went wrong and what to do, in Chinese", examples=["请先登录。"])


class FieldError(BaseModel):
    loc: list[str | int] = Field(description="Where the value is, e.g. [\"body\", \"proposal\", \"title\"]")
    msg: str = Field(description="pydantic's message (English)")
    type: str = Field(description="pydantic's error type, e.g. missing, int_parsing")


class ValidationErrorOut(ErrorOut):
    """A request the API could not accept: the Chinese sentence, and for malformed input each field's problem."""

    errors: list[FieldError] = Field(default_factory=list,
                                     description="Per-field problems when the request itself was malformed; "
                                                 "absent when a rule of the app refused the values")


_ERRORS: dict[int, tuple[type[BaseModel], str]] = {
    400: (ErrorOut, "请求无法处理（如原密码不正确）"),
    401: (ErrorOut, "未登录，或登录已失效"),
    403: (ErrorOut, "权限不足，或 CSRF 校验失败"),
    404: (ErrorOut, "没有这个对象（或它属于另一单位）"),
    409: (ErrorOut, "与当前状态冲突（如草稿已被他人更新）"),
    413: (ErrorOut, "提交的内容太大"),
    415: (ErrorOut, "不支持的文件类型或内容格式"),
    422: (ValidationErrorOut, "提交的内容有误"),
    429: (ErrorOut, "登录失败次数过多，暂时锁定（见 Retry-After）"),
    503: (ErrorOut, "知识库检索服务暂时不可用（见 Retry-After）"),
}


def error_responses(*codes: int) -> dict[int | str, dict[str, Any]]:
    """``responses=`` entries documenting these error statuses with their body model."""
    return {code: {"model": _ERRORS[code][0], "description": _ERRORS[code][1]} for code in codes}
