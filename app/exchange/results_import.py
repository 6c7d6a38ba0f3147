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
from dataclasses import dataclass, field
from pathlib import Path

from app import audit
from app.centres import scope
from app.centres.settings import rule_book
from app.errors import PatrolError, PermissionDenied
from app.exchange.centre_package import apply_roster
from app.exchange.package_reading import Package, fail, read_package
from app.exchange.record_checks import EARLIEST, Context, Lookups, lookups, record_problems, with_kept_photos
from app.loop import rectification
from app.patrolling import records
from app.results import probation_rules
from app.results.frozen import why_frozen
from app.roles import require_role
from app.storage.db import bulk_insert
from app.storage.models import (
    Centre,
    Device,
    ImportLog,
    Inspection,
    InspectionHistory,
    ItemResult,
    User,
    Window,
    change_time,
    now,
)
from app.storage.proxy import db, is_sqlite


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
    device: str = ""  # the key id of the laptop that signed it ("" for a centre's month or a legacy package)

    def line(self) -> str:
        text = f"{self.file}: 新增 {self.new}, 更新 {self.updated}, 未变 {self.unchanged}, 冲突 {self.conflicts}"
        text += f", 照片 {self.photos}" if self.photos else ""
        return text + (f"; 其中 {self.regraded} 条笔记本按旧评分规则评定, 已按本中心现行规则重新评定" if self.regraded else "")


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


def _earliest_allowed(signer) -> dt.datetime:
    """A laptop recorded nothing before the day the office enrolled it (its database did not exist)."""
    if signer.kind == "device" and signer.enrolled_at is not None:
        return dt.datetime.combine(signer.enrolled_at.date(), dt.time())
    return EARLIEST


def _record_checks(pkg: Package, lk: Lookups) -> tuple[list[str], dict[str, tuple[int, int, str]], Context, list[str]]:
    """Everything the records name, claim and compute, against this database; and the stored
    (id, revision, content hash) of the records it already has; and the context the checks filled: the
    office's figures for records graded by rules the office has since changed, the names the photos are
    kept under; and every UUID the package holds. A record identical to one already accepted is not
    checked again (importing a package twice stays cheap)."""
    ctx = Context(lk, rule_book(lk.centre_id), set(pkg.photos), pkg.signer.inspectors,
                  None if pkg.signer.kind in ("office", "centre") else 1, _latest_allowed(pkg.manifest),
                  _earliest_allowed(pkg.signer), photo_bytes=pkg.photo_bytes)
    problems: list[str] = []
    existing: dict[str, tuple[int, int, str]] = {}
    uuids: list[str] = []
    frozen_on: dict[dt.date, str] = {}  # a day's publication, asked once a day, not once a record

    def check(chunk: list[tuple[int, dict]]) -> None:
        uuids.extend(r["uuid"] for _, r in chunk)
        found, elsewhere = _existing([r["uuid"] for _, r in chunk], lk.centre_id)
        existing.update(found)
        for line, r in chunk:
            for ref in {ref for *_, refs in r["results"] for ref in refs}:
                ctx.keep_photo(ref)
            if r["uuid"] in elsewhere:
                problems.append(f"inspections.jsonl 第 {line} 行 (记录 {r['uuid'][:8]}): 该记录属于其他中心, 本包不能改动")
                continue
            stored = found.get(r["uuid"])
            if stored and stored[2] and stored[2] == records.content_hash(with_kept_photos(r, ctx.kept)):
                continue
            found_problems = record_problems(r, ctx)
            if not found_problems:
                # A late record, or a changed one, of a period the centre has published waits for it to be
                # re-opened: nothing of the package is written until then.
                day = dt.datetime.fromisoformat(r["observed_at"]).date()
                if day not in frozen_on:
                    frozen_on[day] = why_frozen(lk.centre_id, day)
                found_problems = [f"属于{frozen_on[day]}"] if frozen_on[day] else []
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
    return problems, existing, ctx, uuids


CHECK_CHUNK = 200  # records held at once while checking: memory stays flat


def _existing(uuids: list[str], centre_id: int | None) -> tuple[dict[str, tuple[int, int, str]], set[str]]:
    """The stored (id, revision, hash) of the records this package's centre already has, and the UUIDs
    that belong to another centre's records (which no package of this centre may touch)."""
    found, elsewhere = {}, set()
    for start in range(0, len(uuids), 900):
        chunk = uuids[start:start + 900]
        for u, i, rev, digest, owner in (Inspection.select(Inspection.uuid, Inspection.id, Inspection.revision,
                                                           Inspection.content_hash, Window.centre)
                                         .join(Window).where(Inspection.uuid.in_(chunk)).tuples()):
            if owner != centre_id:
                elsewhere.add(u)
            else:
                found[u] = (i, rev, digest)
    return found, elsewhere


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


