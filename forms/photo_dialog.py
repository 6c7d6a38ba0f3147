"""A kept photo as large as the screen allows (a re-check's evidence)."""

from __future__ import annotations

from PyQt6.QtCore import Qt
from PyQt6.QtGui import QPixmap
from PyQt6.QtWidgets import QDialog, QLabel, QVBoxLayout

from forms.i18n import tr


class PhotoDialog(QDialog):
    """A kept photo as large as the screen allows (a re-check's evidence); Esc closes it."""

    def __init__(self, path: str, title: str, parent=None):
        super().__init__(parent)
        self.setWindowTitle(title)
        label = QLabel()
        pixmap = QPixmap(path)
        if pixmap.isNull():
            label.setText(tr("照片无法显示 (文件缺失或已损坏)"))
        else:
            room = self.screen().availableGeometry().size() * 0.85 if self.screen() else pixmap.size()
            label.setPixmap(pixmap.scaled(room, Qt.AspectRatioMode.KeepAspectRatio,
                                          Qt.TransformationMode.SmoothTransformation)
                            if pixmap.width() > room.width() or pixmap.height() > room.height() else pixmap)
        layout = QVBoxLayout(self)
        layout.addWidget(label)
        self.label = label
