"""Importing results packages on the manager's side: verify everything, then write in one transaction.

The signature is checked first, with the public key of the device it names (enrolled at this office,
not revoked), before a byte of the manifest is parsed; member sizes are checked before anything is
inflated. Then every record is checked field by field and its figures recomputed (app.exchange.record_checks).

Merge rule per inspection (by UUID): unknown -> new; same revision and same content -> unchanged;
a higher revision (only from an office's key: a laptop sends first revisions) -> replaces the stored
one, which goes to the history; a lower revision -> unchanged (the newer stays); the same revision
with different content -> a conflict: the incoming version is kept in the history beside the stored
one and both are reported.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import io
import json
import re
import struct
import zipfile
import zlib
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from app import audit
from app.exchange import identity, records, signing
from app.results import probation
from app.people.accounts import require_role
from app.centres.centre import current_centre
from app.storage.db import bulk_insert, db, is_sqlite
from app.errors import PatrolError
from app.exchange.identity import Signer
from app.storage.models import ImportLog, Inspection, InspectionHistory, ItemResult, ProbationCase, User, change_time
from app.patrolling.photos import REF as PHOTO_REF
from app.patrolling.photos import photo_path, store_photo
from app.exchange.record_checks import HEX64, Context, Lookups, lookups, record_problems, shape_problems
from app.exchange.results_package import FORMAT, FORMAT_VERSION, sha256_of
from app.centres.settings import rule_book

MAX_ERRORS = 20
# Everything reading a damaged zip can raise: bad headers, bad deflate data, a flipped compression
# method, truncation. All mean the same to the user: the file is damaged.
DAMAGED = (zipfile.BadZipFile, zipfile.LargeZipFile, EOFError, OSError, ValueError, zlib.error,
           NotImplementedError, RuntimeError, KeyError, struct.error, UnicodeDecodeError)
# Limits checked against the zip's own directory before a member is read (README: limits).
MAX_SIGNATURE = 1024
MAX_MANIFEST = 8 * 2**20
MAX_PHOTO = 25 * 2**20
MAX_RECORDS = 4 * 2**30
MAX_ROSTER = 32 * 2**20  # a centre's roster: 20,000 rows of a few hundred bytes
MAX_LINE = 2**20  # one record: 1,000 results with notes fit in far less
MAX_RATIO = 1000  # inflated / compressed: text compresses ~10x; a bomb ~1000x
LEGACY = "LEGACY"


@dataclass
class ImportSummary:
    file: str
    new: int = 0
    updated: int = 0
    unchanged: int = 0
    conflicts: int = 0
    photos: int = 0
    conflict_details: list[str] = field(default_factory=list)
    regraded: int = 0  # graded on the laptop by rules the office has since changed; stored as the office grades

    def line(self) -> str:
        text = f"{self.file}: 新增 {self.new}, 更新 {self.updated}, 未变 {self.unchanged}, 冲突 {self.conflicts}"
        text += f", 照片 {self.photos}" if self.photos else ""
        return text + (f"; 其中 {self.regraded} 条笔记本按旧评分规则评定, 已按本中心现行规则重新评定" if self.regraded else "")


@dataclass
class _Package:
    """An authenticated package. Records are read from the zip when iterated (twice in an import: to
    check, then to write), so memory does not grow with the package."""

    name: str
    sha256: str
    manifest: dict
    path: Path
    count: int
    signer: Signer
    photos: dict[str, str] = field(default_factory=dict)  # photo ref -> zip member
    roster: object = None  # a centre's month for its district: app.exchange.centre_package.Roster

    def records(self) -> Iterator[tuple[int, dict]]:
        """(line number, record) for each record; the package was fully checked when read."""
        with zipfile.ZipFile(self.path) as zf, zf.open("inspections.jsonl") as fh:
            for n, line in enumerate(io.TextIOWrapper(fh, encoding="utf-8"), start=1):
                if line.strip():
                    yield n, _loads(line)

    def photo_bytes(self, ref: str) -> bytes:
        with zipfile.ZipFile(self.path) as zf:
            return zf.read(self.photos[ref])


def _fail(name: str, problems: list[str]) -> None:
    if len(problems) == 1:  # the usual case: one line that names the record and the field
        raise PatrolError(f"{name}: 结果包有误, 未导入任何记录: {problems[0]}")
    shown = problems[:MAX_ERRORS]
    more = f"\n另有 {len(problems) - MAX_ERRORS} 处问题" if len(problems) > MAX_ERRORS else ""
    raise PatrolError(f"{name}: 结果包有误, 未导入任何记录\n" + "\n".join(shown) + more)


def _no_constant(name: str):
    raise ValueError(f"{name} 不是有效数字")


def _loads(text: str | bytes):
    """JSON without NaN or Infinity; nesting too deep is a ValueError, not a crash."""
    try:
        return json.loads(text, parse_constant=_no_constant)
    except RecursionError:
        raise ValueError("嵌套过深") from None


def _member_limits(name: str, infos: dict[str, zipfile.ZipInfo]) -> None:
    """Refuse members larger than their limit, or inflating far beyond their compressed size."""
    for member, info in infos.items():
        limit = {"signature": MAX_SIGNATURE, "manifest.json": MAX_MANIFEST, "inspections.jsonl": MAX_RECORDS,
                 "roster.json": MAX_ROSTER}.get(member, MAX_PHOTO)
        if info.file_size > limit:
            raise PatrolError(f"{name}: 成员 {member[:60]} 解压后 {info.file_size} 字节, 超过上限 {limit}, 拒绝读取")
        if info.file_size > 2**20 and info.file_size > MAX_RATIO * max(info.compress_size, 1):
            raise PatrolError(f"{name}: 成员 {member[:60]} 的压缩比异常 (压缩炸弹?), 拒绝读取")


def _authenticate(name: str, manifest_bytes: bytes, signature: str, centre) -> Signer:
    """The signer of the manifest, checked before the manifest is parsed."""
    parts = signature.split()
    if len(parts) == 1 and HEX64.fullmatch(parts[0]):
        if not centre.signing_key:
            raise PatrolError(f"{name}: 旧格式结果包 (共享密钥签名) 已停用; 请让巡查员的笔记本重新登记后再导出")
        expected = hmac.new(centre.signing_key.encode("utf-8"), manifest_bytes, hashlib.sha256).hexdigest()
        if not hmac.compare_digest(expected, parts[0]):
            raise PatrolError(f"{name}: 签名不符: 结果包被改动过, 或不是本中心的结果包")
        return Signer(LEGACY, "升级前的共享密钥", "", "legacy", None)
    if len(parts) != 3 or parts[0] != "ed25519" or not re.fullmatch(r"[A-Z0-9]{1,20}", parts[1]):
        raise PatrolError(f"{name}: 签名格式无效, 不是有效的结果包")
    _, key_id, sig = parts
    signer = identity.signer(key_id)
    if signer is None:
        raise PatrolError(f"{name}: 签名来自未在本中心登记的设备 {key_id}, 拒绝导入")
    if signer.revoked_at is not None:
        raise PatrolError(f"{name}: 设备 {signer.name} ({key_id}) 已于 {signer.revoked_at:%Y-%m-%d %H:%M} 注销"
                          f" ({signer.revoke_reason}), 其结果包不再接受")
    if not signing.verify(signer.public_key, manifest_bytes, sig):
        raise PatrolError(f"{name}: 签名不符: 结果包被改动过, 或不是设备 {signer.name} ({key_id}) 签名的")
    return signer


def read_package(path: str | Path) -> _Package:
    """Open and authenticate a package: sizes, signature, manifest, centre, checksums, every record's shape.
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
        centre = current_centre()
        if centre is None:
            raise PatrolError("数据库中没有中心, 请先建立中心")
        try:
            infos = {i.filename: i for i in zf.infolist()}
            if "manifest.json" not in infos or "signature" not in infos:
                raise PatrolError(f"{name}: 缺少 manifest.json 或 signature, 不是有效的结果包")
            _member_limits(name, infos)
            signature = zf.read("signature").decode("ascii", "replace").strip()
            manifest_bytes = zf.read("manifest.json")
        except DAMAGED as exc:
            raise PatrolError(f"{name}: 文件已损坏或不完整, 不是有效的结果包 ({exc.__class__.__name__})") from None
        signer = _authenticate(name, manifest_bytes, signature, centre)
        try:
            manifest = _loads(manifest_bytes.decode("utf-8"))
        except (UnicodeDecodeError, ValueError) as exc:
            raise PatrolError(f"{name}: manifest.json 无法解析 ({exc})") from None
        if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
            raise PatrolError(f"{name}: 不是窗口巡查结果包")
        if signer.kind == "centre":
            if manifest.get("centre") != signer.centre_code:
                raise PatrolError(f"{name}: 包中的中心 {str(manifest.get('centre'))[:20]} 与签名的中心管理端 "
                                  f"({signer.centre_code}) 不符")
        elif manifest.get("centre") != centre.code:
            raise PatrolError(f"{name}: 来自其他中心 ({str(manifest.get('centre'))[:20]}), 本库是 {centre.code}")
        expected_version = 1 if signer.kind == "legacy" else FORMAT_VERSION
        if manifest.get("format_version") != expected_version:
            raise PatrolError(f"{name}: 不支持的结果包版本 {str(manifest.get('format_version'))[:10]}")
        if signer.kind != "legacy" and manifest.get("device") != signer.key_id:
            raise PatrolError(f"{name}: manifest.json 中的设备 {str(manifest.get('device'))[:20]} 与签名设备 {signer.key_id} 不符")
        files = manifest.get("files")
        if (not isinstance(files, dict) or "inspections.jsonl" not in files
                or not all(isinstance(m, str) and isinstance(d, str) for m, d in files.items())):
            raise PatrolError(f"{name}: manifest.json 缺少文件清单")
        for member, digest in files.items():
            roster_ok = member == "roster.json" and signer.kind == "centre"
            if member != "inspections.jsonl" and not roster_ok and not (
                    member.startswith("photos/") and PHOTO_REF.fullmatch(member[7:])):
                raise PatrolError(f"{name}: 文件清单中有不允许的成员 {member[:60]!r}")
            if member.startswith("photos/") and digest != member[7:71]:
                raise PatrolError(f"{name}: 照片 {member[7:23]} 的内容与其名称不符")
        try:
            for member, digest in files.items():
                if member not in infos:
                    raise PatrolError(f"{name}: 缺少文件 {member}")
                with zf.open(member) as fh:
                    actual = sha256_of(fh)
                if actual != digest:
                    raise PatrolError(f"{name}: 文件 {member} 的校验和不符, 内容已损坏")
        except DAMAGED as exc:
            raise PatrolError(f"{name}: 文件已损坏或不完整 ({exc.__class__.__name__})") from None
        roster = None
        if signer.kind == "centre":
            from app.exchange.centre_package import parse_roster

            if "roster.json" not in files:
                raise PatrolError(f"{name}: 中心的结果包缺少 roster.json")
            roster = parse_roster(zf.read("roster.json"), name)
        problems, count = _read_shapes(zf)
    counts = manifest.get("counts")
    if not isinstance(counts, dict) or counts.get("inspections") != count:
        problems.append(f"manifest.json: 记录数 {str((counts or {}).get('inspections'))[:12]} 与实际 {count} 不符")
    if problems:
        _fail(name, problems)
    photos = {m.split("/", 1)[1]: m for m in files if m.startswith("photos/")}
    return _Package(name, sha256, manifest, path, count, signer, photos, roster)


