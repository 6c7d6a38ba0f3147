"""Importing results packages on the manager's side: verify everything, then write in one transaction.

Merge rule per inspection (by UUID): unknown -> new; same revision and same content -> unchanged;
a higher revision -> replaces the stored one, which goes to the history; a lower revision ->
unchanged (the newer stays); the same revision with different content -> a conflict: the incoming
version is kept in the history beside the stored one and both are reported.
"""

from __future__ import annotations

import datetime as dt
import hmac
import io
import json
import struct
import zipfile
import zlib
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from app import audit, probation, records
from app.accounts import require_role
from app.centre import current_centre
from app.db import bulk_insert, db, is_sqlite
from app.domain import METHODS, RESULTS
from app.errors import PatrolError
from app.models import (
    ChecklistVersion, ImportLog, Inspection, InspectionHistory, Item, ItemResult, ProbationCase, Staff, User, Window,
    change_time,
)
from app.photos import photo_path, store_photo
from app.results_package import FORMAT, FORMAT_VERSION, sha256_of, sign
from app.settings import load_settings

MAX_ERRORS = 20
# Everything reading a damaged zip can raise: bad headers, bad deflate data, a flipped compression
# method, truncation. All mean the same to the user: the file is damaged.
DAMAGED = (zipfile.BadZipFile, zipfile.LargeZipFile, EOFError, OSError, ValueError, zlib.error,
           NotImplementedError, RuntimeError, KeyError, struct.error, UnicodeDecodeError)
RECORD_KEYS = {"uuid", "revision", "window", "staff", "inspector", "method", "observed_at", "started_at",
               "finished_at", "checklist", "note", "score", "bonus", "deductions", "vetoed", "passed", "grade", "results"}


@dataclass
class ImportSummary:
    file: str
    new: int = 0
    updated: int = 0
    unchanged: int = 0
    conflicts: int = 0
    photos: int = 0
    conflict_details: list[str] = field(default_factory=list)

    def line(self) -> str:
        text = f"{self.file}: 新增 {self.new}, 更新 {self.updated}, 未变 {self.unchanged}, 冲突 {self.conflicts}"
        return text + (f", 照片 {self.photos}" if self.photos else "")


@dataclass
class _Package:
    """An authenticated package. Records are read from the zip when iterated (twice in an import: to
    check, then to write), so memory does not grow with the package."""

    name: str
    sha256: str
    manifest: dict
    path: Path
    count: int
    photos: dict[str, str] = field(default_factory=dict)  # photo ref -> zip member

    def records(self) -> Iterator[tuple[int, dict]]:
        """(line number, record) for each record; the package was fully checked when read."""
        with zipfile.ZipFile(self.path) as zf, zf.open("inspections.jsonl") as fh:
            for n, line in enumerate(io.TextIOWrapper(fh, encoding="utf-8"), start=1):
                if line.strip():
                    yield n, json.loads(line)

    def photo_bytes(self, ref: str) -> bytes:
        with zipfile.ZipFile(self.path) as zf:
            return zf.read(self.photos[ref])


def _fail(name: str, problems: list[str]) -> None:
    shown = problems[:MAX_ERRORS]
    more = f"\n另有 {len(problems) - MAX_ERRORS} 处问题" if len(problems) > MAX_ERRORS else ""
    raise PatrolError(f"{name}: 结果包有误, 未导入任何记录\n" + "\n".join(shown) + more)


