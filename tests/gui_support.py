"""Helpers for GUI tests: a demo roster database, signed-in main window, answered message boxes."""

from __future__ import annotations

from PyQt6.QtWidgets import QMessageBox

from app.storage.models import User


class Answers:
    """Replaces QMessageBox.question/information/warning/critical with recorded, scripted answers."""

    def __init__(self, monkeypatch):
        self.asked: list[str] = []
        self.replies: list = []
        monkeypatch.setattr(QMessageBox, "question", self._question)
        monkeypatch.setattr(QMessageBox, "information", self._note)
        monkeypatch.setattr(QMessageBox, "warning", self._note)
        monkeypatch.setattr(QMessageBox, "critical", self._note)

    def _question(self, parent, title, text, *args, **kwargs):
        self.asked.append(text)
        return self.replies.pop(0) if self.replies else QMessageBox.StandardButton.Yes

    def _note(self, parent, title, text, *args, **kwargs):
        self.asked.append(text)
        return QMessageBox.StandardButton.Ok


def user(name: str) -> User:
    return User.get(User.username == name)


def show_active(qtbot, window) -> None:
    """Show a window and make it the active one, as a user's window is (shortcuts need it)."""
    window.show()
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow)


def give_reasons(monkeypatch, *replies: tuple[str, bool]) -> list[str]:
    """Answer the reason prompts (QInputDialog.getText) in turn; returns the prompts shown.
    With no replies, every prompt gets "按中心通知"."""
    from PyQt6.QtWidgets import QInputDialog

    asked: list[str] = []
    queue = list(replies)

    def get_text(parent, title, label, *args, **kwargs):
        asked.append(label)
        return queue.pop(0) if queue else ("按中心通知", True)

    monkeypatch.setattr(QInputDialog, "getText", staticmethod(get_text))
    return asked
