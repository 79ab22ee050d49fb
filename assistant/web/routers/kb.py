"""Knowledge-base pages and API: upload with metadata, ingest status, list/search, view, delete."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, File, Form, Request, UploadFile
from fastapi.responses import RedirectResponse, Response

from assistant.web.deps import Admin, AnyUser, DbDep, DrafterUser, TenantDep, render, router, services
from assistant.web.schemas.common import OkOut, error_responses
from assistant.web.schemas.kb import DocumentOut, DocumentSummary, JobOut, StatsOut
from assistant.web.services import kb as svc_kb
from assistant.web.services.errors import ServiceError
from assistant.web.services.uploads import KB_TYPES, read_limited

pages = router(tags=["pages"], include_in_schema=False)
api = router(prefix="/api/kb", tags=["knowledge base"], responses=error_responses(401, 403, 422))
routers = [pages, api]
MISSING = error_responses(404)


def doc_query(q: str = "", kind: str = "", issuer: str = "", region: str = "", date_from: str = "",
              date_to: str = "") -> svc_kb.DocQuery:
    return svc_kb.DocQuery(q=q.strip(), kind=kind, issuer=issuer.strip(), region=region.strip(),
                           date_from=date_from.strip(), date_to=date_to.strip())


def upload_meta(
    kind: Annotated[str, Form(description="reply, policy, news, summary, plan or proposal; empty: told from the text")] = "",
    issuer: Annotated[str, Form(description="Issuing body, e.g. 示例市科学技术局; empty: read from the text")] = "",
    region: Annotated[str, Form(description="Administrative region, e.g. 示例省示例市; empty: the issuer's")] = "",
    date: Annotated[str, Form(description="YYYY-MM-DD, YYYY-MM or YYYY; empty: read from the text")] = "",
    proposal_number: Annotated[str, Form(description="The proposal a reply answers")] = "",
    title: Annotated[str, Form(description="Title when one file is uploaded; empty: read from the text")] = "",
) -> svc_kb.UploadMeta:
    return svc_kb.UploadMeta(kind=kind, issuer=issuer, region=region, date=date, proposal_number=proposal_number,
                             title=title)


async def _read_all(request: Request, files: list[UploadFile]) -> list[tuple[str, bytes]]:
    limit = services(request).settings.max_upload_bytes
    out = []
    total = 0
    for f in files:
        if not f.filename:
            continue
        data = await read_limited(f, limit)
        total += len(data)
        if total > limit:
            raise ServiceError("本次上传的文件合计太大，请分批上传。", 413)
        out.append((f.filename, data))
    return out


@pages.get("/kb")
def kb_page(request: Request, db: DbDep, user: AnyUser, t: TenantDep,
            f: Annotated[svc_kb.DocQuery, Depends(doc_query)], mode: str = "list") -> Response:
    svc = services(request)
    found = svc_kb.search(svc, t, f.q, f) if f.q and mode == "search" else None
    hits = found.hits if found is not None else None
    docs = svc_kb.list_documents(svc, t, f) if hits is None else []
    return render(request, "kb_list.html", f=f, mode=mode, docs=docs, hits=hits, kinds=svc_kb.KIND_NAMES,
                  search_warnings=found.warnings if found is not None else [],
                  jobs=svc_kb.recent_jobs(db, t), job_status=svc_kb.JOB_STATUS, accept=",".join(KB_TYPES),
                  error="", can_upload=user.role in ("drafter", "admin"), is_admin=user.role == "admin",
                  **svc_kb.bureau_context(services(request), user, t))



@pages.post("/kb/upload")
async def upload_page(request: Request, db: DbDep, user: DrafterUser, t: TenantDep,
                      meta: Annotated[svc_kb.UploadMeta, Depends(upload_meta)],
                      files: Annotated[list[UploadFile], File()]) -> Response:
    job = svc_kb.start_ingest(services(request), db, user, t, await _read_all(request, files), meta)
    return RedirectResponse(f"/kb/jobs/{job.id}", status_code=303)


@pages.get("/kb/jobs/{job_id}")
def job_page(request: Request, job_id: int, db: DbDep, user: AnyUser, t: TenantDep) -> Response:
    job = svc_kb.get_job(db, user, t, job_id)
    return render(request, "kb_job.html", job=svc_kb.job_out(job).model_dump(mode="json"),
                  **svc_kb.bureau_context(services(request), user, t))


@pages.get("/kb/docs/{doc_id}")
def doc_page(request: Request, doc_id: str, user: AnyUser, t: TenantDep, start: int | None = None,
             end: int | None = None) -> Response:
    view = svc_kb.document_view(services(request), t, doc_id, start, end)
    return render(request, "kb_doc.html", doc=view, kinds=svc_kb.KIND_NAMES, is_admin=user.role == "admin",
                  **svc_kb.bureau_context(services(request), user, t))


@pages.post("/kb/docs/{doc_id}/delete")
def delete_page(request: Request, doc_id: str, user: Admin, t: TenantDep) -> Response:
    svc_kb.delete_document(services(request), t, doc_id)
    bq = svc_kb.bureau_context(services(request), user, t)["bq"]
    return RedirectResponse(f"/kb?deleted=1{'&' + bq if bq else ''}", status_code=303)


@api.get("/documents")
def list_documents(request: Request, user: AnyUser, t: TenantDep,
                   f: Annotated[svc_kb.DocQuery, Depends(doc_query)]) -> list[DocumentSummary]:
    """Documents of the bureau's knowledge base; filter with q, kind, issuer, region, date_from, date_to."""
    return [DocumentSummary.model_validate(d) for d in svc_kb.list_documents(services(request), t, f)]


