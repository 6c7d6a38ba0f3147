"""Restoring the database from a checked backup of the same centre: the district manager's alone. Before
anything is replaced the current file is copied aside, and what the backup lacks (inspections into a results
package, decisions and audit entries into the restore's own audit entry) is kept, so nothing is lost that
cannot be brought back."""

from __future__ import annotations

import datetime as dt
import os
from dataclasses import dataclass
from pathlib import Path

from app import audit
from app.centres import scope
from app.centres.centre import current_centre
from app.errors import PatrolError
from app.exchange.results_package import export_uuids
from app.roles import require_role
from app.storage.backup import (
    SAFETY_PREFIX,
    Checked,
    backup_dir,
    check_backup,
    copy_database,
    district_only,
    what_the_backup_lacks,
)
from app.storage.db import close_database, open_database
from app.storage.proxy import sqlite_path


@dataclass(frozen=True)
class Restored:
    checked: Checked
    safety: Path  # the file as it was before the restore
    package: Path | None  # inspections the backup lacks, to import again if wanted
    inspections: int
    decisions: int
    audit_entries: int



def restore(path: str | Path, user, centre_id=scope.SOLE) -> Restored:
    """Replace the database with a checked backup of the same centre (managers only). Before that, the
    current file is copied aside and what the backup lacks is written out and into the audit trail."""
    require_role(user, "manager")
    district_only(user, "从备份恢复")
    checked = check_backup(path)
    centre = current_centre(centre_id=centre_id)
    if centre is not None and checked.centre != centre.code:
        raise PatrolError(f"{checked.path.name}: 是中心 {checked.centre or '(无)'} 的数据库, 本库是 {centre.code}; 不能恢复")
    live = sqlite_path()
    folder = backup_dir()
    folder.mkdir(parents=True, exist_ok=True)
    stamp = f"{dt.datetime.now():%Y%m%d-%H%M%S-%f}"
    uuids, events, entries = what_the_backup_lacks(checked.path)
    package = None
    if uuids:
        package = export_uuids(folder / f"restore-discarded-{stamp}.wpr", uuids, centre_id=centre_id).path
    safety = folder / f"{SAFETY_PREFIX}{stamp}.db"
    copy_database(safety)  # not a rotated backup: kept until a person deletes it
    username = user.username
    # Replace the file itself: the backup API cannot copy into a WAL database of another page size.
    staged = live.with_name(f".{live.name}.restore.part")
    with open(checked.path, "rb") as src, open(staged, "wb") as dst:
        while block := src.read(1 << 20):
            dst.write(block)
        dst.flush()
        os.fsync(dst.fileno())
    close_database()
    for suffix in ("-wal", "-shm"):
        live.with_name(live.name + suffix).unlink(missing_ok=True)
    os.replace(staged, live)
    open_database(str(live), create=False)  # migrates an older backup, clears the caches
    audit.record(username, "backup.restore", f"file:{checked.path.name}",
                 old={"inspections_not_in_backup": len(uuids), "package": package.name if package else None,
                      "probation_events": events, "audit_entries": entries},
                 new={"inspections": checked.inspections, "schema": checked.schema_version, "safety_copy": safety.name})
    return Restored(checked, safety, package, len(uuids), len(events), len(entries))