def _read_shapes(zf: zipfile.ZipFile) -> tuple[list[str], int]:
    problems, count = [], 0
    try:
        with zf.open("inspections.jsonl") as raw:
            fh = io.TextIOWrapper(raw, encoding="utf-8", errors="replace")
            n = 0
            while line := fh.readline(MAX_LINE + 1):
                n += 1
                if len(line) > MAX_LINE:
                    problems.append(f"inspections.jsonl 第 {n} 行: 超过 {MAX_LINE} 个字符")
                    break
                if not line.strip():
                    continue
                count += 1
                try:
                    record = _loads(line)
                except ValueError as exc:
                    problems.append(f"inspections.jsonl 第 {n} 行: 不是有效的 JSON ({str(exc)[:60]})")
                    continue
                where = f"inspections.jsonl 第 {n} 行" + (f" (记录 {str(record.get('uuid'))[:8]})" if isinstance(record, dict) else "")
                found = shape_problems(record)
                if found:
                    problems.append(f"{where}: " + "; ".join(found))
                if len(problems) > MAX_ERRORS:
                    break
    except DAMAGED as exc:
        raise PatrolError(f"文件已损坏或不完整 ({exc.__class__.__name__})") from None
    return problems, count


def _latest_allowed(manifest: dict) -> dt.datetime:
    """Nothing is observed after the end of the import day, nor after the laptop's own clock said the
    package was made."""
    end_of_today = dt.datetime.combine(dt.date.today() + dt.timedelta(days=1), dt.time())
    try:
        made = dt.datetime.fromisoformat(manifest.get("created_at"))
        if made.tzinfo is None:
            return min(end_of_today, made + dt.timedelta(minutes=1))
    except (TypeError, ValueError):
        pass
    return end_of_today


