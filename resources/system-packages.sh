#!/usr/bin/env bash
# The system libraries the desktop app's screen needs on Debian, Ubuntu, 统信UOS and 麒麟 (Qt's xcb
# plugin): installed when it can (as root, or with sudo that asks no password), otherwise named with
# the line that installs them. The command line works without them. The list is forms/system_check.py's.
set -uo pipefail
command -v apt-get >/dev/null && command -v dpkg-query >/dev/null || exit 0
packages=(libxcb-cursor0 libxcb-icccm4 libxcb-keysyms1 libxcb-image0 libxcb-render-util0 libxcb-shape0
          libxcb-randr0 libxcb-xkb1 libxkbcommon-x11-0 libegl1 libgl1 libfontconfig1 libdbus-1-3)
need=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || need+=("$p")
done
[ ${#need[@]} -eq 0 ] && exit 0
export DEBIAN_FRONTEND=noninteractive
if [ "$(id -u)" = 0 ]; then
  apt-get install -y -q "${need[@]}" || { apt-get update -q && apt-get install -y -q "${need[@]}"; }
elif command -v sudo >/dev/null && sudo -n true 2>/dev/null; then
  sudo -n apt-get install -y -q "${need[@]}" || { sudo -n apt-get update -q && sudo -n apt-get install -y -q "${need[@]}"; }
else
  echo "程序窗口需要的系统库尚未安装, 请运行: sudo apt-get install -y ${need[*]}" >&2
fi
exit 0
