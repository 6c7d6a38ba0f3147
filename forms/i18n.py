"""The one translation call for user-visible strings (Chinese is the shipped language)."""

from PyQt6.QtCore import QCoreApplication


def tr(text: str) -> str:
    return QCoreApplication.translate("WindowPatrol", text)


# Dates as the reports print them (2026年12月6日), in every date editor.
DATE_FORMAT = "yyyy年M月d日"
DATETIME_FORMAT = "yyyy年M月d日 HH:mm"
