"""First start on an empty database: the demo or an empty centre, and the first manager account."""

import pytest

from app.centres.centre import current_centre, is_empty
from app.people import accounts
from app.storage import db as dbmod
from app.storage.models import Inspection, User, Window
from forms.app import set_up_centre
from forms.dialogs import FirstRunDialog, LoginDialog
from forms.tasks import run_task


@pytest.fixture
def empty(tmp_path):
    dbmod.open_database(str(tmp_path / "new.db"))
    yield
    dbmod.close_database()


def fill(dialog: FirstRunDialog, demo: bool, password: str = "first-pass") -> None:
    (dialog.demo if demo else dialog.empty).setChecked(True)
    dialog.centre_name.setText("城东政务服务中心")
    dialog.centre_code.setText("CD")
    dialog.username.setText("chief")
    dialog.display_name.setText("科长")
    dialog.password.setText(password)
    dialog.password2.setText(password)


def test_the_demo_is_built_in_the_worker_and_the_first_manager_can_sign_in(qtbot, app_font, empty):
    assert is_empty()
    dialog = FirstRunDialog()
    qtbot.addWidget(dialog)
    fill(dialog, demo=True)
    done = []
    run_task(None, "建立中心", lambda progress: set_up_centre(dialog), on_done=done.append)
    qtbot.waitUntil(lambda: bool(done), timeout=60000)
    assert Window.select().count() == 40 and Inspection.select().count() > 500
    chief = accounts.authenticate("chief", "first-pass")
    assert chief.role == "manager" and chief.password_hash.startswith("scrypt$")
    login = LoginDialog(current_centre().name)
    qtbot.addWidget(login)
    login.username.setText("chief")
    login.password.setText("first-pass")
    login.try_login()
    assert login.result() == LoginDialog.DialogCode.Accepted and login.user.username == "chief"


def test_an_empty_centre_gets_its_name_checklists_and_only_the_manager(qtbot, app_font, empty):
    dialog = FirstRunDialog()
    qtbot.addWidget(dialog)
    fill(dialog, demo=False)
    set_up_centre(dialog)
    centre = current_centre()
    assert (centre.code, centre.name) == ("CD", "城东政务服务中心")
    assert [u.username for u in User.select()] == ["chief"] and Window.select().count() == 0


def test_mismatched_or_short_passwords_keep_the_dialog_open(qtbot, app_font, empty, monkeypatch):
    monkeypatch.setattr("forms.dialogs.QMessageBox.warning", lambda *a, **k: None)
    dialog = FirstRunDialog()
    qtbot.addWidget(dialog)
    fill(dialog, demo=False, password="123")
    dialog.check()
    assert dialog.result() != FirstRunDialog.DialogCode.Accepted
    dialog.password2.setText("different")
    dialog.check()
    assert dialog.result() != FirstRunDialog.DialogCode.Accepted and is_empty()


def test_a_laptop_is_set_up_from_the_offices_file_with_no_manager_account(qtbot, app_font, tmp_path):
    from app.demo.centre import make_demo
    from app.exchange.devices import enrol_device
    from app.keys.identity import is_device

    dbmod.open_database(str(tmp_path / "office.db"))
    make_demo(seed=3, with_inspections=False)
    setup = tmp_path / "lap.wpe"
    enrol_device(User.get(User.username == "admin"), "巡查笔记本1", ["xuncha1"], setup)
    dbmod.close_database()
    dbmod.open_database(str(tmp_path / "laptop.db"))
    try:
        dialog = FirstRunDialog()
        qtbot.addWidget(dialog)
        dialog.enrol.setChecked(True)
        assert not dialog.username.isEnabled() and dialog.setup_file.isEnabled()
        dialog.setup_file.setText(str(setup))
        dialog.check()
        assert dialog.result() == FirstRunDialog.DialogCode.Accepted
        set_up_centre(dialog)
        assert is_device() and dialog.enrolled.device == "巡查笔记本1"
        assert [(u.username, u.role) for u in User.select()] == [("xuncha1", "inspector")]
        assert Window.select().count() == 40
        assert accounts.authenticate("xuncha1", "patrol123").username == "xuncha1"
    finally:
        dbmod.close_database()
