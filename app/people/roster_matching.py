"""Who a roster row is, when the roster has no employee numbers (many offices keep none).

A row is matched to existing staff by ID-card number (身份证号) where there is one, else by name and
window. New people get generated numbers (R0001, R0002 …). A row that could be two people (two of one
name, neither at the row's window) is never guessed: it is listed for the manager to settle, by adding
the number or the ID card to that row.

ID-card numbers are checked (GB 11643 check digit) and never stored: only a keyed hash (HMAC-SHA256
with a secret made once per database), enough to recognise the same card next month.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets

from app.centres.settings import local_value, set_local_value
from app.storage.models import Staff, Window

ID_CARD = re.compile(r"\d{17}[\dX]")
_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_CHECK = "10X98765432"
SECRET_KEY = "id_card_secret"


def valid_id_card(number: str) -> bool:
    """An 18-character resident ID number with a correct check digit."""
    if not ID_CARD.fullmatch(number):
        return False
    return _CHECK[sum(int(d) * w for d, w in zip(number[:17], _WEIGHTS)) % 11] == number[17]


def _secret() -> bytes:
    value = local_value(SECRET_KEY)
    if value is None:  # one per database: a person's key is the same in every centre of a district
        set_local_value(SECRET_KEY, secrets.token_hex(32))
        value = local_value(SECRET_KEY)
    return bytes.fromhex(value)


def id_card_key(number: str) -> str:
    return hmac.new(_secret(), number.encode("ascii"), hashlib.sha256).hexdigest()


def generated_numbers(taken: set[str]):
    """R0001, R0002 … skipping numbers already used."""
    n = 0
    while True:
        n += 1
        number = f"R{n:04d}"
        if number not in taken:
            yield number


def resolve(staff_rows: list, errors: list[str], centre_id: int) -> None:
    """Give every row without an employee number the number of the person it is, or a new one.
    Rows sets `employee_no`, and `generated` for new people; ambiguous rows become errors."""
    people = list(Staff.select(Staff.employee_no, Staff.name, Staff.id_card_key, Staff.window, Staff.status))
    window_codes = dict(Window.select(Window.id, Window.code).where(Window.centre == centre_id).tuples())
    by_card = {p.id_card_key: p for p in people if p.id_card_key}
    by_name: dict[str, list] = {}
    for p in people:
        by_name.setdefault(p.name, []).append(p)
    taken = {p.employee_no for p in people} | {r.employee_no for r in staff_rows if r.employee_no}
    numbers = generated_numbers(taken)
    claimed: dict[str, object] = {r.employee_no: r.where for r in staff_rows if r.employee_no}
    for row in staff_rows:
        if row.id_card:
            row.id_card_key = id_card_key(row.id_card)
        if row.employee_no:
            continue
        match = by_card.get(row.id_card_key) if row.id_card_key else None
        if match is None:
            # A card not seen before may be a person already here (first roster with cards): by name,
            # but never someone whose recorded card is another.
            same_name = [p for p in by_name.get(row.name, [])
                         if not (row.id_card_key and p.id_card_key and p.id_card_key != row.id_card_key)]
            here = [p for p in same_name if window_codes.get(p.window_id) == row.window] if row.window else []
            candidates = here or same_name
            if len(candidates) > 1:
                listed = "、".join(f"{p.employee_no} ({window_codes.get(p.window_id, '无窗口')})" for p in candidates)
                errors.append(f"{row.where}: “{row.name}”可能是 {listed}, 无法确定是谁; 请在该行补上工号或身份证号")
                continue
            match = candidates[0] if candidates else None
        if match is not None:
            if match.employee_no in claimed:
                errors.append(f"{row.where}: 与{claimed[match.employee_no]}是同一人 ({match.employee_no} {match.name})")
                continue
            row.employee_no = match.employee_no
        else:
            row.employee_no = next(numbers)
            row.generated = True
        claimed[row.employee_no] = row.where
