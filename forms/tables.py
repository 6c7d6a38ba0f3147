"""The table views the pages use: read-only lists (whole rows selected, no row numbers), and the few tables
with a column to type in."""

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


def editable_table(model) -> QTableView:
    """A view of `model` whose editable cells open on a double click, a key typed or F2; the rest as above."""
    view = QTableView()
    view.setModel(model)
    view.setEditTriggers(QAbstractItemView.EditTrigger.DoubleClicked | QAbstractItemView.EditTrigger.AnyKeyPressed
                         | QAbstractItemView.EditTrigger.EditKeyPressed)
    view.verticalHeader().setVisible(False)
    view.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
    view.horizontalHeader().setStretchLastSection(True)
    return view
