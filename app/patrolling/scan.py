"""Window labels read by a USB scanner (a keyboard): the payload printed in a label's QR code.

Payload: `WP1:<centre code>:<window code>` — versioned so a later label format can be told apart.
A bare window code typed by hand is accepted too.
"""

from __future__ import annotations

import re

from app.errors import PatrolError

PREFIX = "WP1"


def window_payload(centre_code: str, window_code: str) -> str:
    return f"{PREFIX}:{centre_code}:{window_code}"


def parse_scan(text: str, centre_code: str | None = None) -> str:
    """The window code in a scanned or typed text; PatrolError if it is a label of another centre."""
    text = text.strip()
    # Scanners on a Chinese IME or a wrong layout may send full-width characters.
    text = text.translate({c: c - 0xFEE0 for c in range(0xFF01, 0xFF5F)}).replace("：", ":")
    match = re.fullmatch(r"WP(\d+):([^:]+):([^:]+)", text, flags=re.IGNORECASE)
    if match:
        if match.group(1) != PREFIX[2:]:
            raise PatrolError(f"不支持的标签版本 WP{match.group(1)}")
        if centre_code and match.group(2) != centre_code:
            raise PatrolError(f"这是其他中心 ({match.group(2)}) 的窗口标签")
        return match.group(3)
    return text.upper()