def read_package(path: str | Path) -> _Package:
    """Open and authenticate a package: zip, manifest, signature, centre, checksums, every record's shape.
    Streamed: nothing but the manifest is held in memory. No database writes."""
    path = Path(path)
    name = path.name
    try:
        with open(path, "rb") as fh:
            sha256 = sha256_of(fh)
    except OSError as exc:
        raise PatrolError(f"{name}: 无法读取 ({exc.strerror})") from None
    try:
        zf = zipfile.ZipFile(path)
    except DAMAGED as exc:
        raise PatrolError(f"{name}: 文件已损坏或不完整, 不是有效的结果包 ({exc.__class__.__name__})") from None
    with zf:
        try:
            names = set(zf.namelist())
            manifest_bytes = zf.read("manifest.json") if "manifest.json" in names else None
            signature = zf.read("signature").decode("ascii", "replace").strip() if "signature" in names else None
        except DAMAGED as exc:
            raise PatrolError(f"{name}: 文件已损坏或不完整, 不是有效的结果包 ({exc.__class__.__name__})") from None
        if manifest_bytes is None or signature is None:
            raise PatrolError(f"{name}: 缺少 manifest.json 或 signature, 不是有效的结果包")
        centre = current_centre()
        if centre is None:
            raise PatrolError("数据库中没有中心, 请先建立中心")
        try:
            manifest = json.loads(manifest_bytes.decode("utf-8"))
        except (UnicodeDecodeError, json.JSONDecodeError) as exc:
            raise PatrolError(f"{name}: manifest.json 无法解析 ({exc})") from None
        if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
            raise PatrolError(f"{name}: 不是窗口巡查结果包")
        if manifest.get("centre") != centre.code:
            raise PatrolError(f"{name}: 来自其他中心 ({manifest.get('centre')}), 本库是 {centre.code}")
        if not hmac.compare_digest(sign(manifest_bytes, centre.signing_key), signature):
            raise PatrolError(f"{name}: 签名不符: 结果包被改动过, 或签名密钥与本中心不同")
        if manifest.get("format_version") != FORMAT_VERSION:
            raise PatrolError(f"{name}: 不支持的结果包版本 {manifest.get('format_version')}")
        files = manifest.get("files")
        if not isinstance(files, dict) or "inspections.jsonl" not in files:
            raise PatrolError(f"{name}: manifest.json 缺少文件清单")
        try:
            for member, digest in files.items():
                if member not in names:
                    raise PatrolError(f"{name}: 缺少文件 {member}")
                with zf.open(member) as fh:
                    actual = sha256_of(fh)
                if actual != digest:
                    raise PatrolError(f"{name}: 文件 {member} 的校验和不符, 内容已损坏")
        except DAMAGED as exc:
            raise PatrolError(f"{name}: 文件已损坏或不完整 ({exc.__class__.__name__})") from None
        problems, count = [], 0
        try:
            with zf.open("inspections.jsonl") as fh:
                for n, line in enumerate(io.TextIOWrapper(fh, encoding="utf-8", errors="replace"), start=1):
                    if not line.strip():
                        continue
                    count += 1
                    try:
                        record = json.loads(line)
                    except json.JSONDecodeError as exc:
                        problems.append(f"inspections.jsonl 第 {n} 行: 不是有效的 JSON ({exc.msg})")
                        continue
                    problems += [f"inspections.jsonl 第 {n} 行: {p}" for p in _shape_problems(record)]
        except DAMAGED as exc:
            raise PatrolError(f"{name}: 文件已损坏或不完整 ({exc.__class__.__name__})") from None
    counts = manifest.get("counts", {})
    if counts.get("inspections") != count:
        problems.append(f"manifest.json: 记录数 {counts.get('inspections')} 与实际 {count} 不符")
    if problems:
        _fail(name, problems)
    photos = {m.split("/", 1)[1]: m for m in files if m.startswith("photos/")}
    return _Package(name, sha256, manifest, path, count, photos)


def _shape_problems(r) -> list[str]:
    if not isinstance(r, dict):
        return ["记录不是对象"]
    out = []
    missing = RECORD_KEYS - set(r)
    if missing:
        return [f"缺少字段 {', '.join(sorted(missing))}"]
    if not isinstance(r["uuid"], str) or len(r["uuid"]) < 8:
        out.append("uuid 无效")
    if not isinstance(r["revision"], int) or isinstance(r["revision"], bool) or r["revision"] < 1:
        out.append("revision 须为正整数")
    if r["method"] not in METHODS:
        out.append(f"未知巡查方式 {r['method']!r}")
    for key in ("observed_at", "started_at"):
        try:
            dt.datetime.fromisoformat(r[key])
        except (TypeError, ValueError):
            out.append(f"{key} 不是有效时间")
    if not isinstance(r["checklist"], dict) or not isinstance(r["checklist"].get("hash"), str):
        out.append("checklist 无效")
    if not isinstance(r["score"], (int, float)) or isinstance(r["score"], bool):
        out.append("score 须为数字")
    if not isinstance(r["results"], list):
        out.append("results 须为列表")
    else:
        for entry in r["results"]:
            if (not isinstance(entry, list) or len(entry) != 4 or entry[1] not in RESULTS
                    or not isinstance(entry[0], str) or not isinstance(entry[3], list)):
                out.append(f"检查结果格式有误: {str(entry)[:40]}")
                break
    return out


@dataclass
class _Lookups:
    windows: dict[str, int]
    staff: dict[str, int]
    users: dict[str, int]
    versions: dict[str, int]
    items: dict[tuple[int, str], int]


