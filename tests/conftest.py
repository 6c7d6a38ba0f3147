"""Shared fixtures: every storage test runs on SQLite and on PostgreSQL.

PostgreSQL comes from WINDOW_PATROL_TEST_PG (a server URL; .ci/run and tests/run.sh start a
throwaway one on 127.0.0.1). Without it the PostgreSQL half is skipped, except under CI, where a
missing server is an error rather than a silently smaller test run.
"""

from __future__ import annotations

import datetime as dt
import os
import uuid

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import pytest
from playhouse.db_url import connect

from app.demo.centre import make_demo
from app.people.accounts import create_user
from app.setup.centres import create_centre
from app.storage import db as dbmod
from app.storage.models import Area, Staff, Window

PG_ENV = "WINDOW_PATROL_TEST_PG"


@pytest.fixture(scope="session", autouse=True)
def own_qt_settings(tmp_path_factory):
    """The app's remembered folders (QSettings) in a folder of the test run's, never the user's."""
    from PyQt6.QtCore import QSettings

    QSettings.setPath(QSettings.Format.NativeFormat, QSettings.Scope.UserScope, str(tmp_path_factory.mktemp("qt-settings")))


@pytest.fixture(scope="session")
def pg_server_url():
    url = os.environ.get(PG_ENV)
    if not url:
        if os.environ.get("CI"):
            pytest.fail(f"{PG_ENV} is not set: CI must run the PostgreSQL tests")
        pytest.skip(f"{PG_ENV} not set; PostgreSQL tests skipped")
    name = f"wp_test_{os.getpid()}_{uuid.uuid4().hex[:6]}"
    admin = connect(url)
    admin.execute_sql(f'CREATE DATABASE "{name}"')
    admin.close()
    base, _, _ = url.rpartition("/")
    yield f"{base}/{name}"
    admin = connect(url)
    admin.execute_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    admin.close()


def _reset_pg(url: str) -> None:
    conn = connect(url)
    conn.execute_sql("DROP SCHEMA public CASCADE")
    conn.execute_sql("CREATE SCHEMA public")
    conn.close()


@pytest.fixture(params=["sqlite", "postgresql"])
def db_target(request, tmp_path) -> str:
    """A database location (empty) on each backend."""
    if request.param == "sqlite":
        return str(tmp_path / "patrol.db")
    url = request.getfixturevalue("pg_server_url")
    _reset_pg(url)
    return url


@pytest.fixture
def database(db_target):
    """An open, empty, migrated database on each backend."""
    database = dbmod.open_database(db_target)
    yield database
    dbmod.close_database()


@pytest.fixture
def centre(database):
    """A centre with default settings and the shipped checklists loaded."""
    return create_centre("TEST", "测试政务服务中心")


class Roster:
    """A small roster for tests: windows of each type, staff, an inspector and a manager."""

    def __init__(self, centre):
        self.area = Area.create(centre=centre, code="A", name="一楼")
        self.windows = {}
        for code, wtype, dept in [
            ("A01", "综合窗口", "政务服务中心"), ("A02", "综合窗口", "政务服务中心"),
            ("Z01", "总服务台", "政务服务中心"), ("C01", "帮办窗口", "政务服务中心"),
            ("B01", "部门窗口", "税务局"), ("B02", "部门窗口", "人社局"),
        ]:
            self.windows[code] = Window.create(area=self.area, code=code, name=f"{code}窗口",
                                               window_type=wtype, department=dept)
        self.staff = {}
        self.inspector = create_user("insp", "巡查员甲", "inspector", "secret1")
        self.manager = create_user("boss", "管理员乙", "manager", "secret2")

    def person(self, emp: str, window: str = "A01", gender: str = "F", party: bool = False) -> Staff:
        s = Staff.create(employee_no=emp, name=f"人员{emp}", gender=gender, party_member=party,
                         employer="某劳务公司", window=self.windows[window])
        self.staff[emp] = s
        return s


@pytest.fixture
def roster(centre) -> Roster:
    return Roster(centre)


def at(day: str, hour: int = 10) -> dt.datetime:
    return dt.datetime.combine(dt.date.fromisoformat(day), dt.time(hour))


@pytest.fixture
def demo_office(db_target):
    """The demo roster without inspections (seed 9) on SQLite and PostgreSQL, open; yields the target."""
    dbmod.open_database(db_target)
    make_demo(seed=9, with_inspections=False)
    yield db_target
    dbmod.close_database()


@pytest.fixture
def demo_roster(tmp_path):
    """The demo centre without inspections, on a fresh SQLite file."""
    dbmod.open_database(str(tmp_path / "gui.db"))
    make_demo(seed=1, with_inspections=False)
    yield tmp_path / "gui.db"
    dbmod.close_database()


@pytest.fixture
def demo_file(tmp_path):
    """A closed SQLite file holding the demo centre without inspections (seed 3), for tests that start
    the real app in a process of its own."""
    path = tmp_path / "demo.db"
    dbmod.open_database(str(path))
    make_demo(seed=3, with_inspections=False)
    dbmod.close_database()
    return path


@pytest.fixture
def app_font(qapp):
    """The app's font and Qt's Chinese strings, as the real start-up sets them."""
    from forms.app import load_font, load_qt_chinese
    from forms.style import apply_style

    load_qt_chinese(qapp)
    apply_style(qapp)
    return load_font(qapp)
