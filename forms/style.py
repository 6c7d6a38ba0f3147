"""The few style rules the app adds to Qt's own: a focus that can be seen from a metre away.

Qt's Fusion style marks a focused button with a faint line; working by keyboard, an inspector must see at
a glance which button Space would press, which box a typed digit goes to and which tab is in front.
"""

from __future__ import annotations

FOCUS = "#1565c0"

STYLE = f"""
QPushButton {{ padding: 4px 12px; border: 1px solid #9a9a9a; border-radius: 3px; background: #f6f6f6; }}
QPushButton:hover {{ background: #eaf1fb; }}
QPushButton:pressed {{ background: #d4e3f7; }}
QPushButton:disabled {{ color: #9a9a9a; background: #efefef; }}
QPushButton:default {{ border-color: #5a7fb5; }}
QPushButton:focus {{ border: 2px solid {FOCUS}; background: #e3eefc; }}
QCheckBox:focus, QRadioButton:focus {{ background: #e3eefc; }}
QLineEdit:focus, QComboBox:focus, QAbstractSpinBox:focus, QDateTimeEdit:focus {{ border: 2px solid {FOCUS}; }}
QAbstractItemView:focus {{ border: 2px solid {FOCUS}; }}
QTabBar::tab:selected {{ font-weight: bold; }}
"""


def apply_style(app) -> None:
    """Add the focus rules to the application (once; a second call changes nothing)."""
    if STYLE not in app.styleSheet():
        app.setStyleSheet(app.styleSheet() + STYLE)
