"""The one translation call for user-visible strings (Chinese is the shipped language)."""

from PyQt6.QtCore import QCoreApplication


def tr(text: str) -> str:
    return QCoreApplication.translate("WindowPatrol", text)
