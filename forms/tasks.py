"""Long work off the UI thread: a plain function with a progress callback, run on a one-thread pool.

One thread because SQLite allows one writer; the worker uses its own connection and closes it.
Results and errors come back to the UI thread through signals; errors are shown, never swallowed.
"""

from __future__ import annotations

from collections.abc import Callable

from PyQt6.QtCore import QObject, QRunnable, Qt, QThreadPool, pyqtSignal
from PyQt6.QtWidgets import QProgressDialog, QWidget

from app.storage.proxy import db
from forms.i18n import tr

_pool: QThreadPool | None = None


def pool() -> QThreadPool:
    global _pool
    if _pool is None:
        _pool = QThreadPool()
        _pool.setMaxThreadCount(1)
    return _pool


class _Signals(QObject):
    progress = pyqtSignal(int, int)
    done = pyqtSignal(object)
    failed = pyqtSignal(object)


class Task(QRunnable):
    """Runs `fn(progress)`; `progress(done, total)` may be called from the worker."""

    def __init__(self, fn: Callable[[Callable[[int, int], None]], object]):
        super().__init__()
        self.fn = fn
        self.signals = _Signals()
        self.setAutoDelete(False)  # the caller keeps it until `done` or `failed`

    def run(self) -> None:
        try:
            result = self.fn(self.signals.progress.emit)
        except Exception as exc:  # noqa: BLE001 — passed on to the UI thread, shown to the user
            self.signals.failed.emit(exc)
        else:
            self.signals.done.emit(result)
        finally:
            if db.obj is not None:
                db.obj.close()  # this thread's connection only


_running: set[Task] = set()


def run_task(parent: QWidget | None, title: str, fn, on_done: Callable[[object], None] | None = None,
             on_error: Callable[[Exception], None] | None = None) -> Task:
    """Run `fn(progress)` in the worker with a modal progress dialog; call back on the UI thread."""
    dialog = QProgressDialog(title, "", 0, 0, parent)
    dialog.setWindowTitle(tr("请稍候"))
    dialog.setCancelButton(None)
    dialog.setWindowModality(Qt.WindowModality.WindowModal)
    dialog.setMinimumDuration(300)
    task = Task(fn)
    _running.add(task)

    def progress(done: int, total: int) -> None:
        dialog.setMaximum(total)
        dialog.setValue(done)

    def finish() -> None:
        dialog.close()
        _running.discard(task)

    def done(result) -> None:
        finish()
        if on_done:
            on_done(result)

    def failed(exc) -> None:
        finish()
        if on_error:
            on_error(exc)
        else:
            from forms.errors import report

            report(exc, parent)

    task.signals.progress.connect(progress)
    task.signals.done.connect(done)
    task.signals.failed.connect(failed)
    pool().start(task)
    return task


def run_in_background(fn, on_error: Callable[[Exception], None],
                      on_done: Callable[[object], None] | None = None) -> Task:
    """Run `fn(progress)` in the worker without a dialog (automatic backups); call back on the UI thread."""
    task = Task(fn)
    _running.add(task)

    def done(result) -> None:
        _running.discard(task)
        if on_done:
            on_done(result)

    def failed(exc) -> None:
        _running.discard(task)
        on_error(exc)

    task.signals.done.connect(done)
    task.signals.failed.connect(failed)
    pool().start(task)
    return task
