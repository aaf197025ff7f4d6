"""Text from the store or the network, made safe to print on a terminal.

A stored title is whatever a source sent: an escape sequence in it (``ESC ]`` ... sets the window
title, ``ESC [2J`` clears the screen, some terminals answer queries into their input) would act
on the operator's terminal when ``scrapy stored`` or ``tmdb-review`` prints it. ``printable``
shows every control character as an escape (``\\x1b``, ``\\x0a``, ``\\u202e``) instead.
"""

from __future__ import annotations

import unicodedata

# Format characters that reorder or hide text on screen (bidi overrides and isolates).
BIDI_CONTROLS = frozenset("\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")


def printable(text: object) -> str:
    """``text`` with every control character (C0, DEL, C1, bidi controls) written as a Python escape."""
    value = str(text)
    if value.isprintable():
        return value
    return "".join(f"\\x{ord(ch):02x}" if unicodedata.category(ch) == "Cc" and ord(ch) < 0x100
                   else f"\\u{ord(ch):04x}" if ch in BIDI_CONTROLS or unicodedata.category(ch) == "Cc" else ch
                   for ch in value)
