"""Where the shipped resources (font, icons) are: beside the code, or inside a PyInstaller bundle.

os.path, not pathlib: read before the first window, where pathlib alone costs ~3 ms."""

from __future__ import annotations

import os
import sys

ROOT = getattr(sys, "_MEIPASS", os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
RESOURCES = os.path.join(ROOT, "resources")
