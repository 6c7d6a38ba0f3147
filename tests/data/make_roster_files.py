"""Makes tests/data/roster.xlsx and, with LibreOffice, the same roster as roster.xls and roster.ods.

    python tests/data/make_roster_files.py     (needs `soffice`: apt-get install libreoffice-calc-nogui)

The files are committed; the tests read them (and write the CSV forms themselves)."""

import subprocess
import sys
from pathlib import Path

from openpyxl import Workbook

HERE = Path(__file__).parent
ROWS = [
    ["GW0001", "李 明", "男", "中共党员", "锦程劳务派遣有限公司", "A01", "A岗"],
    ["GW0002", "王芳", "女", "群众", "上海仁达人力资源有限公司", "A01", "B岗"],
    ["GW0003", "张秀英", "女", "共青团员", "众合人力资源服务有限公司", "A02", "A岗"],
    ["GW0081", "赵新人", "男", "群众", "锦程劳务派遣有限公司", "A02", "B岗"],
    ["GW0082", "钱晓燕", "女", "中共预备党员", "市场监管局(在编)", "B01", "A岗"],
]


def main() -> None:
    wb = Workbook()
    ws = wb.active
    ws.title = "人员"
    ws.append(["2026年11月窗口人员名单"])
    ws.merge_cells("A1:G1")
    ws.append(["工号", "姓名", "性别", "政治面貌", "劳务公司", "窗口编号", "岗位"])
    for row in ROWS:
        ws.append(row)
    ws.append([])
    ws.append(["制表: 窗口管理科"])
    old = wb.create_sheet("旧名单")
    old.append(["工号", "姓名", "性别"])
    old.append(["X1", "已调走", "男"])
    old.sheet_state = "hidden"
    wb.save(HERE / "roster.xlsx")
    for fmt in ("xls", "ods"):
        subprocess.run(["soffice", "--headless", "--convert-to", fmt, "--outdir", str(HERE), str(HERE / "roster.xlsx")],
                       check=True, capture_output=True)
    print("written:", *(HERE / f"roster.{x}" for x in ("xlsx", "xls", "ods")), file=sys.stderr)


if __name__ == "__main__":
    main()
