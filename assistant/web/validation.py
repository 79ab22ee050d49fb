"""Request validation errors (pydantic's, in English) told in Chinese: which field, what is wrong."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

# Field names of the forms and API bodies as the pages label them.
FIELD_NAMES = {
    "title": "标题", "number": "编号", "session": "会议届次", "proposer": "提出人", "proposer_type": "提出人类型",
    "kind": "类型", "date": "日期", "suggestions": "建议", "body": "提案正文", "text": "正文", "layout": "正文结构",
    "category": "答复类别", "disclosure": "公开属性", "reply_date": "答复日期", "contact_person": "联系人",
    "contact_phone": "联系电话", "co_handlers": "会办单位", "communication": "沟通方式",
    "communication_date": "沟通日期", "engine": "起草方式", "date_from": "起始日期", "date_to": "截止日期",
    "username": "用户名", "password": "密码", "role": "角色", "display_name": "姓名", "bureau": "单位",
    "old_password": "原密码", "new_password": "新密码", "source_id": "来源编号", "decision": "审核结论",
    "comment": "审核意见", "base_version": "版本号", "version": "版本号", "files": "文件", "file": "文件",
    "owner": "负责人", "editors": "协办人", "proposal": "提案", "options": "起草选项", "q": "检索词", "k": "条数",
    "draft_id": "草稿编号", "a": "版本", "b": "版本", "mine": "范围", "v": "版本",
}
_PROBLEMS = {
    "missing": "缺少此项", "string_type": "应为文字", "int_parsing": "应为整数", "int_type": "应为整数",
    "float_parsing": "应为数字", "bool_parsing": "应为 true 或 false", "bool_type": "应为 true 或 false",
    "list_type": "应为列表", "dict_type": "应为对象", "model_attributes_type": "应为对象",
    "json_invalid": "JSON 格式有误", "date_parsing": "日期格式应为 YYYY-MM-DD", "date_from_datetime_parsing": "日期格式应为 YYYY-MM-DD",
    "date_type": "日期格式应为 YYYY-MM-DD", "string_too_long": "太长", "string_too_short": "太短",
    "extra_forbidden": "不认识的字段",
}


def field_label(loc: Sequence[Any]) -> str:
    """``('body', 'options', 'layout')`` → ``起草选项.正文结构``; list positions stay numbers."""
    parts = [str(p) for p in loc if p not in ("body", "query", "path", "form", "header", "cookie")]
    return ".".join(FIELD_NAMES.get(p, p) for p in parts) or "请求内容"


def problem(error: dict[str, Any]) -> str:
    kind = str(error.get("type", ""))
    if kind == "literal_error":
        expected = (error.get("ctx") or {}).get("expected", "")
        return f"只能是 {expected}".replace("' or '", "、").replace("', '", "、").replace("'", "")
    return _PROBLEMS.get(kind, "取值有误")


def summary(errors: Sequence[dict[str, Any]]) -> str:
    items = "；".join(f"{field_label(e.get('loc', ()))}（{problem(e)}）" for e in errors[:8])
    more = f"等 {len(errors)} 处" if len(errors) > 8 else ""
    return f"提交的内容有误：{items}{more}。请修改后重试。"
