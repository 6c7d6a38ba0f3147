"""The roster template a manager starts from: a 窗口 sheet and a 人员 sheet with the expected headers."""

from __future__ import annotations

from pathlib import Path

from openpyxl import Workbook
from openpyxl.styles import Font, PatternFill
from openpyxl.worksheet.datavalidation import DataValidation

from app.domain import WINDOW_TYPES
from exports.excel import fit_rows, guarded_append, print_setup
from exports.files import atomic_output

HEADER_FILL = PatternFill("solid", fgColor="DDE6F0")


def roster_template(path: str | Path) -> None:
    with atomic_output(path, (".xlsx",)) as tmp:
        wb = Workbook()
        windows = wb.active
        windows.title = "窗口"
        guarded_append(windows, ["窗口编号", "窗口名称", "窗口类型", "进驻部门", "区域"])
        guarded_append(windows, ["A01", "综合窗口1号", "综合窗口", "政务服务中心", "A"])
        staff = wb.create_sheet("人员")
        guarded_append(staff, ["工号", "姓名", "性别", "政治面貌", "劳务公司", "窗口编号", "岗位"])
        guarded_append(staff, ["GW0001", "张三", "女", "中共党员", "某某人力资源有限公司", "A01", "A岗"])
        for ws, widths in ((windows, [10, 18, 12, 16, 10]), (staff, [10, 10, 6, 12, 26, 10, 8])):
            for n, width in enumerate(widths):
                ws.column_dimensions[chr(65 + n)].width = width
            for cell in ws[1]:
                cell.font, cell.fill = Font(bold=True), HEADER_FILL
            print_setup(ws, f"人员名单模板 {ws.title}", len(widths), 1)
        types = DataValidation(type="list", formula1='"' + ",".join(WINDOW_TYPES) + '"', allow_blank=False)
        windows.add_data_validation(types)
        types.add("C2:C1000")
        for column, options in (("C", "男,女"), ("D", "中共党员,中共预备党员,共青团员,群众"), ("G", "A岗,B岗")):
            rule = DataValidation(type="list", formula1=f'"{options}"', allow_blank=True)
            staff.add_data_validation(rule)
            rule.add(f"{column}2:{column}1000")
        notes = wb.create_sheet("说明")
        for line in ("填写说明:", "1. 每个窗口一行, 每名工作人员一行; 列的顺序可以调整, 表头名称请保持 (也识别 姓名/工号/用工单位 等常见写法)。",
                     "2. 工号唯一; 窗口编号须在“窗口”表或系统中已有。", "3. 名单中没有的在岗人员, 导入后将标为“离岗”, 其巡查记录保留。",
                     "4. 先用“预览”查看将要发生的变化, 确认后再“导入”。"):
            guarded_append(notes, [line])
        notes.column_dimensions["A"].width = 100
        fit_rows(notes, first=1)
        print_setup(notes, "人员名单模板 填写说明", 1, 5)
        wb.save(tmp)
