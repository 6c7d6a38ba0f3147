"""File dialogs that open where the person last was for that kind of file (their documents folder the
first time), never in the program's own folder; the folder chosen is remembered per kind. os.path,
not pathlib: the sign-in window's set-up dialog uses it before the first window shows."""

from __future__ import annotations

import os

from PyQt6.QtCore import QSettings, QStandardPaths
from PyQt6.QtWidgets import QFileDialog, QWidget


def documents() -> str:
    return QStandardPaths.writableLocation(QStandardPaths.StandardLocation.DocumentsLocation) or os.path.expanduser("~")


def folder_for(kind: str) -> str:
    """The folder last used for this kind of file (packages, exports, photos …), if it still exists."""
    remembered = QSettings().value(f"folders/{kind}", "", type=str)
    return remembered if remembered and os.path.isdir(remembered) else documents()


def remember(kind: str, chosen: str, is_folder: bool = False) -> None:
    if chosen:
        QSettings().setValue(f"folders/{kind}", chosen if is_folder else os.path.dirname(chosen))


def open_file(parent: QWidget | None, title: str, kind: str, name_filter: str) -> str:
    path, _ = QFileDialog.getOpenFileName(parent, title, folder_for(kind), name_filter)
    remember(kind, path)
    return path


def open_files(parent: QWidget | None, title: str, kind: str, name_filter: str) -> list[str]:
    paths, _ = QFileDialog.getOpenFileNames(parent, title, folder_for(kind), name_filter)
    if paths:
        remember(kind, paths[0])
    return paths


def save_file(parent: QWidget | None, title: str, kind: str, suggested: str, name_filter: str) -> str:
    path, _ = QFileDialog.getSaveFileName(parent, title, os.path.join(folder_for(kind), suggested), name_filter)
    remember(kind, path)
    return path


def choose_folder(parent: QWidget | None, title: str, kind: str) -> str:
    folder = QFileDialog.getExistingDirectory(parent, title, folder_for(kind))
    remember(kind, folder, is_folder=True)
    return folder