def _record_checks(pkg: _Package, lk: Lookups) -> tuple[list[str], dict[str, tuple[int, int, str]], dict[str, dict]]:
    """Everything the records name, claim and compute, against this database; and the stored
    (id, revision, content hash) of the records it already has; and the office's figures for records
    graded by rules the office has since changed. A record identical to one already accepted is not
    checked again (importing a package twice stays cheap)."""
    ctx = Context(lk, rule_book(), set(pkg.photos), pkg.signer.inspectors,
                  None if pkg.signer.kind in ("office", "centre") else 1, _latest_allowed(pkg.manifest))
    problems: list[str] = []
    existing: dict[str, tuple[int, int, str]] = {}

    def check(chunk: list[tuple[int, dict]]) -> None:
        found = _existing([r["uuid"] for _, r in chunk])
        existing.update(found)
        for line, r in chunk:
            stored = found.get(r["uuid"])
            if stored and stored[2] and stored[2] == records.content_hash(r):
                continue
            found_problems = record_problems(r, ctx)
            if found_problems:
                where = f"inspections.jsonl 第 {line} 行 (记录 {r['uuid'][:8]}, 窗口 {r['window']})"
                problems.append(f"{where}: " + "; ".join(found_problems))

    chunk: list[tuple[int, dict]] = []
    for line, r in pkg.records():
        chunk.append((line, r))
        if len(chunk) >= CHECK_CHUNK:
            check(chunk)
            chunk = []
    check(chunk)
    return problems, existing, ctx.regraded


