"""Before the first window on Linux: the system libraries Qt's screen plugin (xcb) needs, named by their
Debian/Ubuntu package with the line that installs them. Qt itself says only "could not load the Qt
platform plugin xcb" and names xcb-cursor0 even when it is something else that is missing.

Plain Python (ldd on the plugin and its library, no Qt loaded), so it can run before QApplication.
"""

from __future__ import annotations

import os
import subprocess
import sys

# The shared libraries of the xcb plugin (Qt 6) and the Debian/Ubuntu (统信UOS, 麒麟) package of each.
PACKAGES = {
    "libxcb-cursor.so.0": "libxcb-cursor0", "libxcb-icccm.so.4": "libxcb-icccm4",
    "libxcb-keysyms.so.1": "libxcb-keysyms1", "libxcb-image.so.0": "libxcb-image0",
    "libxcb-render-util.so.0": "libxcb-render-util0", "libxcb-shape.so.0": "libxcb-shape0",
    "libxcb-randr.so.0": "libxcb-randr0", "libxcb-xkb.so.1": "libxcb-xkb1", "libxcb-util.so.1": "libxcb-util1",
    "libxcb-sync.so.1": "libxcb-sync1", "libxcb-xfixes.so.0": "libxcb-xfixes0", "libxcb-shm.so.0": "libxcb-shm0",
    "libxcb-render.so.0": "libxcb-render0", "libxcb.so.1": "libxcb1", "libX11-xcb.so.1": "libx11-xcb1",
    "libxkbcommon-x11.so.0": "libxkbcommon-x11-0", "libxkbcommon.so.0": "libxkbcommon0",
    "libEGL.so.1": "libegl1", "libGL.so.1": "libgl1", "libfontconfig.so.1": "libfontconfig1",
    "libfreetype.so.6": "libfreetype6", "libdbus-1.so.3": "libdbus-1-3", "libglib-2.0.so.0": "libglib2.0-0",
}
# Every package the screen needs, for the README's line and the message.
ALL_PACKAGES = ("libxcb-cursor0", "libxcb-icccm4", "libxcb-keysyms1", "libxcb-image0", "libxcb-render-util0",
                "libxcb-shape0", "libxcb-randr0", "libxcb-xkb1", "libxkbcommon-x11-0", "libegl1", "libgl1",
                "libfontconfig1", "libdbus-1-3")


def _qt_folder() -> str | None:
    try:
        import PyQt6  # the package folder only: no Qt library is loaded by this import
    except ImportError:
        return None
    return os.path.join(os.path.dirname(PyQt6.__file__), "Qt6")


def uses_xcb() -> bool:
    """Whether Qt will open its windows through xcb (X11, or XWayland as Qt 6 prefers on most desktops)."""
    platform = os.environ.get("QT_QPA_PLATFORM", "")
    return sys.platform.startswith("linux") and (not platform or platform.startswith("xcb"))


def missing_libraries() -> list[str]:
    """The shared libraries the xcb plugin cannot find on this system (empty when all are there, or when
    ldd or the plugin is not there to ask)."""
    qt = _qt_folder()
    if qt is None:
        return []
    files = [os.path.join(qt, "plugins", "platforms", "libqxcb.so"), os.path.join(qt, "lib", "libQt6XcbQpa.so.6")]
    missing: list[str] = []
    for path in files:
        if not os.path.exists(path):
            continue
        try:
            out = subprocess.run(["ldd", path], capture_output=True, text=True, timeout=20).stdout
        except (OSError, subprocess.SubprocessError):
            return []
        for line in out.splitlines():
            if "=> not found" in line:
                name = line.split("=>")[0].strip()
                if name not in missing:
                    missing.append(name)
    return missing


def message(missing: list[str]) -> str:
    """What to tell the person: the libraries, their packages, the line that installs them."""
    packages = sorted({PACKAGES.get(m, m) for m in missing})
    unknown = [m for m in missing if m not in PACKAGES]
    text = (f"无法打开程序窗口: 本机缺少 Qt 显示所需的系统库 {', '.join(missing)}。\n"
            f"请安装 (Debian、Ubuntu、统信UOS、麒麟):\n    sudo apt-get install -y {' '.join(packages)}")
    if unknown:
        text += f"\n(其中 {', '.join(unknown)} 请按名称查找所属的软件包)"
    return text + "\n命令行功能 (导出、导入等) 不需要这些库, 仍可使用。"
