"""What a document says of itself: its kind (summary, plan), and whether it is in force (status, valid_until)."""

from __future__ import annotations

from pathlib import Path

import pytest

from vectorstore.metadata import ManifestError, infer_meta, infer_validity, load_manifest, refine_news_kind
from vectorstore.types import DocMeta


@pytest.mark.parametrize(("title", "kind"), [
    ("示例市科学技术局2024年工作总结和2025年工作要点", "summary"),
    ("示例市科学技术局2025年工作要点", "plan"),
    ("局长在2025年全市科技工作会议上的讲话", "plan"),
    ("示例市2023年重点工作落实情况", "plan"),
    ("示例市召开科技成果转化推进会", "news"),
])
def test_summaries_and_plans_are_told_by_their_title(title: str, kind: str) -> None:
    assert refine_news_kind(title) == kind


def test_a_summary_that_reads_like_a_policy_is_a_summary() -> None:
    text = "示例市科学技术局2024年工作总结和2025年工作计划\n现印发如下。示科〔2025〕1号\n一、2024年工作总结\n全年新增平台4家。"
    assert infer_meta(text).kind == "summary"
    # A manifest that says policy is believed.
    assert infer_meta(text, DocMeta(kind="policy"), explicit_kind=True).kind == "policy"


@pytest.mark.parametrize(("text", "title", "date", "expected"), [
    ("基本信息\n失效日期： 2022年02月22日\n发布机关：示例市科学技术局\n正文", "科技成果登记实施办法", "2020-04-30", ("repealed", "2022-02-22")),
    ("本办法（已废止）\n正文", "某办法", "2019-01-01", ("repealed", "")),
    ("正文……", "关于推动高新技术企业高质量发展的若干措施（征求意见稿）", "2025-05-20", ("draft", "")),
    ("第一条 平台认定有效期为3年。\n第二十条 本办法自2023年3月1日起施行，有效期5年。", "资金管理办法", "2023-02-20", ("", "2028-03-01")),
    ("本方案自印发之日起施行，有效期至2025年12月31日。", "特派员实施方案", "2021-04-26", ("", "2025-12-31")),
    ("正文", "示例市建设科技创新强市三年行动计划（2019—2021年）", "2019-09-29", ("", "2021-12-31")),
    ("正文", "示例市中试平台建设管理办法", "2022-04-18", ("", "")),
])
def test_validity_read_from_the_document(text: str, title: str, date: str, expected: tuple[str, str]) -> None:
    assert infer_validity(text, DocMeta(title=title, date=date)) == expected


def test_manifest_status_column(tmp_path: Path) -> None:
    manifest = tmp_path / "MANIFEST.tsv"
    manifest.write_text("file\tkind\tstatus\na.txt\tpolicy\t失效\nb.txt\tpolicy\tdraft\nc.txt\t\t\n", encoding="utf-8")
    entries = load_manifest(manifest)
    assert entries["a.txt"][0].status == "repealed" and entries["b.txt"][0].status == "draft"
    assert entries["c.txt"][0].status == ""
    manifest.write_text("file\tstatus\na.txt\t作废了\n", encoding="utf-8")
    with pytest.raises(ManifestError, match="unknown status"):
        load_manifest(manifest)


def test_a_status_from_the_manifest_is_kept_over_the_text() -> None:
    meta = infer_meta("本办法（已废止）\n正文", DocMeta(kind="policy", status="in_force"), explicit_kind=True)
    assert meta.status == "in_force"
