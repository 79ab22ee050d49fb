"""Knowledge-base documents: upload and ingest in the background, list, search, view, delete."""

from __future__ import annotations

import csv
import io
import itertools
import json
import logging
import re
import threading
import time
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from pydantic import BaseModel, Field
from sqlalchemy import select
from sqlalchemy.orm import Session

from assistant.read_errors import explain
from assistant.web.db import session_scope
from assistant.web.deps import Services
from assistant.web.orm import IngestJob, User, utcnow
from assistant.web.schemas.kb import FileResultOut, JobOut
from assistant.web.services.errors import NotFound, ServiceError
from assistant.web.services.ingest_process import ingest_in_child
from assistant.web.services.uploads import KB_TYPES, check_type, safe_name
from assistant.web.tenants import Tenant
from vectorstore.metadata import MANIFEST_COLUMNS
from vectorstore.types import KINDS, DocFilter, Hit, SearchFilters

log = logging.getLogger(__name__)
KIND_NAMES = {"reply": "答复函", "policy": "政策文件", "news": "新闻/总结", "proposal": "提案/建议"}
JOB_STATUS = {"queued": "排队中", "running": "入库中", "done": "已完成", "failed": "失败", "interrupted": "已中断"}
FILE_STATUS = {"added": "新增", "updated": "已更新", "unchanged": "未变化", "duplicate": "重复",
               "skipped": "跳过", "failed": "失败", "waiting": "等待"}
STAGES = {"read": "读取并切分", "embed": "向量化", "train": "训练向量模型", "": "准备中"}


@dataclass
class UploadMeta:
    kind: str = ""
    issuer: str = ""
    region: str = ""
    date: str = ""
    proposal_number: str = ""
    title: str = ""

    def validate(self) -> None:
        if self.kind and self.kind not in KINDS:
            raise ServiceError(f"文档类型只能是：{'、'.join(KIND_NAMES.values())}。", 422)
        if self.date and not re.fullmatch(r"\d{4}(-\d{2}(-\d{2})?)?", self.date.strip()):
            raise ServiceError("日期格式应为 YYYY-MM-DD（或 YYYY-MM、YYYY）。", 422)


def start_ingest(svc: Services, db: Session, user: User, tenant: Tenant, files: list[tuple[str, bytes]],
                 meta: UploadMeta) -> IngestJob:
    """Save the files with a manifest of their metadata, record a job, and ingest into ``tenant``'s KB in a thread."""
    if not files:
        raise ServiceError("请选择要上传的文件。", 422)
    meta.validate()
    for name, data in files:
        check_type(name, KB_TYPES)
        if not data.strip():
            raise ServiceError(f"文件“{name}”是空的。", 422)
    names = _unique([safe_name(n) for n, _ in files])
    # The job belongs to the bureau whose knowledge base it fills, which for an admin may not be their own.
    job = IngestJob(user_id=user.id, bureau_id=tenant.bureau_id, total=len(files),
                    files=json.dumps([{"name": n, "status": "waiting", "doc_id": "", "reason": ""} for n in names],
                                     ensure_ascii=False))
    db.add(job)
    db.flush()
    folder = svc.settings.var_dir.resolve() / "uploads" / f"job{job.id}"
    folder.mkdir(parents=True, exist_ok=True)
    for name, (_, data) in zip(names, files, strict=True):
        (folder / name).write_bytes(data)
    _write_manifest(folder, names, meta)
    db.commit()
    threading.Thread(target=_run, args=(svc, tenant, job.id, folder), name=f"ingest-{job.id}", daemon=True).start()
    return job


def _unique(names: list[str]) -> list[str]:
    seen: set[str] = set()
    out = []
    for name in names:
        stem, dot, ext = name.rpartition(".")
        candidate, i = name, 2
        while candidate in seen:
            candidate = f"{stem}-{i}.{ext}" if dot else f"{name}-{i}"
            i += 1
        seen.add(candidate)
        out.append(candidate)
    return out


