"""A tab whose page is built the first time it is needed, so start-up builds only the first screen."""

from __future__ import annotations

from collections.abc import Callable

from PyQt6.QtWidgets import QVBoxLayout, QWidget


class LazyPage(QWidget):
    def __init__(self, factory: Callable[[], QWidget], parent=None):
        super().__init__(parent)
        self._factory = factory
        self.page: QWidget | None = None
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)

    def build(self) -> QWidget:
        """The page, built now if it was not yet (pages fill themselves when built)."""
        if self.page is None:
            self.page = self._factory()
            self.layout().addWidget(self.page)
            self.page.show()  # a child added to a widget already on screen stays hidden otherwise
        return self.page

    def refresh(self) -> None:
        if self.page is None:
            self.build()
        elif hasattr(self.page, "refresh"):
            self.page.refresh()

    def showEvent(self, event):  # noqa: N802
        self.build()
        super().showEvent(event)
