"""Managing windows, staff and accounts: managers only, validated, on both backends."""

import pytest

from app.errors import PatrolError, PermissionDenied
from app.patrolling import checklist_versions, checklists
from app.people import accounts
from app.people.roster import StaffData, WindowData, save_staff, save_window, set_staff_status, set_window_active
from app.storage.models import Staff, Window


def test_a_manager_adds_edits_and_deactivates_a_window(roster):
    w = save_window(roster.manager, WindowData(" c09 ", "帮办窗口9号", "帮办窗口", "政务服务中心", "A"), reason="新设窗口")
    assert w.code == "C09" and w.active
    save_window(roster.manager, WindowData("C09", "帮办9号", "帮办窗口", "政务服务中心", "A"), w, reason="改名")
    set_window_active(roster.manager, w, False, reason="窗口撤并")
    w = Window.get_by_id(w.id)
    assert w.name == "帮办9号" and not w.active


@pytest.mark.parametrize("data, message", [
    (WindowData("A01", "重复", "综合窗口", "", "A"), "已存在"),
    (WindowData("X1", "", "综合窗口", "", "A"), "窗口名称不能为空"),
    (WindowData("X1", "某窗口", "食堂", "", "A"), "窗口类型须为"),
    (WindowData("X1", "某窗口", "综合窗口", "", "Z"), "未知区域"),
])
def test_bad_window_data_is_refused_and_nothing_changes(roster, data, message):
    count = Window.select().count()
    with pytest.raises(PatrolError, match=message):
        save_window(roster.manager, data, reason="新设窗口")
    assert Window.select().count() == count


def test_an_inspector_may_not_change_the_roster(roster):
    with pytest.raises(PermissionDenied):
        save_window(roster.inspector, WindowData("X1", "某窗口", "综合窗口", "", "A"), reason="试")
    with pytest.raises(PermissionDenied):
        save_staff(roster.inspector, StaffData("E1", "某人", "F", False, "", "A01"), reason="试")


def test_a_manager_adds_a_person_moves_them_and_marks_them_away(roster):
    s = save_staff(roster.manager, StaffData("E1", "张三", "M", True, "某劳务公司", "a01", "B"), reason="新入职")
    assert s.window.code == "A01" and s.post == "B" and s.party_member
    save_staff(roster.manager, StaffData("E1", "张三", "M", True, "某劳务公司", "B01", "A"), s, reason="调岗")
    set_staff_status(roster.manager, s, "inactive", reason="离职")
    s = Staff.get_by_id(s.id)
    assert s.window.code == "B01" and s.status == "inactive"
    with pytest.raises(PatrolError, match="工号 E1 已存在"):
        save_staff(roster.manager, StaffData("E1", "李四", "F", False, "", ""), reason="新入职")
    with pytest.raises(PatrolError, match="未知窗口编号"):
        save_staff(roster.manager, StaffData("E2", "李四", "F", False, "", "Q99"), reason="新入职")


def test_accounts_are_managed_by_managers_and_a_manager_cannot_lock_themselves_out(roster):
    new = accounts.add_account(roster.manager, "insp2", "巡查员丙", "inspector", "abcdef")
    assert accounts.authenticate("insp2", "abcdef").id == new.id
    accounts.manage_account(roster.manager, new, password="ghijkl")
    assert accounts.authenticate("insp2", "ghijkl").id == new.id
    accounts.manage_account(roster.manager, new, active=False)
    with pytest.raises(PermissionDenied):
        accounts.authenticate("insp2", "ghijkl")
    with pytest.raises(PatrolError, match="不能停用自己"):
        accounts.manage_account(roster.manager, roster.manager, active=False)
    with pytest.raises(PermissionDenied):
        accounts.add_account(roster.inspector, "x", "x", "manager", "abcdef")


def test_passwords_are_stored_hashed_with_scrypt(roster):
    assert roster.manager.password_hash.startswith("scrypt$") and "secret2" not in roster.manager.password_hash


def test_two_checklist_versions_compare_item_by_item(centre, tmp_path):
    (v1, _), = checklist_versions.ensure_shipped()
    for f in checklists.SHIPPED_DIR.glob("*.toml"):
        text = f.read_text(encoding="utf-8")
        if f.name == "03_desk.toml":
            text = text.replace('clause = "四6"\ndeduction = 0.5', 'clause = "四6"\ndeduction = 2')
            text += '\n[[items]]\ncode = "DESK-25"\ntext = "新增要求"\nsource = "002"\nclause = "四1"\ndeduction = 1\n'
        (tmp_path / f.name).write_text(text, encoding="utf-8")
    (v2, _), = checklist_versions.register(checklists.load_directory(tmp_path))
    changes = {c.code: c for c in checklists.compare_versions(v1, v2)}
    assert changes["DESK-09"].change == "changed" and changes["DESK-09"].old.deduction == 0.5
    assert changes["DESK-25"].change == "added" and changes["DESK-01"].change == "same"