def import_package(path: str | Path, user: User, centre_id=scope.SOLE) -> ImportSummary:
    """Verify a whole package against this database, then merge it in one transaction (managers only).
    Two passes over the records (check, then write), each streamed from the zip."""
    require_role(user, "manager")
    pkg = read_package(path, centre_id=centre_id)
    if pkg.signer.kind == "centre" and user.centre_id is not None:
        raise PermissionDenied(f"{pkg.name}: 中心报送全区的月度结果包只能由区级管理员导入")
    if pkg.signer.kind != "centre":
        return _import(pkg, user, lookups(centre_id=centre_id))
    # A centre's month at the district: the centre's roster first, then its records, all or nothing,
    # graded by that centre's own settings.
    centre = Centre.get_or_none(Centre.code == pkg.signer.centre_code)
    if centre is None:
        raise PatrolError(f"{pkg.name}: 全区数据库中没有中心 {pkg.signer.centre_code}")
    with db.atomic():
        users = apply_roster(pkg.roster, centre)
        lk = lookups(centre.id)
        lk.users = users
        return _import(pkg, user, lk)


def first_installation(pkg: Package) -> None:
    """Remember which installation of a laptop's key the office imported first (the reader refuses
    another's packages)."""
    installation = pkg.manifest.get("installation")
    if pkg.signer.kind == "device" and isinstance(installation, str) and installation:
        Device.update(installation=installation, installation_seen=now()).where(
            (Device.key_id == pkg.signer.key_id) & (Device.installation == "")).execute()


def _import(pkg: Package, user: User, lk: Lookups) -> ImportSummary:
    problems, existing, ctx, uuids = _record_checks(pkg, lk)
    regraded = ctx.regraded
    if problems:
        fail(pkg.name, problems)
    summary = ImportSummary(pkg.name, device=pkg.signer.key_id if pkg.signer.kind == "device" else "")
    new_rows, new_results, new_ids = [], [], []

    def flush() -> None:
        bulk_insert(Inspection, INSPECTION_COLUMNS, new_rows)
        bulk_insert(ItemResult, ["inspection", "item", "result", "note", "photos"], new_results)
        new_rows.clear()
        new_results.clear()

    source = "" if pkg.signer.kind == "office" else pkg.signer.key_id
    with db.atomic():
        _one_import_at_a_time()
        _unchanged_since_checked(pkg.name, uuids, existing, lk.centre_id)
        first_installation(pkg)
        ids = _id_allocator()
        for _, r in pkg.records():
            r = with_kept_photos(r, ctx.kept)
            if r["uuid"] in regraded:
                r.update(regraded[r["uuid"]])
                summary.regraded += 1
            digest = records.content_hash(r)
            current = existing.get(r["uuid"])
            if current is None:
                next_id = next(ids)
                new_rows.append(_row(next_id, r, lk, digest, source))
                new_results += _result_rows(next_id, r, lk)
                new_ids.append(next_id)
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
        summary.photos = ctx.new_photos
        # What follows the new records, for the whole package at once, in the order observed.
        probation_rules.on_finalised_many(new_ids)
        rectification.on_finalised_many(new_ids)
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


def _unchanged_since_checked(name: str, uuids: list[str], checked: dict, centre_id) -> None:
    """The records as the checks found them, now that this import holds the writer's place: the same
    package, imported from another window (say), may have written some of them meanwhile."""
    found: dict = {}
    elsewhere: set = set()
    for start in range(0, len(uuids), 5000):
        more, other = _existing(uuids[start:start + 5000], centre_id)
        found.update(more)
        elsewhere |= other
    if found != checked or elsewhere:
        raise PatrolError(f"{name}: 检查期间另一次导入已写入本包中的记录, 未导入任何记录; 请再导入一次"
                          " (已写入的记录将显示为未变)")


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


def apply_revision(insp_id: int, r: dict, source: str, user: User, centre_id=scope.SOLE) -> None:
    """Make record `r` the stored version of an inspection (the current one goes to the history)."""
    old = Inspection.get_by_id(insp_id)
    _replace(insp_id, r, lookups(centre_id=centre_id), records.content_hash(r), source, user, old.source_device)


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
        probation_rules.on_result_changed(Inspection.get_by_id(insp_id), old.passed,
                                    f"导入 {source} 中的第 {r['revision']} 版", user)

        changes = {code: result for code, result, *_ in r["results"]}
        rectification.on_amended(Inspection.get_by_id(insp_id), changes, f"导入 {source} 中的第 {r['revision']} 版")


def import_packages(paths: list[str | Path], user: User, centre_id=scope.SOLE) -> list[ImportSummary]:
    """Import several packages; each is checked and written whole, one after the other."""
    return [import_package(p, user, centre_id=centre_id) for p in paths]