CHECK_CHUNK = 200  # records held at once while checking: memory stays flat


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
                      "passed", "grade", "updated_at", "content_hash", "source_device"]


def _row(insp_id: int, r: dict, lk: Lookups, digest: str, source_device: str) -> tuple:
    t = dt.datetime.fromisoformat
    return (insp_id, r["uuid"], r["revision"], lk.windows[r["window"]][0], lk.staff[r["staff"]][0] if r["staff"] else None,
            lk.users[r["inspector"]][0], r["method"], t(r["observed_at"]), t(r["started_at"]),
            t(r["finished_at"]) if r["finished_at"] else None, lk.versions[r["checklist"]["hash"]], "final",
            r["note"] or "", r["score"], r["bonus"] or 0, r["deductions"] or 0, bool(r["vetoed"]), r["passed"],
            r["grade"] or "", change_time(), digest, source_device)


def _result_rows(insp_id: int, r: dict, lk: Lookups) -> list[tuple]:
    version = lk.versions[r["checklist"]["hash"]]
    return [(insp_id, lk.items[(version, code)], result, note or "", "\n".join(refs)) for code, result, note, refs in r["results"]]


BATCH = 500  # inspections written per executemany: memory stays flat whatever the package's length


def import_package(path: str | Path, user: User) -> ImportSummary:
    """Verify a whole package against this database, then merge it in one transaction (managers only).
    Two passes over the records (check, then write), each streamed from the zip."""
    require_role(user, "manager")
    pkg = read_package(path)
    if pkg.signer.kind != "centre":
        return _import(pkg, user, lookups())
    # A centre's month at the district: the centre's roster first, then its records, all or nothing,
    # graded by that centre's own settings.
    from app.centres import scope
    from app.exchange.centre_package import apply_roster
    from app.storage.models import Centre

    centre = Centre.get_or_none(Centre.code == pkg.signer.centre_code)
    if centre is None:
        raise PatrolError(f"{pkg.name}: 全区数据库中没有中心 {pkg.signer.centre_code}")
    with scope.viewing(centre.id), db.atomic():
        users = apply_roster(pkg.roster, centre)
        lk = lookups()
        lk.users = users
        return _import(pkg, user, lk)


