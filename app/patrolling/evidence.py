"""Evidence files, kept by content: photos of faults and rectifications, and conduct documents, each
written once into the data folder under its SHA-256 and referenced by that hash."""

from __future__ import annotations

import hashlib
import os
import re
import tempfile
from pathlib import Path

from app.errors import PatrolError
from app.storage.locations import default_data_dir
from app.storage.proxy import sqlite_path

ALLOWED = {b"\x89PNG": ".png", b"\xff\xd8\xff": ".jpg", b"GIF8": ".gif", b"BM": ".bmp"}
MAX_BYTES = 20 * 1024 * 1024
# A reference is the content's SHA-256 and the image type: nothing else ever names a photo file.
REF = re.compile(r"[0-9a-f]{64}\.(png|jpg|gif|bmp)")


def photo_dir() -> Path:
    """Beside a SQLite database (so the two travel together), else in the user data folder."""
    path = sqlite_path()
    return path.with_name(path.stem + "_photos") if path else default_data_dir() / "photos"


def _extension(data: bytes) -> str:
    for magic, ext in ALLOWED.items():
        if data.startswith(magic):
            return ext
    raise PatrolError("不是支持的图片格式 (PNG、JPEG、GIF、BMP)")


def store_photo(data: bytes) -> str:
    """Store image bytes once (same content, same file); return the reference `<sha256><ext>`."""
    if len(data) > MAX_BYTES:
        raise PatrolError(f"图片过大 ({len(data) // 1024 // 1024} MB), 上限 20 MB")
    ref = hashlib.sha256(data).hexdigest() + _extension(data)
    write_once(photo_path(ref), data)
    return ref


def write_once(target: Path, data: bytes) -> None:
    """Write a file named by its content, once: to a part file, synced, then renamed into place, so a
    crash never leaves half a file under a content's name."""
    if target.exists():
        return
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=target.parent, suffix=".part")
    with os.fdopen(fd, "wb") as fh:
        fh.write(data)
        fh.flush()
        os.fsync(fh.fileno())
    os.replace(tmp, target)


def store_photo_file(path: str | Path) -> str:
    try:
        data = Path(path).read_bytes()
    except OSError as exc:
        raise PatrolError(f"无法读取图片 {path}: {exc.strerror}") from None
    return store_photo(data)


def photo_path(ref: str) -> Path:
    if not REF.fullmatch(ref):  # never a path: a reference from a file could say "../../etc/passwd"
        raise PatrolError(f"照片引用无效: {ref[:40]!r}")
    return photo_dir() / ref[:2] / ref


def store_document(path: Path) -> str:
    """A document file kept by content in the evidence folder: '<sha256>.<ext> <original name>'."""
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix not in (".pdf", ".jpg", ".jpeg", ".png", ".doc", ".docx", ".xlsx", ".txt"):
        raise PatrolError(f"{path.name}: 证明材料须为 PDF、图片、Word、Excel 或文本文件")
    try:
        if path.stat().st_size > 20 * 2**20:
            raise PatrolError(f"{path.name}: 证明材料超过 20 MB")
        data = path.read_bytes()
    except OSError as exc:
        raise PatrolError(f"无法读取 {path}: {exc.strerror}") from None
    ref = hashlib.sha256(data).hexdigest() + suffix
    write_once(photo_dir() / "documents" / ref, data)
    return f"{ref} {path.name[:80]}"