@api.get("/search", responses=error_responses(503))
def search(request: Request, user: AnyUser, t: TenantDep, f: Annotated[svc_kb.DocQuery, Depends(doc_query)],
           k: int = 20) -> svc_kb.SearchResponse:
    """Hybrid search; ``q`` is the query, the other parameters filter; ``warnings`` say when results may be incomplete."""
    if not f.q:
        raise ServiceError("请输入检索词（参数 q）。", 422)
    return svc_kb.search(services(request), t, f.q, f, k=min(max(k, 1), 100))


@api.get("/documents/{doc_id}", responses=MISSING)
def get_document(request: Request, doc_id: str, user: AnyUser, t: TenantDep) -> DocumentOut:
    """One document: metadata, text and its chunks with character offsets."""
    view = svc_kb.document_view(services(request), t, doc_id)
    return DocumentOut.model_validate({k: view[k] for k in DocumentOut.model_fields})


@api.delete("/documents/{doc_id}", responses=MISSING)
def delete_document(request: Request, doc_id: str, user: Admin, t: TenantDep) -> OkOut:
    """Delete a document with its chunks, vectors and index entries."""
    svc_kb.delete_document(services(request), t, doc_id)
    return OkOut()


@api.post("/uploads", status_code=202, responses=error_responses(413, 415))
async def upload(request: Request, db: DbDep, user: DrafterUser, t: TenantDep,
                 meta: Annotated[svc_kb.UploadMeta, Depends(upload_meta)],
                 files: Annotated[list[UploadFile], File(description="Files: " + ", ".join(KB_TYPES))]) -> JobOut:
    """Start ingesting the files in the background; poll the job for progress and per-file results."""
    job = svc_kb.start_ingest(services(request), db, user, t, await _read_all(request, files), meta)
    return svc_kb.job_out(job)


@api.get("/jobs/{job_id}", responses=MISSING)
def get_job(job_id: int, db: DbDep, user: AnyUser, t: TenantDep) -> JobOut:
    """An upload's ingest status and per-file results."""
    return svc_kb.job_out(svc_kb.get_job(db, user, t, job_id))


@api.get("/stats")
def stats(request: Request, user: AnyUser, t: TenantDep) -> StatsOut:
    """Counts of documents, chunks, vectors and keyword-index entries."""
    return StatsOut.model_validate(svc_kb.stats(services(request), t))