def _lookups() -> _Lookups:
    return _Lookups(
        windows=dict(Window.select(Window.code, Window.id).tuples()),
        staff=dict(Staff.select(Staff.employee_no, Staff.id).tuples()),
        users=dict(User.select(User.username, User.id).tuples()),
        versions=dict(ChecklistVersion.select(ChecklistVersion.content_hash, ChecklistVersion.id).tuples()),
        items={(v, c): i for i, v, c in Item.select(Item.id, Item.version, Item.code).tuples()},
    )


def _reference_problems(pkg: _Package, lk: _Lookups) -> tuple[list[str], list[str]]:
    """What the records name that this database does not know; and the records' UUIDs (first pass)."""
    problems, uuids = [], []
    for n, (_, r) in enumerate(pkg.records(), start=1):
        uuids.append(r["uuid"])
        where = f"第 {n} 条记录 ({r['uuid'][:8]})"
        if r["window"] not in lk.windows:
            problems.append(f"{where}: 本库没有窗口 {r['window']}")
        if r["staff"] is not None and r["staff"] not in lk.staff:
            problems.append(f"{where}: 本库没有工号 {r['staff']}")
        if r["inspector"] not in lk.users:
            problems.append(f"{where}: 本库没有巡查员账号 {r['inspector']}")
        version = lk.versions.get(r["checklist"]["hash"])
        if version is None:
            problems.append(f"{where}: 本库没有该检查表版本 ({r['checklist'].get('code')} {r['checklist']['hash'][:12]})")
            continue
        unknown = [c for c, *_ in r["results"] if (version, c) not in lk.items]
        if unknown:
            problems.append(f"{where}: 检查项不属于该检查表版本: {', '.join(unknown[:3])}")
        for ref in (p for *_, refs in r["results"] for p in refs):
            if ref not in pkg.photos and not photo_path(ref).exists():
                problems.append(f"{where}: 照片 {ref[:16]} 不在结果包中")
    return problems, uuids


def _existing(uuids: list[str]) -> dict[str, tuple[int, int, str]]:
    found = {}
    for start in range(0, len(uuids), 900):
        chunk = uuids[start:start + 900]
        for u, i, rev, digest in Inspection.select(Inspection.uuid, Inspection.id, Inspection.revision,
                                                   Inspection.content_hash).where(Inspection.uuid.in_(chunk)).tuples():
            found[u] = (i, rev, digest)
    return found


INSPECTION_COLUMNS = ["id", "uuid", "revision", "window", "staff", "inspector", "method", "observed_at", "started_at",
                      "finished_at", "checklist_version", "status", "note", "score", "bonus", "deductions", "vetoed",
                      "passed", "grade", "updated_at", "content_hash"]


def _row(insp_id: int, r: dict, lk: _Lookups, digest: str) -> tuple:
    t = dt.datetime.fromisoformat
    return (insp_id, r["uuid"], r["revision"], lk.windows[r["window"]], lk.staff.get(r["staff"]) if r["staff"] else None,
            lk.users[r["inspector"]], r["method"], t(r["observed_at"]), t(r["started_at"]),
            t(r["finished_at"]) if r["finished_at"] else None, lk.versions[r["checklist"]["hash"]], "final",
            r["note"] or "", r["score"], r["bonus"] or 0, r["deductions"] or 0, bool(r["vetoed"]), r["passed"],
            r["grade"] or "", change_time(), digest)


def _result_rows(insp_id: int, r: dict, lk: _Lookups) -> list[tuple]:
    version = lk.versions[r["checklist"]["hash"]]
    return [(insp_id, lk.items[(version, code)], result, note or "", "\n".join(refs)) for code, result, note, refs in r["results"]]


BATCH = 500  # inspections written per executemany: memory stays flat whatever the package's length


