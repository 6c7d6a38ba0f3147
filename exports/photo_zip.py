"""Evidence photos of a period in one zip, foldered by window and date."""

from __future__ import annotations

import zipfile
from pathlib import Path

from app.errors import PatrolError
from app.patrolling.evidence import photo_path
from app.results.reports import PhotoEntry
from exports.files import atomic_output


def photos_zip(path: str | Path, entries: list[PhotoEntry]) -> tuple[int, int]:
    """Write `<window>/<YYYY-MM-DD>/<item>_<hash><ext>`; list missing files in 缺失照片.txt. (written, missing)"""
    if not entries:
        raise PatrolError("该期间没有照片")
    missing = []
    written = 0
    with atomic_output(path, (".zip",)) as tmp:
        with zipfile.ZipFile(tmp, "w", compression=zipfile.ZIP_STORED) as zf:  # photos are compressed already
            seen = set()
            for e in entries:
                name = f"{e.window}/{e.day.isoformat()}/{e.item_code}_{e.ref[:16]}{Path(e.ref).suffix}"
                if name in seen:
                    continue
                seen.add(name)
                source = photo_path(e.ref)
                if source.exists():
                    zf.write(source, name)
                    written += 1
                else:
                    missing.append(f"{name}\t{e.ref}")
            if missing:
                zf.writestr("缺失照片.txt", "以下照片在本机照片文件夹中找不到:\n" + "\n".join(missing) + "\n")
    return written, len(missing)
