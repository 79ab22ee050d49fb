"""SQLite store of documents and chunks: the source of truth for text and offsets.

Vectors (Chroma) and the keyword index are derived from it and can always be
rebuilt from it, which is what makes ingest crash-safe: a document and its
chunks change in one transaction, and the derived indexes are synced after.
"""

from __future__ import annotations

import json
import sqlite3
import threading
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

from vectorstore.types import Chunk, DocFilter, DocMeta, DocSummary, Document, SearchFilters, Span

_SCHEMA = """
CREATE TABLE IF NOT EXISTS documents (
  doc_id TEXT PRIMARY KEY, content_hash TEXT NOT NULL, source_path TEXT, text TEXT NOT NULL,
  kind TEXT, title TEXT, issuer TEXT, region TEXT, date TEXT, proposal_number TEXT,
  doc_number TEXT, source TEXT, ingested_at TEXT, status TEXT DEFAULT '', valid_until TEXT DEFAULT ''
);
CREATE INDEX IF NOT EXISTS documents_hash ON documents(content_hash);
CREATE TABLE IF NOT EXISTS chunks (
  chunk_id TEXT PRIMARY KEY, doc_id TEXT NOT NULL REFERENCES documents(doc_id) ON DELETE CASCADE,
  seq INTEGER, start INTEGER, "end" INTEGER, text TEXT, section_path TEXT, part TEXT,
  sentences TEXT, terms TEXT
);
CREATE INDEX IF NOT EXISTS chunks_doc ON chunks(doc_id);
CREATE TABLE IF NOT EXISTS state (key TEXT PRIMARY KEY, value TEXT);
"""
_META_COLS = ("kind", "title", "issuer", "region", "date", "proposal_number", "doc_number", "source", "status",
              "valid_until", "completeness")
# Columns added after the first release: stores created before get them on open.
_ADDED_COLUMNS = (("documents", "status", "TEXT DEFAULT ''"), ("documents", "valid_until", "TEXT DEFAULT ''"),
                  ("documents", "completeness", "TEXT DEFAULT ''"))


