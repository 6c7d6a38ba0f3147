"""The read-only table view every list page uses: whole rows selected, no editing, no row numbers."""

from __future__ import annotations

from PyQt6.QtWidgets import QAbstractItemView, QHeaderView, QTableView


def read_only_table(model, fit_columns: bool = True) -> QTableView:
    """A view of `model`; `fit_columns` sizes columns to their contents (small lists only: it
    measures every cell on every change), otherwise the user drags them."""
    view = QTableView()
    view.setModel(model)
    view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    view.verticalHeader().setVisible(False)
    mode = QHeaderView.ResizeMode.ResizeToContents if fit_columns else QHeaderView.ResizeMode.Interactive
    view.horizontalHeader().setSectionResizeMode(mode)
    view.horizontalHeader().setStretchLastSection(True)
    return view
