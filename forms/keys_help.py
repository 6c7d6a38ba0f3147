"""The keyboard: a shortcut for every tab, and the ? (or F1) list of the keys of the page in front."""

from __future__ import annotations

from PyQt6.QtCore import Qt
from PyQt6.QtWidgets import QDialog, QDialogButtonBox, QLabel, QTableWidget, QTableWidgetItem, QVBoxLayout

from forms.i18n import tr

# The row of keys under the function keys, in order: Alt+` is the district's own tab (各中心) where
# there is one, so Alt+1 is always 仪表盘, whoever signs in.
TAB_KEYS = "1234567890-="
DISTRICT_KEY = "`"

WINDOW_KEYS = (
    ("Ctrl+Tab / Ctrl+Shift+Tab", "下一个 / 上一个标签页"),
    ("Tab / Shift+Tab", "在页面上的输入框、列表和按钮之间移动"),
    ("空格 / 回车", "按下有焦点的按钮; 在列表中回车打开选中的一行"),
    ("? / F1", "本页的快捷键"),
)


def tab_shortcuts(titles: list[str], district: bool) -> list[str]:
    """The shortcut of each tab (by position), "" for one past the row of keys."""
    keys = ([DISTRICT_KEY] if district else []) + list(TAB_KEYS)
    return [f"Alt+{keys[n]}" if n < len(keys) else "" for n in range(len(titles))]


class KeysDialog(QDialog):
    """The keys of the page in front, then the window's: two columns, key and what it does."""

    def __init__(self, page_title: str, page_keys, tab_keys: list[tuple[str, str]], parent=None):
        super().__init__(parent)
        self.setWindowTitle(tr("快捷键 · {0}").format(page_title))
        rows = list(page_keys) + list(WINDOW_KEYS) + [(key, tr("切换到“{0}”").format(title)) for key, title in tab_keys if key]
        table = QTableWidget(len(rows), 2)
        table.setHorizontalHeaderLabels([tr("按键"), tr("作用")])
        table.verticalHeader().setVisible(False)
        table.setTabKeyNavigation(False)
        table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        for n, (key, what) in enumerate(rows):
            table.setItem(n, 0, QTableWidgetItem(key))
            table.setItem(n, 1, QTableWidgetItem(tr(what)))
        table.resizeColumnsToContents()
        table.horizontalHeader().setStretchLastSection(True)
        self.table = table
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(QLabel(tr("{0}: 本页的快捷键在前, 全窗口通用的在后").format(page_title) if page_keys else
                                tr("全窗口通用的快捷键")))
        layout.addWidget(table)
        layout.addWidget(buttons)
        self.resize(620, min(640, 120 + 30 * len(rows)))
        table.setFocus(Qt.FocusReason.OtherFocusReason)
