"""A small form dialog built from field specs, for the manager's add / edit screens."""

from __future__ import annotations

from dataclasses import dataclass, field

from PyQt6.QtWidgets import QCheckBox, QComboBox, QDialog, QDialogButtonBox, QFormLayout, QLineEdit, QMessageBox

from app.errors import PatrolError
from forms.i18n import tr


@dataclass
class Field:
    name: str
    label: str
    kind: str = "text"  # text / choice / check / password
    choices: list[tuple[str, object]] = field(default_factory=list)  # (label, value)


class RecordDialog(QDialog):
    """Shows fields with initial values; `save(values)` is the core call, errors shown in place."""

    def __init__(self, title: str, fields: list[Field], values: dict, save, parent=None):
        super().__init__(parent)
        self.setWindowTitle(title)
        self.save_fn = save
        self.widgets = {}
        form = QFormLayout(self)
        for f in fields:
            if f.kind == "choice":
                widget = QComboBox()
                for label, value in f.choices:
                    widget.addItem(label, value)
                widget.setCurrentIndex(max(0, widget.findData(values.get(f.name))))
            elif f.kind == "check":
                widget = QCheckBox()
                widget.setChecked(bool(values.get(f.name)))
            else:
                widget = QLineEdit(str(values.get(f.name, "") or ""))
                if f.kind == "password":
                    widget.setEchoMode(QLineEdit.EchoMode.Password)
            self.widgets[f.name] = widget
            form.addRow(tr(f.label), widget)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(self.try_save)
        buttons.rejected.connect(self.reject)
        form.addRow(buttons)
        self.result_object = None

    def values(self) -> dict:
        out = {}
        for name, widget in self.widgets.items():
            if isinstance(widget, QComboBox):
                out[name] = widget.currentData()
            elif isinstance(widget, QCheckBox):
                out[name] = widget.isChecked()
            else:
                out[name] = widget.text()
        return out

    def try_save(self) -> None:
        try:
            self.result_object = self.save_fn(self.values())
        except PatrolError as exc:
            QMessageBox.warning(self, tr("无法保存"), str(exc))
            return
        self.accept()
