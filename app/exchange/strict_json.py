"""JSON from a file someone else made (a package's records and manifest, a centre's roster, a setup
file): no NaN or Infinity, no number longer than 30 characters, and every failure (nesting too deep
included) a ValueError that says in Chinese what is wrong, never a crash."""

from __future__ import annotations

import json

MAX_DIGITS = 30  # a score, a count, an id: nothing the app writes comes near


def _no_constant(name: str):
    raise ValueError(f"{name} 不是有效数字")


def _number(text: str, kind):
    if len(text) > MAX_DIGITS:
        raise ValueError(f"数字过长 ({len(text)} 位)")
    return kind(text)


def loads(text: str | bytes):
    """The value of a JSON text, or ValueError naming what is wrong and where."""
    try:
        return json.loads(text, parse_constant=_no_constant, parse_int=lambda t: _number(t, int),
                          parse_float=lambda t: _number(t, float))
    except RecursionError:
        raise ValueError("嵌套过深") from None
    except json.JSONDecodeError as exc:
        raise ValueError(f"第 {exc.pos + 1} 个字符处格式有误") from None
