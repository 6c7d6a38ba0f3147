"""Icons and photo thumbnails drawn from the shipped resources and the photo store: never an emoji,
which the shipped font does not have (it prints a box)."""

from __future__ import annotations

import os
from functools import cache

from PyQt6.QtCore import Qt
from PyQt6.QtGui import QIcon, QPixmap

from forms.resources import RESOURCES

ICONS = os.path.join(RESOURCES, "icons")
THUMB_HEIGHT = 40  # a photo in a table cell


@cache
def icon(name: str) -> QIcon:
    """resources/icons/<name>.svg as an icon."""
    return QIcon(os.path.join(ICONS, f"{name}.svg"))


@cache
def thumbnail(path: str, height: int = THUMB_HEIGHT) -> QPixmap | None:
    """A kept photo scaled to a table cell; None when it cannot be read (missing or damaged)."""
    pixmap = QPixmap(path)
    if pixmap.isNull():
        return None
    return pixmap.scaledToHeight(height, Qt.TransformationMode.SmoothTransformation)
