"""Results packages: finalised inspections of a laptop in one signed file, for the manager's PC.

The file is a zip: `manifest.json` (centre, device, inspectors, period, counts, checklist versions,
and the SHA-256 of every other file), `inspections.jsonl` (one record per line, app.patrolling.records),
`photos/<ref>`, and `signature`: `ed25519 <key id> <signature of manifest.json>` by this database's own
key (an enrolled laptop's, or the office's). The signature covers the manifest, the manifest covers
every file: nothing can change unnoticed, and nothing can be signed without the device's key.
Format 1 (before schema v5) was signed with an HMAC key the laptops shared; see app.exchange.results_import.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import tempfile
import zipfile
from dataclasses import dataclass
from pathlib import Path

from app.centres import scope
from app.centres.centre import current_centre
from app.centres.settings import local_value, set_local_value
from app.errors import PatrolError
from app.keys import identity
from app.patrolling import records
from app.patrolling.evidence import photo_path
from app.storage.leftovers import sweep
from app.storage.models import ChecklistVersion, Inspection, User, now
from app.storage.proxy import db

FORMAT = "window-patrol-results"
FORMAT_VERSION = 2
SUFFIX = ".wpr"
WATERMARK_KEY = "results_exported_until"


def _local(key: str, default=None):
    return local_value(key, default)


def _set_local(key: str, value) -> None:
    set_local_value(key, value)


def signature_line(manifest: bytes) -> str:
    key_id, signature = identity.sign(manifest)
    return f"ed25519 {key_id} {signature}"


@dataclass(frozen=True)
class ExportSummary:
    path: Path
    inspections: int
    item_results: int
    photos: int
    period: tuple[str, str]


def sha256_of(fh) -> str:
    """SHA-256 of a binary stream, read a megabyte at a time (files and zip members alike)."""
    digest = hashlib.sha256()
    for block in iter(lambda: fh.read(1 << 20), b""):
        digest.update(block)
    return digest.hexdigest()


def export_results(out: str | Path, since: dt.date | None = None, user: User | None = None,
                   centre_id=scope.SOLE) -> ExportSummary:
    """Write finalised inspections (all since the last export, or observed since a date) to a package.
    An inspector exports only their own, wherever they run it (with a watermark of their own)."""
    centre = current_centre(centre_id=centre_id)
    if centre is None:
        raise PatrolError("数据库中没有中心")
    query = Inspection.select().where((Inspection.status == "final") & scope.inspections(centre_id)).order_by(
        Inspection.observed_at, Inspection.id)
    if user is not None and user.role != "manager":
        # An inspector's own records; on a laptop, also those of inspectors the office has since taken off
        # it (they can no longer sign in here, and their unsent records must still reach the office).
        keys = {user.id: f"{WATERMARK_KEY}:{user.username}"}
        if identity.local() is not None and identity.local().role == "device":
            keys.update({u.id: f"{WATERMARK_KEY}:{u.username}" for u in User.select().where(
                (User.role == "inspector") & (User.active == False))})  # noqa: E712
    else:
        keys = {None: WATERMARK_KEY}
    if since is not None:
        query = query.where(Inspection.observed_at >= dt.datetime.combine(since, dt.time()))
    whose = None
    for who, key in keys.items():
        mark = _local(key) if since is None else None
        part = (Inspection.inspector == who) if who is not None else None
        if mark:
            after = Inspection.updated_at > dt.datetime.fromisoformat(mark)
            part = after if part is None else part & after
        whose = part if whose is None else (whose | part if part is not None else whose)
    if whose is not None:
        query = query.where(whose)
    if not query.exists():
        raise PatrolError("没有新的已定稿巡查记录可导出" if since is None else f"{since} 以来没有已定稿的巡查记录")
    summary, latest_change = write_package(out, query, centre_id=centre_id)
    if since is None:
        with db.atomic():
            for key in keys.values():
                _set_local(key, latest_change.isoformat())
    return summary


def export_uuids(out: str | Path, uuids: list[str], centre_id=scope.SOLE) -> ExportSummary:
    """A package of the named finalised inspections (what a restore would discard, say)."""
    query = (Inspection.select().where((Inspection.status == "final") & (Inspection.uuid.in_(uuids)))
             .order_by(Inspection.observed_at, Inspection.id))
    return write_package(out, query, centre_id=centre_id)[0]


def write_package(out: str | Path, query, roster: bytes | None = None,
                  centre_id=scope.SOLE) -> tuple[ExportSummary, dt.datetime]:
    """Write the inspections of a query to a signed package; (summary, latest change written). With a
    roster (a centre's month for its district) the package carries the centre's roster too."""
    centre = current_centre(centre_id=centre_id)
    out = Path(out)
    if out.suffix != SUFFIX:
        raise PatrolError(f"结果包文件的扩展名应为 {SUFFIX}")
    if not out.parent.is_dir():
        raise PatrolError(f"输出文件夹不存在: {out.parent}")
    # Streamed: records go into the zip one at a time and photos are copied from their files, so a
    # long period or many photos does not grow memory. The manifest (hashes, counts) is written last.
    count, results, photos, versions, inspectors = 0, 0, set(), {}, set()
    first_seen = last_seen = latest_change = None
    digest = hashlib.sha256()
    sweep(out.parent)  # what a killed export left here
    fd, tmp = tempfile.mkstemp(dir=out.parent, prefix=f".{out.stem}.", suffix=".part")
    os.close(fd)
    try:
        with zipfile.ZipFile(tmp, "w", compression=zipfile.ZIP_DEFLATED) as zf:
            with zf.open("inspections.jsonl", "w", force_zip64=True) as fh:
                for insp in query.iterator():
                    record = records.record_of(insp)
                    line = (records.canonical(record) + "\n").encode("utf-8")
                    digest.update(line)
                    fh.write(line)
                    count += 1
                    results += len(record["results"])
                    inspectors.add(record["inspector"])
                    versions[insp.checklist_version_id] = record["checklist"]
                    for _, _, _, refs in record["results"]:
                        photos.update(refs)
                    first_seen = min(first_seen or insp.observed_at, insp.observed_at)
                    last_seen = max(last_seen or insp.observed_at, insp.observed_at)
                    latest_change = max(latest_change or insp.updated_at, insp.updated_at)
            files = {"inspections.jsonl": digest.hexdigest()}
            for ref in sorted(photos):
                path = photo_path(ref)
                if not path.exists():
                    raise PatrolError(f"照片文件缺失: {path}")
                zf.write(path, f"photos/{ref}", compress_type=zipfile.ZIP_STORED)
                with open(path, "rb") as fh:
                    files[f"photos/{ref}"] = sha256_of(fh)
            if roster is not None:
                zf.writestr("roster.json", roster)
                files["roster.json"] = hashlib.sha256(roster).hexdigest()
            version_rows = {v.id: v for v in ChecklistVersion.select().where(ChecklistVersion.id.in_(list(versions)))}
            manifest = {
                "format": FORMAT, "format_version": FORMAT_VERSION, "centre": centre.code, "device": identity.local().key_id,
                "created_at": now().isoformat(), "inspectors": sorted(inspectors),
                "period": {"from": first_seen.date().isoformat(), "to": last_seen.date().isoformat()},
                "counts": {"inspections": count, "item_results": results, "photos": len(photos)},
                "checklist_versions": [{"code": c["code"], "version": version_rows[vid].version, "hash": c["hash"]}
                                       for vid, c in sorted(versions.items())],
                "files": files,
            }
            if identity.local().installation:  # which enrolment of this key made the package
                manifest["installation"] = identity.local().installation
            if roster is not None:
                manifest["kind"] = "centre"
            manifest_bytes = json.dumps(manifest, ensure_ascii=False, indent=1, sort_keys=True).encode("utf-8")
            zf.writestr("manifest.json", manifest_bytes)
            zf.writestr("signature", signature_line(manifest_bytes))
        os.replace(tmp, out)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return (ExportSummary(out, count, results, len(photos), (manifest["period"]["from"], manifest["period"]["to"])),
            latest_change)
