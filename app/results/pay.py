"""The pay office's question (seed 000 三.2: 扣发绩效工资): who failed in a period, how often, on what."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass, field

from app.centres import scope
from app.centres.settings import load_settings
from app.periods import Period
from app.results.rankings import finalised_in
from app.rounding import half_up
from app.storage.models import Inspection, Item, ItemResult, Staff, Window


@dataclass
class PayRow:
    employee_no: str
    name: str
    employer: str
    window: str
    failed_inspections: int
    vetoes: int
    dates: list[dt.date] = field(default_factory=list)
    items: list[tuple[str, str, int]] = field(default_factory=list)  # (code, text, times failed)
    amount: float | None = None  # 元 withheld by the centre's rule (settings); None: no amount set
    rule: str = ""  # how the amount was reached, for the pay office

    def as_dict(self) -> dict:
        return {
            "employee_no": self.employee_no, "name": self.name, "employer": self.employer,
            "window": self.window, "failed_inspections": self.failed_inspections,
            "vetoes": self.vetoes, "dates": [d.isoformat() for d in self.dates],
            "items": [{"code": c, "text": t, "times": n} for c, t, n in self.items],
            "amount": self.amount, "rule": self.rule,
        }


def failures(period: Period, centre_id=scope.SOLE) -> list[PayRow]:
    """Staff with at least one failed finalised inspection in the period, most failures first."""
    failed = list(
        Inspection.select(Inspection, Staff, Window)
        .join(Staff).switch(Inspection).join(Window)
        .where(finalised_in(period, centre_id=centre_id) & (Inspection.passed == False))  # noqa: E712
        .order_by(Inspection.observed_at)
    )
    by_staff: dict[int, PayRow] = {}
    item_counts: dict[int, Counter] = {}
    for insp in failed:
        row = by_staff.get(insp.staff_id)
        if row is None:
            s = insp.staff
            row = by_staff[insp.staff_id] = PayRow(s.employee_no, s.name, s.employer, insp.window.code, 0, 0)
            item_counts[insp.staff_id] = Counter()
        row.failed_inspections += 1
        row.vetoes += int(bool(insp.vetoed))
        row.dates.append(insp.observed_at.date())
    if failed:
        ids = [i.id for i in failed]
        staff_of = {i.id: i.staff_id for i in failed}
        texts = {}
        for start in range(0, len(ids), 500):
            for ir in (
                ItemResult.select(ItemResult.inspection, Item.code, Item.text)
                .join(Item)
                .where(ItemResult.inspection.in_(ids[start:start + 500]) & (ItemResult.result == "fail")
                       & (Item.kind == "check"))
                .tuples()
            ):
                inspection_id, code, text = ir
                item_counts[staff_of[inspection_id]][code] += 1
                texts[code] = text
        for staff_id, counts in item_counts.items():
            by_staff[staff_id].items = [(c, texts[c], n) for c, n in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))]
    settings = load_settings(centre_id=centre_id)
    for row in by_staff.values():
        if settings.pay_per_failure or settings.pay_per_veto:
            row.amount = half_up(row.failed_inspections * settings.pay_per_failure + row.vetoes * settings.pay_per_veto)
            row.rule = f"不合格 {row.failed_inspections} 次 × {settings.pay_per_failure:g} 元" + (
                f" + 一票否决 {row.vetoes} 次 × {settings.pay_per_veto:g} 元" if row.vetoes and settings.pay_per_veto else "")
        else:
            row.rule = "按中心绩效考核办法 (未设定每次金额)"
    return sorted(by_staff.values(), key=lambda r: (-r.failed_inspections, r.employee_no))
