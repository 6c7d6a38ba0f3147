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
    view.setTabKeyNavigation(False)  # Tab goes on to the page's buttons; the arrows move in the list
    mode = QHeaderView.ResizeMode.ResizeToContents if fit_columns else QHeaderView.ResizeMode.Interactive
    view.horizontalHeader().setSectionResizeMode(mode)
    view.horizontalHeader().setStretchLastSection(True)
    return view


def fit_once(view: QTableView, widest: int = 280) -> None:
    """Size the columns to their contents now (once, after a fill: the user may drag them after), none
    wider than `widest` pixels, so a long reason does not push the state off the screen."""
    view.resizeColumnsToContents()
    header = view.horizontalHeader()
    for column in range(header.count() - 1):
        header.resizeSection(column, min(header.sectionSize(column), widest))


def editable_table(model) -> QTableView:
    """A view of `model` whose editable cells open on a double click, a key typed or F2; the rest as above."""
    view = QTableView()
    view.setModel(model)
    view.setEditTriggers(QAbstractItemView.EditTrigger.DoubleClicked | QAbstractItemView.EditTrigger.AnyKeyPressed
                         | QAbstractItemView.EditTrigger.EditKeyPressed)
    view.verticalHeader().setVisible(False)
    view.setTabKeyNavigation(False)  # as above: Enter and the arrows move between cells
    view.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
    view.horizontalHeader().setStretchLastSection(True)
    return view