def _write_manifest(folder: Path, names: list[str], meta: UploadMeta) -> None:
    buf = io.StringIO()
    writer = csv.writer(buf, dialect="excel-tab")
    writer.writerow(MANIFEST_COLUMNS)
    for name in names:
        writer.writerow([name, meta.kind, meta.issuer.strip(), meta.region.strip(), meta.date.strip(),
                         meta.proposal_number.strip(), meta.title.strip() if len(names) == 1 else "", "网页上传"])
    (folder / "MANIFEST.tsv").write_text(buf.getvalue(), encoding="utf-8")


def _run(svc: Services, tenant: Tenant, job_id: int, folder: Path) -> None:
    last = [0.0]

    def update(**fields: object) -> None:
        with session_scope(svc.sessions) as db:
            job = db.get(IngestJob, job_id)
            if job is not None:
                for key, value in fields.items():
                    setattr(job, key, value)

    def progress(stage: str, done: int, total: int) -> None:
        # Throttled: a row update per file would slow a large upload for no one's benefit.
        now = time.monotonic()
        if now - last[0] > 0.3 or done == total:
            last[0] = now
            update(stage=stage, done=done, total=total)

    try:
        update(status="running")
        kb = svc.tenants.kb(tenant)
        manifest = folder / "MANIFEST.tsv"
        with svc.tenants.write_lock(tenant):
            if tenant.settings.chroma_url:
                results = ingest_in_child(tenant.settings, folder, manifest, progress)
            else:
                results = [asdict(f) for f in kb.ingest([folder], manifest=manifest, progress=progress).files]
        files = [{"name": Path(f["path"]).name, "status": f["status"], "doc_id": f["doc_id"], "reason": f["reason"],
                  "chunks": f["chunks"]} for f in results]
        failed = all(f["status"] == "failed" for f in results)
        update(status="failed" if failed else "done", files=json.dumps(files, ensure_ascii=False),
               finished_at=utcnow(), error="全部文件入库失败。" if failed else "")
    except Exception as err:
        log.exception("ingest job %s failed", job_id)
        update(status="failed", error=f"入库出错：{err}", finished_at=utcnow())


def mark_interrupted(db: Session) -> None:
    """Jobs left running by a stopped server will never finish; say so instead of spinning forever."""
    for job in db.scalars(select(IngestJob).where(IngestJob.status.in_(("queued", "running")))):
        job.status, job.error, job.finished_at = "interrupted", "服务重启，入库中断，请重新上传。", utcnow()
    db.commit()


def get_job(db: Session, user: User, tenant: Tenant, job_id: int) -> IngestJob:
    job = db.get(IngestJob, job_id)
    # Another bureau's job is as good as absent; admins upload into any bureau, so they see every job.
    if job is None or (user.role != "admin" and job.bureau_id != tenant.bureau_id):
        raise NotFound("没有这个入库任务。")
    return job


def recent_jobs(db: Session, tenant: Tenant, limit: int = 5) -> list[IngestJob]:
    """The bureau's latest uploads, whoever made them (an admin's upload into it included)."""
    stmt = select(IngestJob).where(IngestJob.bureau_id == tenant.bureau_id)
    return list(db.scalars(stmt.order_by(IngestJob.id.desc()).limit(limit)))


def job_out(job: IngestJob) -> JobOut:
    files = json.loads(job.files)
    for f in files:
        f["status_name"] = FILE_STATUS.get(f["status"], f["status"])
        f["reason"] = explain(f.get("reason") or "")
    return JobOut(id=job.id, status=job.status, status_name=JOB_STATUS.get(job.status, job.status),
                  stage=job.stage, stage_name=STAGES.get(job.stage, job.stage), done=job.done,
                  total=job.total, files=[FileResultOut.model_validate(f) for f in files], error=job.error,
                  finished=job.finished_at is not None, created_at=job.created_at, user=job.user.username,
                  user_name=job.user.label, bureau=job.bureau.key)


