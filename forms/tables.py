"""The table views the pages use: read-only lists (whole rows selected, no row numbers), and the few tables
with a column to type in.

Every list is readable at 1366 wide: columns sized to their contents after each fill (none wider than a
cap, so one long reason does not push the rest off the screen), then left to the person to drag; text too
long for its column ends in "…", and the whole of it is in the cell's tooltip (RowsModel gives it)."""

from __future__ import annotations

from PyQt6.QtCore import QTimer
from PyQt6.QtWidgets import QAbstractItemView, QHeaderView, QTableView

WIDEST = 320  # pixels: the widest a column is sized to its contents (a drag may make it wider)
MEASURED_ROWS = 200  # rows measured for a column's width: enough for its range, cheap on 5,000 rows


def read_only_table(model, fit_columns: bool = True) -> QTableView:
    """A view of `model`; `fit_columns` sizes the columns to their contents after every fill."""
    view = QTableView()
    view.setModel(model)
    view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    view.verticalHeader().setVisible(False)
    view.setTabKeyNavigation(False)  # Tab goes on to the page's buttons; the arrows move in the list
    _readable(view, fit_columns)
    return view


def _readable(view: QTableView, fit_columns: bool) -> None:
    view.setWordWrap(False)  # one line a row, cut with "…": the tooltip holds the rest
    header = view.horizontalHeader()
    header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
    header.setResizeContentsPrecision(MEASURED_ROWS)
    header.setStretchLastSection(True)
    header.setHighlightSections(False)
    if fit_columns:
        model = view.model()
        # After the model has settled (a reset is followed by the rows' layout), once per fill.
        model.modelReset.connect(lambda: QTimer.singleShot(0, lambda: fit_once(view)))
        fit_once(view)


def fit_once(view: QTableView, widest: int = WIDEST) -> None:
    """Size the columns to their contents and header now (the user may drag them after), none wider
    than `widest` pixels."""
    try:
        header = view.horizontalHeader()
    except RuntimeError:  # the view was closed before the timer fired
        return
    # Not the last column: it stretches to the view's edge (sizing it would stop that).
    for column in range(header.count() - 1):
        view.resizeColumnToContents(column)
        header.resizeSection(column, min(header.sectionSize(column), widest))


def editable_table(model) -> QTableView:
    """A view of `model` whose editable cells open on a double click, a key typed or F2; the rest as above."""
    view = QTableView()
    view.setModel(model)
    view.setEditTriggers(QAbstractItemView.EditTrigger.DoubleClicked | QAbstractItemView.EditTrigger.AnyKeyPressed
                         | QAbstractItemView.EditTrigger.EditKeyPressed)
    view.verticalHeader().setVisible(False)
    view.setTabKeyNavigation(False)  # as above: Enter and the arrows move between cells
    _readable(view, True)
    return view