class DocStore:
    def __init__(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self.path = path
        self._local = threading.local()
        with self._conn() as conn:
            conn.executescript(_SCHEMA)
            for table, column, decl in _ADDED_COLUMNS:
                have = {r[1] for r in conn.execute(f"PRAGMA table_info({table})")}
                if column not in have:
                    conn.execute(f"ALTER TABLE {table} ADD COLUMN {column} {decl}")

    def _conn(self) -> sqlite3.Connection:
        conn = getattr(self._local, "conn", None)
        if conn is None:
            conn = sqlite3.connect(self.path, timeout=30, isolation_level=None, check_same_thread=False)
            conn.row_factory = sqlite3.Row
            conn.execute("PRAGMA journal_mode=WAL")
            conn.execute("PRAGMA synchronous=NORMAL")
            conn.execute("PRAGMA foreign_keys=ON")
            self._local.conn = conn
        return conn

    # --- writes -----------------------------------------------------------
    def put(self, doc: Document, chunks: list[Chunk], terms: list[list[str]]) -> None:
        """Insert or replace a document and all its chunks, atomically."""
        conn = self._conn()
        now = datetime.now(UTC).isoformat(timespec="seconds")
        m = doc.meta
        conn.execute("BEGIN IMMEDIATE")
        try:
            conn.execute("DELETE FROM chunks WHERE doc_id=?", (doc.doc_id,))
            cols = ("doc_id", "content_hash", "source_path", "text", *_META_COLS, "ingested_at")
            conn.execute(
                f"INSERT OR REPLACE INTO documents ({', '.join(cols)}) VALUES ({','.join('?' * len(cols))})",
                (doc.doc_id, doc.content_hash, doc.source_path, doc.text, *(getattr(m, c) for c in _META_COLS), now),
            )
            conn.executemany(
                'INSERT INTO chunks VALUES (?,?,?,?,?,?,?,?,?,?)',
                [
                    (c.chunk_id, c.doc_id, c.seq, c.start, c.end, c.text, json.dumps(c.section_path, ensure_ascii=False),
                     c.part, json.dumps([[s.start, s.end] for s in c.sentences]), " ".join(t))
                    for c, t in zip(chunks, terms, strict=True)
                ],
            )
            self._bump(conn)
            conn.execute("COMMIT")
        except BaseException:
            conn.execute("ROLLBACK")
            raise

    def delete(self, doc_id: str) -> bool:
        conn = self._conn()
        conn.execute("BEGIN IMMEDIATE")
        try:
            conn.execute("DELETE FROM chunks WHERE doc_id=?", (doc_id,))
            cur = conn.execute("DELETE FROM documents WHERE doc_id=?", (doc_id,))
            if cur.rowcount:
                self._bump(conn)
            conn.execute("COMMIT")
        except BaseException:
            conn.execute("ROLLBACK")
            raise
        return cur.rowcount > 0

    def set_terms(self, terms: dict[str, list[str]]) -> None:
        """Replace the index terms of the given chunks (a tokenizer change), as one new generation."""
        conn = self._conn()
        conn.execute("BEGIN IMMEDIATE")
        try:
            conn.executemany("UPDATE chunks SET terms=? WHERE chunk_id=?",
                             [(" ".join(t), cid) for cid, t in terms.items()])
            self._bump(conn)
            conn.execute("COMMIT")
        except BaseException:
            conn.execute("ROLLBACK")
            raise

    def _bump(self, conn: sqlite3.Connection) -> None:
        conn.execute(
            "INSERT INTO state(key,value) VALUES('generation','1') "
            "ON CONFLICT(key) DO UPDATE SET value=CAST(value AS INTEGER)+1"
        )

    def generation(self) -> int:
        row = self._conn().execute("SELECT value FROM state WHERE key='generation'").fetchone()
        return int(row[0]) if row else 0

    def get_state(self, key: str) -> str | None:
        row = self._conn().execute("SELECT value FROM state WHERE key=?", (key,)).fetchone()
        return row[0] if row else None

    def ensure_state(self, key: str, value: str) -> str:
        """The value stored under ``key``, storing ``value`` first when there is none (one winner across processes)."""
        have = self.get_state(key)
        if have is not None:
            return have  # no write: read-only commands stay read-only
        self._conn().execute("INSERT OR IGNORE INTO state(key,value) VALUES(?,?)", (key, value))
        return str(self.get_state(key))

    def set_state(self, key: str, value: str) -> None:
        self._conn().execute(
            "INSERT INTO state(key,value) VALUES(?,?) ON CONFLICT(key) DO UPDATE SET value=excluded.value", (key, value)
        )

    # --- reads ------------------------------------------------------------
    def get(self, doc_id: str) -> Document | None:
        row = self._conn().execute("SELECT * FROM documents WHERE doc_id=?", (doc_id,)).fetchone()
        return _doc(row) if row else None

    def content_hashes(self) -> dict[str, str]:
        """Content hash of every stored document, by id."""
        return {r[0]: r[1] for r in self._conn().execute("SELECT doc_id, content_hash FROM documents")}

    def titles(self) -> dict[str, str]:
        """Title of every stored document, by id (the keyword index gives each chunk its document's title)."""
        return {r[0]: r[1] or "" for r in self._conn().execute("SELECT doc_id, title FROM documents")}

    def find_hash(self, content_hash: str) -> str | None:
        row = self._conn().execute("SELECT doc_id FROM documents WHERE content_hash=?", (content_hash,)).fetchone()
        return row[0] if row else None

    def meta_rows(self) -> list[sqlite3.Row]:
        cols = ", ".join(("doc_id", "content_hash", "source_path", "ingested_at", *_META_COLS))
        sql = f"SELECT {cols}, (SELECT COUNT(*) FROM chunks c WHERE c.doc_id=d.doc_id) AS n_chunks FROM documents d ORDER BY date DESC, doc_id"
        return list(self._conn().execute(sql))

    def summaries(self, f: DocFilter) -> list[DocSummary]:
        """Documents matching ``f`` without their text, newest first, filtered and paged in SQL."""
        where, args = _listing_where(f)
        sql = (f"SELECT doc_id, {', '.join(_SUMMARY_COLS)}, "
               "(SELECT COUNT(*) FROM chunks c WHERE c.doc_id=d.doc_id) AS n_chunks FROM documents d"
               + (" WHERE " + " AND ".join(where) if where else "") + " ORDER BY date DESC, doc_id")
        if f.limit is not None or f.offset:
            sql += " LIMIT ? OFFSET ?"
            args += [-1 if f.limit is None else f.limit, f.offset]
        return [DocSummary.model_validate({k: ("" if r[k] is None else r[k]) for k in r.keys()})  # noqa: SIM118 (sqlite3.Row iterates values)
                for r in self._conn().execute(sql, args)]

    def kind_counts(self) -> dict[str, int]:
        return {r[0]: r[1] for r in self._conn().execute("SELECT kind, COUNT(*) FROM documents GROUP BY kind ORDER BY kind")}

    def doc_meta(self, doc_id: str) -> DocMeta | None:
        row = self._conn().execute(f"SELECT {', '.join(_META_COLS)} FROM documents WHERE doc_id=?", (doc_id,)).fetchone()
        return DocMeta.model_validate({k: v or "" for k, v in dict(row).items()}) if row else None

    def doc_metas(self, doc_ids: set[str]) -> dict[str, DocMeta]:
        """Metadata of several documents in one query (a search result spans up to k documents)."""
        ids = sorted(doc_ids)
        if not ids:
            return {}
        sql = f"SELECT doc_id, {', '.join(_META_COLS)} FROM documents WHERE doc_id IN ({','.join('?' * len(ids))})"
        return {r["doc_id"]: DocMeta.model_validate({c: r[c] or "" for c in _META_COLS})
                for r in self._conn().execute(sql, ids)}

    def chunks_of(self, doc_id: str) -> list[Chunk]:
        rows = self._conn().execute("SELECT * FROM chunks WHERE doc_id=? ORDER BY seq", (doc_id,))
        return [_chunk(r) for r in rows]

    def chunks_by_id(self, chunk_ids: list[str]) -> dict[str, Chunk]:
        out: dict[str, Chunk] = {}
        conn = self._conn()
        for i in range(0, len(chunk_ids), 500):
            part = chunk_ids[i : i + 500]
            rows = conn.execute(f"SELECT * FROM chunks WHERE chunk_id IN ({','.join('?' * len(part))})", part)
            out.update({r["chunk_id"]: _chunk(r) for r in rows})
        return out

    def chunk_texts(self, chunk_ids: list[str]) -> dict[str, tuple[str, str]]:
        """(doc_id, text) of the given chunks, without building Chunk objects (what embedding needs)."""
        out: dict[str, tuple[str, str]] = {}
        conn = self._conn()
        for i in range(0, len(chunk_ids), 500):
            part = chunk_ids[i : i + 500]
            rows = conn.execute(f"SELECT chunk_id, doc_id, text FROM chunks WHERE chunk_id IN ({','.join('?' * len(part))})",
                                part)
            out.update({r[0]: (r[1], r[2]) for r in rows})
        return out

    def chunk_ids_of(self, doc_ids: set[str]) -> list[str]:
        """The ids of every chunk of the given documents."""
        conn, ids, out = self._conn(), sorted(doc_ids), []
        for i in range(0, len(ids), 500):
            part = ids[i : i + 500]
            out += [r[0] for r in conn.execute(
                f"SELECT chunk_id FROM chunks WHERE doc_id IN ({','.join('?' * len(part))})", part)]
        return out

    def chunk_rowids(self) -> list[int]:
        """Every chunk's rowid, in the order ``iter_chunks`` gives the chunks."""
        return [r[0] for r in self._conn().execute("SELECT rowid FROM chunks ORDER BY rowid")]

    def chunk_rows(self, rowids: list[int]) -> list[sqlite3.Row]:
        """The rows ``iter_chunks`` gives for these rowids, in the order asked (absent rowids are left out)."""
        found: dict[int, sqlite3.Row] = {}
        conn = self._conn()
        for i in range(0, len(rowids), 500):
            part = rowids[i : i + 500]
            found.update((r["rowid"], r) for r in conn.execute(
                "SELECT rowid, chunk_id, doc_id, text, section_path, terms, sentences, start FROM chunks "
                f"WHERE rowid IN ({','.join('?' * len(part))})", part))
        return [found[r] for r in rowids if r in found]

    def iter_chunks(self, batch: int = 2000) -> Iterator[sqlite3.Row]:
        """All chunk rows in a stable order (rowid), including their index terms."""
        conn = self._conn()
        last = 0
        while True:
            rows = list(conn.execute(
                "SELECT rowid, chunk_id, doc_id, text, section_path, terms, sentences, start FROM chunks "
                "WHERE rowid > ? ORDER BY rowid LIMIT ?", (last, batch),
            ))
            if not rows:
                return
            yield from rows
            last = rows[-1]["rowid"]

    def iter_chunks_with_kind(self, batch: int = 2000) -> Iterator[tuple[str, Chunk]]:
        """Every chunk with its document's kind, in a stable order (what style learning reads)."""
        conn = self._conn()
        last = 0
        while True:
            rows = list(conn.execute(
                "SELECT c.rowid AS rid, c.*, d.kind AS doc_kind FROM chunks c JOIN documents d ON d.doc_id = c.doc_id "
                "WHERE c.rowid > ? ORDER BY c.rowid LIMIT ?", (last, batch),
            ))
            if not rows:
                return
            for r in rows:
                yield r["doc_kind"] or "", _chunk(r)
            last = rows[-1]["rid"]

    def chunk_ids(self) -> set[str]:
        return {r[0] for r in self._conn().execute("SELECT chunk_id FROM chunks")}

    def doc_count(self) -> int:
        return int(self._conn().execute("SELECT COUNT(*) FROM documents").fetchone()[0])

    def counts(self) -> tuple[int, int]:
        conn = self._conn()
        return (conn.execute("SELECT COUNT(*) FROM documents").fetchone()[0],
                conn.execute("SELECT COUNT(*) FROM chunks").fetchone()[0])

    def matching_doc_ids(self, f: SearchFilters) -> set[str] | None:
        """Documents allowed by the filters, or None when every document is allowed."""
        if f.is_empty():
            return None
        where, args = [], []
        if f.kinds:
            where.append(f"kind IN ({','.join('?' * len(f.kinds))})")
            args += f.kinds
        if f.issuer:
            where.append("issuer LIKE ?")
            args.append(f"%{f.issuer}%")
        if f.region:
            where.append("region LIKE ?")
            args.append(f"%{f.region}%")
        for bound, op in ((f.before, "<="), (f.after, ">=")):
            if bound:
                # Partial dates (2024, 2024-07) compare by their own precision.
                cond = f"date {op} substr(?,1,length(date))"
                where.append(f"(({cond}) AND date != '')" + ("" if f.drop_undated else " OR date = ''"))
                args.append(bound)
        if f.exclude_doc_ids:
            where.append(f"doc_id NOT IN ({','.join('?' * len(f.exclude_doc_ids))})")
            args += f.exclude_doc_ids
        if f.include_doc_ids is not None:
            if not f.include_doc_ids:
                return set()
            where.append(f"doc_id IN ({','.join('?' * len(f.include_doc_ids))})")
            args += f.include_doc_ids
        sql = "SELECT doc_id FROM documents" + (" WHERE " + " AND ".join(f"({w})" for w in where) if where else "")
        return {r[0] for r in self._conn().execute(sql, args)}

    def close(self) -> None:
        conn = getattr(self._local, "conn", None)
        if conn is not None:
            conn.close()
            self._local.conn = None


_SUMMARY_COLS = (*_META_COLS, "source_path", "content_hash", "ingested_at")


def _listing_where(f: DocFilter) -> tuple[list[str], list[object]]:
    # instr(), not LIKE: what a user types (%, _) is matched literally.
    where: list[str] = []
    args: list[object] = []
    if f.text:
        where.append("(instr(coalesce(title,''), ?) > 0 OR instr(coalesce(proposal_number,''), ?) > 0)")
        args += [f.text, f.text]
    if f.kinds:
        where.append(f"kind IN ({','.join('?' * len(f.kinds))})")
        args += f.kinds
    for column, value in (("issuer", f.issuer), ("region", f.region)):
        if value:
            where.append(f"instr(coalesce({column},''), ?) > 0")
            args.append(value)
    if f.date_from:
        where.append("coalesce(date,'') != '' AND date >= ?")
        args.append(f.date_from)
    if f.date_to:
        where.append("coalesce(date,'') != '' AND substr(date, 1, length(?)) <= ?")
        args += [f.date_to, f.date_to]
    return where, args


def _doc(row: sqlite3.Row) -> Document:
    meta = DocMeta.model_validate({k: row[k] or "" for k in _META_COLS})
    return Document(doc_id=row["doc_id"], text=row["text"], meta=meta, content_hash=row["content_hash"],
                    source_path=row["source_path"] or "")


def _chunk(row: sqlite3.Row) -> Chunk:
    text = row["text"]
    start = row["start"]
    sentences = [Span(start=s, end=e, text=text[s - start : e - start]) for s, e in json.loads(row["sentences"])]
    return Chunk(chunk_id=row["chunk_id"], doc_id=row["doc_id"], seq=row["seq"], start=start, end=row["end"],
                 text=text, section_path=json.loads(row["section_path"]), part=row["part"], sentences=sentences)