def _import(pkg: _Package, user: User, lk: Lookups) -> ImportSummary:
    problems, existing, regraded = _record_checks(pkg, lk)
    if problems:
        _fail(pkg.name, problems)
    summary = ImportSummary(pkg.name)
    new_rows, new_results, new_records = [], [], []

    def flush() -> None:
        bulk_insert(Inspection, INSPECTION_COLUMNS, new_rows)
        bulk_insert(ItemResult, ["inspection", "item", "result", "note", "photos"], new_results)
        new_rows.clear()
        new_results.clear()

    source = "" if pkg.signer.kind == "office" else pkg.signer.key_id
    with db.atomic():
        _one_import_at_a_time()
        ids = _id_allocator()
        for _, r in pkg.records():
            if r["uuid"] in regraded:
                r.update(regraded[r["uuid"]])
                summary.regraded += 1
            digest = records.content_hash(r)
            current = existing.get(r["uuid"])
            if current is None:
                next_id = next(ids)
                new_rows.append(_row(next_id, r, lk, digest, source))
                new_results += _result_rows(next_id, r, lk)
                new_records.append((next_id, r["observed_at"], r["staff"], r["passed"]))
                existing[r["uuid"]] = (next_id, r["revision"], digest)  # a repeated record in the same package
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
                _replace(insp_id, r, lk, digest, pkg.name, user, source)
                existing[r["uuid"]] = (insp_id, r["revision"], digest)
                summary.updated += 1
            else:
                InspectionHistory.create(uuid=r["uuid"], revision=r["revision"], kind="conflict",
                                         content=records.canonical(r), content_hash=digest, source=pkg.name)
                summary.conflicts += 1
                summary.conflict_details.append(f"{r['window']} {r['observed_at'][:16]} ({r['uuid'][:8]}) 第 {revision} 版两处修改不同")
        flush()
        for ref in pkg.photos:
            if not photo_path(ref).exists():
                store_photo(pkg.photo_bytes(ref))
                summary.photos += 1
        _probation_for(new_records, lk.staff)
        _rectification_for(new_records)
        audit.record(user, "import.results", f"package:{pkg.sha256[:16]}",
                     new={"file": pkg.name, "device": pkg.signer.key_id, "signer": pkg.signer.label, "new": summary.new,
                          "updated": summary.updated, "unchanged": summary.unchanged, "conflicts": summary.conflicts,
                          "regraded": summary.regraded,
                          "conflict_details": summary.conflict_details})
        ImportLog.create(package_sha256=pkg.sha256, file_name=pkg.name, device_id=pkg.signer.key_id,
                         centre_code=pkg.manifest["centre"], new=summary.new, updated=summary.updated,
                         unchanged=summary.unchanged, conflicts=summary.conflicts)
    return summary


IMPORT_LOCK = 0x57505249  # "WPRI": the advisory lock that serialises imports on one PostgreSQL database


