"""What a failure of the storage or the disk means to a person, in one line, and whether waiting helps.

The core raises PatrolError for bad input; the database driver and the operating system raise their
own errors for a locked, full, read-only or damaged database. The desktop app and the command line
both turn any of them into one of these messages (and log the rest with its traceback), so nobody
ever sees a traceback.
"""

from __future__ import annotations

import datetime as dt
import errno
import sqlite3
import sys
import traceback
from dataclasses import dataclass
from pathlib import Path

import peewee

from app.errors import PatrolError


@dataclass(frozen=True)
class Fault:
    kind: str  # input / busy / full / readonly / damaged / connection / internal
    message: str

    @property
    def retry(self) -> bool:
        """Waiting and trying again may help (another program holds the database)."""
        return self.kind == "busy"


BUSY = "数据库正被其他程序占用 (例如正在导入的大文件或另一个窗口巡查程序): 本次操作未完成, 数据未改动; 请稍后再试"
# Said only where the program does wait and try again (the inspection page's autosave), never by a command that exits.
BUSY_RETRYING = "数据库正被其他程序占用 (例如正在导入的大文件或另一个窗口巡查程序), 请稍候, 正在重试"
FULL = "磁盘已满或无法写入: 本次操作未保存, 已保存的数据不受影响; 请清理磁盘空间后重试"
READONLY = "数据库文件只读, 无法保存: 请检查文件权限或是否在只读的 U 盘/网络盘上; 已保存的数据不受影响"
DAMAGED = "数据库文件已损坏: 请不要继续写入, 在“中心设置”中从最近的完好备份恢复 (main.py restore)"
CONNECTION = "无法连接数据库服务器: 请检查网络和服务器后重试"


def classify(exc: BaseException) -> Fault:
    """The person's view of an exception."""
    if isinstance(exc, PatrolError):
        return Fault("input", str(exc))
    text = " ".join(str(exc).split()).lower()
    if isinstance(exc, (peewee.PeeweeException, sqlite3.Error)) or type(exc).__module__.startswith("psycopg"):
        if "locked" in text or "busy" in text or "could not obtain lock" in text:
            return Fault("busy", BUSY)
        if "disk is full" in text or "no space" in text or "cannot rollback - no transaction is active" in text \
                or "disk i/o error" in text:
            return Fault("full", FULL)
        if "readonly" in text or "read-only" in text or "read only" in text:
            return Fault("readonly", READONLY)
        if "malformed" in text or "not a database" in text or "corrupt" in text:
            return Fault("damaged", DAMAGED)
        if "connection" in text or "server closed" in text or "could not connect" in text:
            return Fault("connection", CONNECTION)
    if isinstance(exc, OSError):
        if exc.errno == errno.ENOSPC:
            return Fault("full", FULL)
        if exc.errno in (errno.EROFS, errno.EACCES, errno.EPERM):
            return Fault("readonly", f"没有写入权限: {exc.filename or ''} ({exc.strerror})")
        return Fault("internal", f"文件操作失败: {exc.strerror or exc} {exc.filename or ''}".strip())
    if isinstance(exc, MemoryError):
        return Fault("internal", "内存不足: 文件可能过大, 本次操作未完成, 数据未改动")
    return Fault("internal", f"程序内部错误 ({type(exc).__name__}): 本次操作未完成")


def quiet_unraisable(folder: Path) -> None:
    """Errors Python can only report, not raise (a half-written zip closing on a full disk at exit):
    into the log file, not onto a person's screen."""
    def hook(unraisable) -> None:
        if unraisable.exc_value is not None:
            log(unraisable.exc_value, folder)

    sys.unraisablehook = hook


def log(exc: BaseException, folder: Path) -> Path | None:
    """Append the traceback to the error log in the data folder; its path, or None if it cannot."""
    path = folder / "window-patrol-errors.log"
    try:
        folder.mkdir(parents=True, exist_ok=True)
        with open(path, "a", encoding="utf-8") as fh:
            fh.write(f"\n==== {dt.datetime.now():%Y-%m-%d %H:%M:%S} ====\n")
            fh.write("".join(traceback.format_exception(type(exc), exc, exc.__traceback__)))
        return path
    except OSError:
        return None
