"""Qt item models over plain rows from the core; tested without a view."""

from __future__ import annotations

from collections.abc import Sequence

from PyQt6.QtCore import QAbstractTableModel, QModelIndex, QSortFilterProxyModel, Qt
from PyQt6.QtGui import QBrush, QColor

from app.domain import RESULTS, SEVERITIES
from app.patrolling.evidence import photo_path
from app.patrolling.patrol import STATE_LABELS, WindowState
from forms.i18n import tr
from forms.icons import icon, thumbnail

DISPLAY = Qt.ItemDataRole.DisplayRole
STATE_COLOURS = {"todo": None, "draft": QColor("#fff4ce"), "done": QColor("#dff3e4"), "redo": QColor("#e3eefc")}
RESULT_COLOURS = {"pass": QColor("#dff3e4"), "fail": QColor("#fde2e1"), "na": QColor("#eeeeee")}
RECHECK_COLOUR = QColor("#fff4ce")
TIP_FROM = 8  # characters: a cell longer than this shows its whole text as a tooltip


class RowsModel(QAbstractTableModel):
    """A read-only table of dataclass rows with fixed columns: (header, function of row)."""

    columns: Sequence[tuple[str, object]] = ()

    def __init__(self, rows: Sequence = ()):
        super().__init__()
        self.rows = list(rows)

    def set_rows(self, rows: Sequence) -> None:
        self.beginResetModel()
        self.rows = list(rows)
        self.endResetModel()

    def rowCount(self, parent=QModelIndex()) -> int:  # noqa: N802 — Qt's name
        return 0 if parent.isValid() else len(self.rows)

    def columnCount(self, parent=QModelIndex()) -> int:  # noqa: N802
        return 0 if parent.isValid() else len(self.columns)

    def headerData(self, section, orientation, role=DISPLAY):  # noqa: N802
        if role == DISPLAY and orientation == Qt.Orientation.Horizontal:
            return tr(self.columns[section][0])
        return None

    def data(self, index, role=DISPLAY):
        if not index.isValid():
            return None
        row = self.rows[index.row()]
        if role == DISPLAY:
            value = self.columns[index.column()][1](row)
            return "" if value is None else str(value)
        if role == Qt.ItemDataRole.UserRole:
            return row
        if role == Qt.ItemDataRole.ToolTipRole:
            # The whole text of a cell that may be cut with "…" (a short one needs no tooltip).
            tip = self.extra_data(row, index.column(), role)
            if tip is not None:
                return tip
            value = self.columns[index.column()][1](row)
            text = "" if value is None else str(value)
            return text if len(text) > TIP_FROM else None
        return self.extra_data(row, index.column(), role)

    def extra_data(self, row, column: int, role):
        return None


class WindowStateModel(RowsModel):
    columns = (
        ("窗口", lambda s: s.code),
        ("名称", lambda s: s.name),
        ("类型", lambda s: s.window_type),
        ("部门", lambda s: s.department),
        ("区域", lambda s: s.area),
        ("状态", lambda s: STATE_LABELS[s.state]),
        ("得分", lambda s: f"{s.score:g}" if s.score is not None else ""),
        ("等级", lambda s: s.grade),
        ("工作人员", lambda s: s.staff_name),
    )

    def extra_data(self, row: WindowState, column, role):
        if role == Qt.ItemDataRole.BackgroundRole and STATE_COLOURS[row.state]:
            return QBrush(STATE_COLOURS[row.state])
        return None


class WindowFilterProxy(QSortFilterProxyModel):
    """Filters windows by area, type and a search text over code and name."""

    def __init__(self):
        super().__init__()
        self.area = ""
        self.window_type = ""
        self.text = ""

    def set_filters(self, area: str | None = None, window_type: str | None = None, text: str | None = None) -> None:
        if area is not None:
            self.area = area
        if window_type is not None:
            self.window_type = window_type
        if text is not None:
            self.text = text.strip().upper()
        self.invalidateRowsFilter()

    def filterAcceptsRow(self, source_row, source_parent) -> bool:  # noqa: N802
        state: WindowState = self.sourceModel().rows[source_row]
        if self.area and state.area != self.area:
            return False
        if self.window_type and state.window_type != self.window_type:
            return False
        if self.text and self.text not in state.code.upper() and self.text not in state.name.upper():
            return False
        return True