def import_package(path: str | Path, user: User) -> ImportSummary:
    """Verify a whole package against this database, then merge it in one transaction (managers only).
    Two passes over the records (check, then write), each streamed from the zip."""
    require_role(user, "manager")
    pkg = read_package(path)
    lk = _lookups()
    problems, uuids = _reference_problems(pkg, lk)
    if problems:
        _fail(pkg.name, problems)
    summary = ImportSummary(pkg.name)
    existing = _existing(uuids)
    del uuids
    new_rows, new_results, new_records = [], [], []

    def flush() -> None:
        bulk_insert(Inspection, INSPECTION_COLUMNS, new_rows)
        bulk_insert(ItemResult, ["inspection", "item", "result", "note", "photos"], new_results)
        new_rows.clear()
        new_results.clear()

    with db.atomic():
        next_id = (Inspection.select(Inspection.id).order_by(Inspection.id.desc()).scalar() or 0) + 1
        for _, r in pkg.records():
            digest = records.content_hash(r)
            current = existing.get(r["uuid"])
            if current is None:
                new_rows.append(_row(next_id, r, lk, digest))
                new_results += _result_rows(next_id, r, lk)
                new_records.append((next_id, r["observed_at"], r["staff"], r["passed"]))
                existing[r["uuid"]] = (next_id, r["revision"], digest)  # a repeated record in the same package
                next_id += 1
                summary.new += 1
                if len(new_rows) >= BATCH:
                    flush()
                continue
            insp_id, revision, stored_digest = current
            if not stored_digest:
                stored_digest = records.stamp(Inspection.get_by_id(insp_id))
            if digest == stored_digest or r["revision"] < revision:
                summary.unchanged += 1
            elif r["revision"] > revision:
                flush()  # the record replaced may be one written in this import
                _replace(insp_id, r, lk, digest, pkg.name, user)
                existing[r["uuid"]] = (insp_id, r["revision"], digest)
                summary.updated += 1
            else:
                InspectionHistory.create(uuid=r["uuid"], revision=r["revision"], kind="conflict",
                                         content=records.canonical(r), content_hash=digest, source=pkg.name)
                summary.conflicts += 1
                summary.conflict_details.append(f"{r['window']} {r['observed_at'][:16]} ({r['uuid'][:8]}) 第 {revision} 版两处修改不同")
        flush()
        if summary.new and not is_sqlite():
            db.obj.execute_sql("SELECT setval(pg_get_serial_sequence('inspection', 'id'), (SELECT MAX(id) FROM inspection))")
        for ref in pkg.photos:
            if not photo_path(ref).exists():
                store_photo(pkg.photo_bytes(ref))
                summary.photos += 1
        _probation_for(new_records, lk.staff)
        audit.record(user, "import.results", f"package:{pkg.sha256[:16]}",
                     new={"file": pkg.name, "device": pkg.manifest.get("device"), "new": summary.new,
                          "updated": summary.updated, "unchanged": summary.unchanged, "conflicts": summary.conflicts,
                          "conflict_details": summary.conflict_details})
        ImportLog.create(package_sha256=pkg.sha256, file_name=pkg.name, device_id=str(pkg.manifest.get("device", "")),
                         centre_code=pkg.manifest["centre"], new=summary.new, updated=summary.updated,
                         unchanged=summary.unchanged, conflicts=summary.conflicts)
    return summary


def apply_revision(insp_id: int, r: dict, source: str, user: User) -> None:
    """Make record `r` the stored version of an inspection (the current one goes to the history)."""
    _replace(insp_id, r, _lookups(), records.content_hash(r), source, user)


def _replace(insp_id: int, r: dict, lk: _Lookups, digest: str, source: str, user: User) -> None:
    """A newer revision replaces the stored one (kept in the history); probation follows a changed verdict."""
    old = Inspection.get_by_id(insp_id)
    old_record = records.record_of(old)
    InspectionHistory.create(uuid=old.uuid, revision=old.revision, kind="replaced", content=records.canonical(old_record),
                             content_hash=records.content_hash(old_record), source=source)
    values = dict(zip(INSPECTION_COLUMNS, _row(insp_id, r, lk, digest)))
    values.pop("id")
    Inspection.update({Inspection._meta.fields[k]: v for k, v in values.items()}).where(Inspection.id == insp_id).execute()
    ItemResult.delete().where(ItemResult.inspection == insp_id).execute()
    bulk_insert(ItemResult, ["inspection", "item", "result", "note", "photos"], _result_rows(insp_id, r, lk))
    if old.status == "final" and r["passed"] is not None:
        probation.on_result_changed(Inspection.get_by_id(insp_id), old.passed,
                                    f"导入 {source} 中的第 {r['revision']} 版", user)


def _probation_for(new_records: list[tuple[int, str, str | None, bool | None]], staff_ids: dict[str, int]) -> None:
    """Run the probation rules on new inspections (id, observed_at, staff, passed) in the order they
    were observed. Only a failure, or an inspection of someone with an open case, can change anything."""
    settings = load_settings()
    watched = {s for (s,) in ProbationCase.select(ProbationCase.staff).where(ProbationCase.status == "open").tuples()}
    for insp_id, _, staff, passed in sorted(new_records, key=lambda x: x[1]):
        staff_id = staff_ids.get(staff) if staff else None
        if staff_id is None:
            continue
        if passed is False or staff_id in watched:
            probation.on_finalised(Inspection.get_by_id(insp_id), settings)
            if passed is False:
                watched.add(staff_id)


def import_packages(paths: list[str | Path], user: User) -> list[ImportSummary]:
    """Import several packages; each is checked and written whole, one after the other."""
    return [import_package(p, user) for p in paths]
