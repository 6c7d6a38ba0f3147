"""Chinese everywhere (issue 27, part 4): Qt's own dialogs and dates in Chinese, date editors reading
2026年12月6日, file dialogs opening in the documents folder and then where the person last was."""

from __future__ import annotations

from PyQt6.QtCore import QDate, QFileInfo, QSettings
from PyQt6.QtWidgets import QDateEdit, QFileDialog

from forms import file_dialogs
from forms.i18n import DATE_FORMAT


def test_the_file_dialog_and_the_file_list_speak_chinese(qtbot, app_font, tmp_path):
    from PyQt6.QtWidgets import QFileIconProvider

    dialog = QFileDialog(None, "选择结果包", str(tmp_path), "*.wpr")
    dialog.setOption(QFileDialog.Option.DontUseNativeDialog, True)
    qtbot.addWidget(dialog)
    assert dialog.labelText(QFileDialog.DialogLabel.LookIn) == "查找范围(&L):"
    assert dialog.labelText(QFileDialog.DialogLabel.FileType) == "文件类型(&T):"
    assert dialog.labelText(QFileDialog.DialogLabel.Accept) == "打开(&O)"
    assert QFileIconProvider().type(QFileInfo(str(tmp_path))) == "文件夹"


def test_dates_read_as_the_reports_print_them(qtbot, app_font):
    edit = QDateEdit(QDate(2026, 12, 6))
    edit.setDisplayFormat(DATE_FORMAT)
    qtbot.addWidget(edit)
    assert edit.text() == "2026年12月6日"
    plain = QDateEdit(QDate(2026, 12, 6))  # one nobody formatted: Chinese order all the same
    qtbot.addWidget(plain)
    assert plain.text().startswith("2026/12/6")


def test_a_file_dialog_opens_in_the_documents_folder_then_where_the_person_last_was(qtbot, app_font, monkeypatch,
                                                                                   tmp_path):
    QSettings().remove("folders")  # the run's own settings (conftest): nothing remembered yet
    monkeypatch.setattr(file_dialogs, "documents", lambda: str(tmp_path))
    stick = tmp_path / "U盘"
    stick.mkdir()
    asked = []

    def dialog(parent, title, start, name_filter):
        asked.append(start)
        return str(stick / "lap1.wpu"), ""

    monkeypatch.setattr(QFileDialog, "getOpenFileName", dialog)
    assert file_dialogs.open_file(None, "选择更新文件", "update", "*.wpu") == str(stick / "lap1.wpu")
    file_dialogs.open_file(None, "选择更新文件", "update", "*.wpu")
    file_dialogs.open_file(None, "选择照片", "photo", "*.jpg")
    assert asked == [str(tmp_path), str(stick), str(tmp_path)], "remembered per kind of file"


def test_a_photo_is_marked_by_an_icon_the_shipped_resources_draw_never_an_emoji(qtbot, app_font):
    from forms.icons import icon

    pixmap = icon("photo").pixmap(16, 16)
    assert not pixmap.isNull(), "resources/icons/photo.svg renders"
    image = pixmap.toImage()
    assert len({image.pixel(x, y) for x in range(16) for y in range(16)}) > 2, "a drawing, not a blank"
    for path in ("app/loop/rechecks.py", "forms/models.py", "forms/inspection_page.py", "exports/pdf_reports.py"):
        from pathlib import Path

        text = (Path(__file__).resolve().parents[1] / path).read_text(encoding="utf-8")
        assert not any(0x1F300 <= ord(ch) <= 0x1FAFF for ch in text), f"an emoji in {path}"
