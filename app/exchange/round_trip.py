"""One visit to the office with a USB stick: the laptop's results package is imported, and the update
for that laptop is written beside it, so the laptop goes home with the office's state including what
it just brought (its failures' rectification items, the cases they opened)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

from app.centres import scope
from app.errors import PatrolError
from app.exchange import update_file
from app.exchange.results_import import ImportSummary, import_package
from app.storage.models import User


@dataclass(frozen=True)
class RoundTrip:
    imported: ImportSummary
    update: update_file.WrittenUpdate | None  # None: the package was not a laptop's (a centre's month)


def import_and_update(user: User, package: str | Path, today: dt.date, out_folder: str | Path | None = None,
                      centre_id=scope.SOLE) -> RoundTrip:
    """Import a laptop's package, then write that laptop's next update into `out_folder` (the package's
    own folder unless given) as `<key id>.wpu`."""
    package = Path(package)
    folder = Path(out_folder) if out_folder else package.parent
    if not folder.is_dir():
        raise PatrolError(f"更新文件的文件夹不存在: {folder}")
    summary = import_package(package, user, centre_id=centre_id)
    if not summary.device:
        return RoundTrip(summary, None)
    written = update_file.write_update(user, summary.device, folder / f"{summary.device}{update_file.SUFFIX}", today,
                                       centre_id=centre_id)
    return RoundTrip(summary, written)