def _one_import_at_a_time() -> None:
    """On PostgreSQL a second import waits for nobody: it is told at once. (SQLite has one writer.)"""
    if is_sqlite():
        return
    taken = db.obj.execute_sql("SELECT pg_try_advisory_xact_lock(%s)", (IMPORT_LOCK,)).fetchone()[0]
    if not taken:
        raise PatrolError("另一个结果包正在导入 (另一位管理员或另一个窗口), 请等它完成后再导入")


def _id_allocator():
    """Ids for new inspections: from the table's sequence on PostgreSQL, so the app's own inserts on a
    shared server never collide with an import; after the largest on SQLite (one writer at a time)."""
    if is_sqlite():
        first = (Inspection.select(Inspection.id).order_by(Inspection.id.desc()).scalar() or 0) + 1
        yield from iter(range(first, 2**63))
        return
    while True:
        block = db.obj.execute_sql("SELECT nextval(pg_get_serial_sequence('inspection', 'id')) "
                                   "FROM generate_series(1, %s)", (BATCH,)).fetchall()
        yield from (row[0] for row in block)


def apply_revision(insp_id: int, r: dict, source: str, user: User) -> None:
    """Make record `r` the stored version of an inspection (the current one goes to the history)."""
    old = Inspection.get_by_id(insp_id)
    _replace(insp_id, r, lookups(), records.content_hash(r), source, user, old.source_device)


def _replace(insp_id: int, r: dict, lk: Lookups, digest: str, source: str, user: User, source_device: str) -> None:
    """A newer revision replaces the stored one (kept in the history); probation follows a changed verdict."""
    old = Inspection.get_by_id(insp_id)
    old_record = records.record_of(old)
    InspectionHistory.create(uuid=old.uuid, revision=old.revision, kind="replaced", content=records.canonical(old_record),
                             content_hash=records.content_hash(old_record), source=source)
    values = dict(zip(INSPECTION_COLUMNS, _row(insp_id, r, lk, digest, source_device)))
    values.pop("id")
    Inspection.update({Inspection._meta.fields[k]: v for k, v in values.items()}).where(Inspection.id == insp_id).execute()
    ItemResult.delete().where(ItemResult.inspection == insp_id).execute()
    bulk_insert(ItemResult, ["inspection", "item", "result", "note", "photos"], _result_rows(insp_id, r, lk))
    if old.status == "final" and r["passed"] is not None:
        probation.on_result_changed(Inspection.get_by_id(insp_id), old.passed,
                                    f"导入 {source} 中的第 {r['revision']} 版", user)
        from app.loop import rectification

        changes = {code: result for code, result, *_ in r["results"]}
        rectification.on_amended(Inspection.get_by_id(insp_id), changes, f"导入 {source} 中的第 {r['revision']} 版")


def _probation_for(new_records: list[tuple[int, str, str | None, bool | None]], staff_ids: dict[str, tuple]) -> None:
    """Run the probation rules on new inspections (id, observed_at, staff, passed) in the order they
    were observed. Only a failure, or an inspection of someone with an open case, can change anything."""
    watched = {s for (s,) in ProbationCase.select(ProbationCase.staff).where(ProbationCase.status == "open").tuples()}
    for insp_id, _, emp, passed in sorted(new_records, key=lambda x: x[1]):
        staff_id = staff_ids[emp][0] if emp else None
        if staff_id is None:
            continue
        if passed is False or staff_id in watched:
            probation.on_finalised(Inspection.get_by_id(insp_id))  # by the rules of the day observed
            if passed is False:
                watched.add(staff_id)



def _rectification_for(new_records: list[tuple[int, str, str | None, bool | None]]) -> None:
    """The rectification rules over the package's new inspections at once (app.loop.rectification)."""
    from app.loop import rectification

    rectification.on_finalised_many([insp_id for insp_id, *_ in new_records])


def import_packages(paths: list[str | Path], user: User) -> list[ImportSummary]:
    """Import several packages; each is checked and written whole, one after the other."""
    return [import_package(p, user) for p in paths]