class ChecklistModel(QAbstractTableModel):
    """The applicable items of one inspection with their live results."""

    HEADERS = ("分类", "编号", "检查内容", "扣分", "结果", "备注", "上次 (待复查)")

    def __init__(self, items: Sequence, results: dict[int, str] | None = None,
                 notes: dict[int, str] | None = None, photos: dict[int, list[str]] | None = None,
                 last: dict | None = None):
        super().__init__()
        # A re-check shows the items that failed last time first (app.loop.rechecks), in checklist order.
        self.last = dict(last or {})
        self.items = sorted(items, key=lambda i: i.code not in self.last)
        self.results = dict(results or {})
        self.notes = dict(notes or {})
        self.photos = dict(photos or {})

    def rowCount(self, parent=QModelIndex()) -> int:  # noqa: N802
        return 0 if parent.isValid() else len(self.items)

    def columnCount(self, parent=QModelIndex()) -> int:  # noqa: N802
        return 0 if parent.isValid() else len(self.HEADERS)

    def headerData(self, section, orientation, role=DISPLAY):  # noqa: N802
        if role == DISPLAY and orientation == Qt.Orientation.Horizontal:
            return tr(self.HEADERS[section])
        return None

    def data(self, index, role=DISPLAY):
        if not index.isValid():
            return None
        item = self.items[index.row()]
        result = self.results.get(item.id)
        if role == DISPLAY:
            column = index.column()
            if column == 0:
                return item.category.name
            if column == 1:
                return item.code
            if column == 2:
                mark = "" if item.severity == "normal" else f"【{SEVERITIES[item.severity]}】"
                return mark + item.text
            if column == 3:
                return f"+{item.deduction:g}" if item.kind == "bonus" else f"-{item.deduction:g}"
            if column == 4:
                if item.kind == "bonus":
                    return tr("加分") if result == "pass" else ""
                return RESULTS.get(result, "") if result else ""
            if column == 5:
                photo_count = len(self.photos.get(item.id, []))
                return self.notes.get(item.id, "") + (f" ({photo_count})" if photo_count > 1 else "")
            if column == 6:
                last = self.last.get(item.code)
                return last.describe() if last else ""
        if role == Qt.ItemDataRole.DecorationRole:
            if index.column() == 5 and self.photos.get(item.id):
                return icon("photo")
            last = self.last.get(item.code) if index.column() == 6 else None
            if last is not None and last.photos:  # last time's photo itself; double-click opens it whole
                return thumbnail(str(photo_path(last.photos[0])))
        if role == Qt.ItemDataRole.BackgroundRole and result in RESULT_COLOURS:
            return QBrush(RESULT_COLOURS[result])
        if role == Qt.ItemDataRole.BackgroundRole and index.column() == 6 and item.code in self.last:
            return QBrush(RECHECK_COLOUR)
        if role == Qt.ItemDataRole.ToolTipRole:
            return f"{item.code} {item.text}\n依据: {item.source} {item.clause}"
        return None

    def set_result(self, row: int, result: str | None) -> None:
        item = self.items[row]
        if result is None:
            self.results.pop(item.id, None)
        else:
            self.results[item.id] = result
        self.dataChanged.emit(self.index(row, 0), self.index(row, self.columnCount() - 1))

    def set_note(self, row: int, note: str, photos: list[str]) -> None:
        item = self.items[row]
        self.notes[item.id] = note
        self.photos[item.id] = photos
        self.dataChanged.emit(self.index(row, 5), self.index(row, 5))

    def ticked(self) -> int:
        return sum(1 for i in self.items if i.kind == "check" and i.id in self.results)

    def checks(self) -> int:
        return sum(1 for i in self.items if i.kind == "check")
