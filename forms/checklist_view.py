"""The inspection's item table and its keys: one key a tick, so a window is checked without the mouse."""

from __future__ import annotations

from PyQt6.QtCore import Qt, pyqtSignal
from PyQt6.QtWidgets import QTableView

KEYS = (
    ("↑ ↓ / j k", "上一项 / 下一项"), ("1 / 空格", "合格, 光标移到下一项"),
    ("2 / x", "不合格 (默认光标停在该项, 可接着按 n 或 p)"), ("3", "不适用"), ("0 / Delete", "清除"),
    ("a", "本类其余全部合格"), ("n", "当前项的备注"), ("p", "当前项的照片 (从文件)"), ("Ctrl+V", "粘贴截图为照片"),
    ("o", "复查时: 打开当前项上次的照片 (双击“上次”亦可)"),
    ("Ctrl+Enter", "定稿 (先检查是否还有未检查的项)"), ("Esc", "返回巡查列表 (未勾选任何项的草稿不保留)"),
)

KEY_RESULTS = {
    Qt.Key.Key_1: "pass", Qt.Key.Key_Space: "pass", Qt.Key.Key_2: "fail", Qt.Key.Key_X: "fail",
    Qt.Key.Key_3: "na", Qt.Key.Key_0: None, Qt.Key.Key_Delete: None,
}


class ChecklistView(QTableView):
    """The item table; turns the inspector's keys into requests to the page."""

    result_key = pyqtSignal(object)  # result or None
    command_key = pyqtSignal(str)

    def keyPressEvent(self, event):  # noqa: N802
        key = event.key()
        if event.modifiers() & Qt.KeyboardModifier.ControlModifier:
            return super().keyPressEvent(event)
        if key in KEY_RESULTS:
            self.result_key.emit(KEY_RESULTS[key])
        elif key == Qt.Key.Key_J:
            self.move(1)
        elif key == Qt.Key.Key_K:
            self.move(-1)
        elif key == Qt.Key.Key_A:
            self.command_key.emit("pass_category")
        elif key == Qt.Key.Key_N:
            self.command_key.emit("note")
        elif key == Qt.Key.Key_P:
            self.command_key.emit("photo")
        elif key == Qt.Key.Key_O:
            self.command_key.emit("last_photo")
        else:
            super().keyPressEvent(event)

    def move(self, step: int) -> None:
        rows = self.model().rowCount()
        if rows:
            row = min(max(self.currentIndex().row() + step, 0), rows - 1)
            self.selectRow(row)
