"""The one place where an error reaches a person in the desktop app.

PyQt aborts the process on an exception that leaves a slot unless sys.excepthook is replaced. Here
it is: any exception (a slot's, or one the worker passes back) becomes a dialog that says what
happened and what to do (app.storage.faults), and its traceback goes to a log file in the data folder. The
draft on screen stays as it was: a failed write changed nothing.
"""

from __future__ import annotations

import sys

from PyQt6.QtWidgets import QApplication, QMessageBox

from forms.i18n import tr

# app.storage.faults (and with it peewee) is imported when an error happens, not at start: the sign-in window
# comes before the data layer.

_showing = False


def data_folder():
    from app.storage.locations import default_data_dir
    from app.storage.proxy import sqlite_path

    path = sqlite_path()
    return path.parent if path is not None else default_data_dir()


def report(exc: BaseException, parent=None, title: str | None = None) -> None:
    """Show one exception to the person; log its traceback unless it is a plain input problem."""
    from app.storage.faults import classify, log

    global _showing
    fault = classify(exc)
    text = fault.message
    if fault.kind != "input":
        logged = log(exc, data_folder())
        if logged is not None:
            text += tr("\n\n详细信息已记录在 {0}").format(logged)
    if _showing:  # an error while the last one is on screen: logged, not stacked
        return
    _showing = True
    try:
        box = QMessageBox.critical if fault.kind in ("damaged", "internal") else QMessageBox.warning
        box(parent or QApplication.activeWindow(), title or tr("出错了"), text)
    finally:
        _showing = False


def _hook(kind, exc, tb) -> None:
    if issubclass(kind, KeyboardInterrupt):
        sys.__excepthook__(kind, exc, tb)
        return
    exc.__traceback__ = tb
    report(exc)


def _unraisable(unraisable) -> None:
    """Errors Python can only report (a half-written zip closing on a full disk): to the log."""
    from app.storage.faults import log

    if unraisable.exc_value is not None:
        log(unraisable.exc_value, data_folder())


def install() -> None:
    """Replace the hook that would abort the process with one that reports and carries on."""
    sys.excepthook = _hook
    sys.unraisablehook = _unraisable
