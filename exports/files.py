"""Safe output: check the target first, write to a temporary name beside it, rename when complete."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from app.errors import PatrolError
from app.storage.leftovers import sweep


def check_target(path: str | Path, suffixes: tuple[str, ...]) -> Path:
    """The output path, or PatrolError saying why it cannot be written."""
    path = Path(path).expanduser()
    if path.suffix.lower() not in suffixes:
        raise PatrolError(f"输出文件 {path.name} 的扩展名应为 {' 或 '.join(suffixes)}")
    if path.is_dir():
        raise PatrolError(f"输出路径是一个文件夹: {path}")
    folder = path.parent if str(path.parent) else Path(".")
    if not folder.is_dir():
        raise PatrolError(f"输出文件夹不存在: {folder}")
    if not os.access(folder, os.W_OK) or (path.exists() and not os.access(path, os.W_OK)):
        raise PatrolError(f"没有写入权限: {path}")
    return path


@contextmanager
def atomic_output(path: str | Path, suffixes: tuple[str, ...]) -> Iterator[Path]:
    """Yield a temporary path to write; it replaces `path` only if the block completes."""
    target = check_target(path, suffixes)
    sweep(target.parent)  # what a killed export left here
    fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=f".{target.stem}.", suffix=target.suffix + ".part")
    os.close(fd)
    try:
        yield Path(tmp)
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