@dataclass
class DocQuery:
    q: str = ""
    kind: str = ""
    issuer: str = ""
    region: str = ""
    date_from: str = ""
    date_to: str = ""


_LISTED = {"doc_id", "kind", "title", "issuer", "region", "date", "proposal_number", "doc_number", "status",
           "valid_until", "ingested_at", "n_chunks"}


def list_documents(svc: Services, tenant: Tenant, f: DocQuery) -> list[dict[str, object]]:
    docs = svc.tenants.kb(tenant).documents(DocFilter(text=f.q, kinds=[f.kind] if f.kind else [], issuer=f.issuer,
                                                      region=f.region, date_from=f.date_from, date_to=f.date_to))
    return [d.model_dump(include=_LISTED) for d in docs]


class SearchResponse(BaseModel):
    """What `/api/kb/search` answers: the hits, and warnings such as a vector index that is empty."""

    query: str
    hits: list[Hit]
    warnings: list[str] = Field(description="Why the results may be incomplete and what to do (Chinese)")


def search(svc: Services, tenant: Tenant, query: str, f: DocQuery, k: int = 20) -> SearchResponse:
    filters = SearchFilters(kinds=[f.kind] if f.kind else [], issuer=f.issuer, region=f.region,
                            after=f.date_from, before=f.date_to)
    result = svc.tenants.kb(tenant).search(query, k=k, filters=filters)
    return SearchResponse(query=query, hits=result.hits, warnings=result.warnings)


def document_view(svc: Services, tenant: Tenant, doc_id: str, start: int | None = None,
                  end: int | None = None) -> dict[str, object]:
    """The document's text cut into segments at chunk boundaries and at the highlighted passage."""
    kb = svc.tenants.kb(tenant)
    doc = kb.get(doc_id)
    if doc is None:
        raise NotFound("知识库中没有这个文档。")
    text = doc.text
    chunks = kb.chunks(doc_id)
    mark = (start, end) if start is not None and end is not None and 0 <= start < end <= len(text) else None
    cuts = {0, len(text)} | {c.start for c in chunks} | {c.end for c in chunks} | (set(mark) if mark else set())
    points = sorted(p for p in cuts if 0 <= p <= len(text))
    starts = {c.start: c for c in chunks}
    segments = []
    chunk_at = None
    for a, b in itertools.pairwise(points):
        if a in starts:
            chunk_at = starts[a]
        inside = chunk_at if chunk_at is not None and chunk_at.start <= a < chunk_at.end else None
        segments.append({
            "text": text[a:b], "chunk": inside.seq if inside else None,
            "boundary": inside.seq if inside is not None and a == inside.start else None,
            "section": inside.section if inside is not None and a == inside.start else "",
            "marked": bool(mark and mark[0] <= a < mark[1]), "mark_start": bool(mark and a == mark[0]),
        })
    return {"doc_id": doc_id, "meta": doc.meta.model_dump(), "text": text, "segments": segments,
            "chunks": [c.model_dump(exclude={"sentences"}) for c in chunks], "source_path": doc.source_path,
            "mark": list(mark) if mark else None}


def delete_document(svc: Services, tenant: Tenant, doc_id: str) -> None:
    kb = svc.tenants.kb(tenant)
    with svc.tenants.write_lock(tenant):
        if not kb.delete(doc_id):
            raise NotFound("知识库中没有这个文档。")


def stats(svc: Services, tenant: Tenant) -> dict[str, object]:
    return {"bureau": tenant.key, "bureau_name": tenant.name, **svc.tenants.kb(tenant).stats()}


def bureau_context(svc: Services, user: User, tenant: Tenant) -> dict[str, Any]:
    """What KB pages need to keep an admin on the bureau they chose: a selector and a query suffix."""
    several = user.role == "admin" and svc.tenants.several
    return {"kb_bureau": tenant, "bureau_choices": svc.tenants.choices() if several else [],
            "bq": f"bureau={tenant.key}" if several else ""}
