"""The first command on a bare Debian (issue 27, part 1): a missing library of Qt's screen plugin is
named with its package and the line that installs it, before Qt's generic message."""

from __future__ import annotations

import subprocess

import cli
from forms import system_check


def test_the_libraries_ldd_cannot_find_are_named_with_their_packages(monkeypatch, tmp_path):
    qt = tmp_path / "Qt6"
    (qt / "plugins" / "platforms").mkdir(parents=True)
    (qt / "lib").mkdir()
    (qt / "plugins" / "platforms" / "libqxcb.so").write_bytes(b"")
    (qt / "lib" / "libQt6XcbQpa.so.6").write_bytes(b"")
    ldd = ("\tlibxcb-icccm.so.4 => not found\n\tlibxcb-keysyms.so.1 => not found\n"
           "\tlibxcb-cursor.so.0 => /lib/x86_64-linux-gnu/libxcb-cursor.so.0 (0x7f)\n\tlibweird.so.9 => not found\n")
    monkeypatch.setattr(system_check, "_qt_folder", lambda: str(qt))
    monkeypatch.setattr(subprocess, "run", lambda *a, **k: subprocess.CompletedProcess(a, 0, ldd, ""))
    missing = system_check.missing_libraries()
    assert missing == ["libxcb-icccm.so.4", "libxcb-keysyms.so.1", "libweird.so.9"]
    text = system_check.message(missing)
    assert "sudo apt-get install -y libweird.so.9 libxcb-icccm4 libxcb-keysyms1" in text
    assert "libxcb-cursor0" not in text, "only what is missing, not Qt's usual guess"
    assert "libweird.so.9 请按名称查找" in text


def test_the_app_says_what_to_install_instead_of_failing_in_qt(monkeypatch, capsys):
    monkeypatch.setattr(system_check, "uses_xcb", lambda: True)
    monkeypatch.setattr(system_check, "missing_libraries", lambda: ["libxcb-keysyms.so.1"])
    assert cli.main([]) == 2
    err = capsys.readouterr().err
    assert "libxcb-keysyms.so.1" in err and "sudo apt-get install -y libxcb-keysyms1" in err


def test_every_package_the_readme_and_the_installer_name_is_the_checks(tmp_path):
    from pathlib import Path

    root = Path(__file__).resolve().parents[1]
    script = (root / "resources" / "system-packages.sh").read_text(encoding="utf-8")
    readme = (root / "README.md").read_text(encoding="utf-8")
    for package in system_check.ALL_PACKAGES:
        assert package in script and package in readme, package
    assert set(system_check.ALL_PACKAGES) <= set(system_check.PACKAGES.values())
