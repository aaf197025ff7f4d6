"""The image host's files (image.tmdb.org/t/p/{size}/{file}): real, decodable images for every image
path the dataset serves, and nothing else.

Like image.tmdb.org, a file exists only for a path TMDB's answers name (a poster, a backdrop, a
profile, a still, a logo, an entry of ``/images``); any other name is a 404. ``{size}`` is one of
``/configuration``'s sizes: ``wN`` scales the file to N pixels wide, ``hN`` to N high, ``original``
is the file's own size (the ``/images`` entry's width and height, else a typical size of its kind).

The pixels are designed (no real artwork): a vertical gradient between two colours drawn from the
path, so each poster looks different and the same path always gives the same bytes. ``.jpg`` is a
baseline JPEG, ``.png`` a PNG, ``.svg`` an SVG, each what its Content-Type says: a browser decodes
them (``naturalWidth > 0``), a file pipeline stores them.
"""

from __future__ import annotations

import dataclasses
import functools
import hashlib
import re
import struct
import zlib
from collections.abc import Iterator
from typing import Any

PATH = re.compile(r"/[A-Za-z0-9]{27}\.(jpg|png|svg)")
CONTENT_TYPES = {"jpg": "image/jpeg", "png": "image/png", "svg": "image/svg+xml"}
# (width, height) of an ``original`` file by the field naming it, when no /images entry says
ORIGINAL_SIZES = {"poster_path": (2000, 3000), "backdrop_path": (1920, 1080), "profile_path": (1000, 1500),
                  "still_path": (1920, 1080), "logo_path": (500, 200), "file_path": (2000, 3000)}
MAX_SIDE = 4000  # a scaled size never larger than this (TMDB's largest originals are about this)


def known(*roots: Any) -> dict[str, tuple[int, int]]:
    """Every image path found in ``roots`` (the dataset's movies, shows, people) -> its original size."""
    found: dict[str, tuple[int, int]] = {}
    for key, value, holder in _walk(roots):
        if not (isinstance(value, str) and key.endswith("_path") and PATH.fullmatch(value)):
            continue
        width, height = holder.get("width"), holder.get("height")
        if isinstance(width, int) and isinstance(height, int) and width > 0 and height > 0:
            found[value] = (width, height)
        else:
            found.setdefault(value, ORIGINAL_SIZES.get(key, (500, 500)))
    return found


def _walk(value: Any, seen: set[int] | None = None) -> Iterator[tuple[str, Any, dict[str, Any]]]:
    """(key, value, the mapping holding it) of every mapping entry under ``value``."""
    seen = set() if seen is None else seen
    if id(value) in seen:
        return
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        seen.add(id(value))
        holder = {f.name: getattr(value, f.name) for f in dataclasses.fields(value)}
        for key, item in holder.items():
            yield key, item, holder
            yield from _walk(item, seen)
    elif isinstance(value, dict):
        seen.add(id(value))
        for key, item in value.items():
            if isinstance(key, str):
                yield key, item, value
            yield from _walk(item, seen)
    elif isinstance(value, (list, tuple)):
        seen.add(id(value))
        for item in value:
            yield from _walk(item, seen)


def scaled(size: str, original: tuple[int, int]) -> tuple[int, int]:
    """The pixel size of ``original`` served at ``size`` (wN, hN or original)."""
    width, height = original
    if size.startswith("w"):
        wanted = int(size[1:])
        return min(wanted, MAX_SIDE), max(1, min(MAX_SIDE, round(height * wanted / width)))
    if size.startswith("h"):
        wanted = int(size[1:])
        return max(1, min(MAX_SIDE, round(width * wanted / height))), min(wanted, MAX_SIDE)
    return width, height


def colours(path: str) -> tuple[tuple[int, int, int], tuple[int, int, int]]:
    digest = hashlib.sha256(path.encode()).digest()
    return (digest[0], digest[1], digest[2]), (digest[3] // 3, digest[4] // 3, digest[5] // 3)


@functools.lru_cache(maxsize=256)
def render(path: str, width: int, height: int) -> tuple[bytes, str]:
    """(bytes, Content-Type) of ``path`` drawn ``width`` x ``height``."""
    ext = path.rsplit(".", 1)[1]
    top, bottom = colours(path)
    if ext == "jpg":
        return jpeg(width, height, top, bottom), CONTENT_TYPES[ext]
    if ext == "png":
        return png(width, height, top, bottom), CONTENT_TYPES[ext]
    return svg(width, height, top, bottom), CONTENT_TYPES[ext]


def _mix(top: tuple[int, int, int], bottom: tuple[int, int, int], t: float) -> tuple[int, int, int]:
    return tuple(round(a + (b - a) * t) for a, b in zip(top, bottom, strict=True))  # type: ignore[return-value]


# ----------------------------------------------------------------------------- PNG
def png(width: int, height: int, top: tuple[int, int, int], bottom: tuple[int, int, int]) -> bytes:
    """An 8-bit RGB PNG, one colour per row."""
    rows = bytearray()
    for y in range(height):
        rows += b"\x00" + bytes(_mix(top, bottom, y / max(1, height - 1))) * width

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(bytes(rows), 6))
            + chunk(b"IEND", b""))


# ----------------------------------------------------------------------------- SVG
def svg(width: int, height: int, top: tuple[int, int, int], bottom: tuple[int, int, int]) -> bytes:
    return (f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
            f'viewBox="0 0 {width} {height}"><defs><linearGradient id="g" x1="0" y1="0" x2="0" y2="1">'
            f'<stop offset="0" stop-color="rgb{top}"/><stop offset="1" stop-color="rgb{bottom}"/>'
            f'</linearGradient></defs><rect width="{width}" height="{height}" fill="url(#g)"/></svg>').encode()


# ----------------------------------------------------------------------------- JPEG
# Baseline JPEG (ITU T.81), three components at full resolution, each 8x8 block flat (its DC
# coefficient only): one quantisation table of ones, one DC Huffman table (categories 0-11, four
# bits each) and one AC table holding only end-of-block (the code ``0``).
_DC_BITS = bytes([0, 0, 0, 12] + [0] * 12)  # 12 codes of length 4: 0000 ... 1011
_DC_VALUES = bytes(range(12))
_AC_BITS = bytes([1] + [0] * 15)  # one code of length 1: 0
_AC_VALUES = bytes([0x00])  # EOB


def _segment(marker: int, data: bytes) -> bytes:
    return struct.pack(">HH", 0xFF00 | marker, len(data) + 2) + data


def _ycbcr(rgb: tuple[int, int, int]) -> tuple[int, int, int]:
    r, g, b = rgb
    y = 0.299 * r + 0.587 * g + 0.114 * b
    cb = 128 - 0.168736 * r - 0.331264 * g + 0.5 * b
    cr = 128 + 0.5 * r - 0.418688 * g - 0.081312 * b
    return tuple(max(0, min(255, round(v))) for v in (y, cb, cr))  # type: ignore[return-value]


def _dc_bits(diff: int) -> str:
    """DC difference: its category's 4-bit code, then the category's bits of the value."""
    category = abs(diff).bit_length()
    bits = format(category, "04b")
    if category:
        bits += format(diff if diff > 0 else diff + (1 << category) - 1, f"0{category}b")
    return bits


def jpeg(width: int, height: int, top: tuple[int, int, int], bottom: tuple[int, int, int]) -> bytes:
    """A baseline JPEG ``width`` x ``height``, a vertical gradient from ``top`` to ``bottom`` in 8-pixel bands."""
    across, down = -(-width // 8), -(-height // 8)
    same = ("0000" + "0") * 3  # an MCU whose blocks repeat the previous ones: DC difference 0, end of block
    previous = (0, 0, 0)
    parts = []
    for band in range(down):
        # a flat block of sample value s has DC coefficient 8 * (s - 128) (quantised by 1)
        dc = tuple(8 * (v - 128) for v in _ycbcr(_mix(top, bottom, band / max(1, down - 1))))
        parts.append("".join(_dc_bits(d - p) + "0" for d, p in zip(dc, previous, strict=True)))
        parts.append(same * (across - 1))
        previous = dc
    bits = "".join(parts)
    bits += "1" * (-len(bits) % 8)  # padded with ones
    scan = int(bits, 2).to_bytes(len(bits) // 8, "big").replace(b"\xff", b"\xff\x00")
    components = b"".join(bytes([i, 0x11, 0]) for i in (1, 2, 3))
    return b"".join([
        b"\xff\xd8",
        _segment(0xE0, b"JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00"),
        _segment(0xDB, b"\x00" + b"\x01" * 64),
        _segment(0xC0, struct.pack(">BHHB", 8, height, width, 3) + components),
        _segment(0xC4, b"\x00" + _DC_BITS + _DC_VALUES + b"\x10" + _AC_BITS + _AC_VALUES),
        _segment(0xDA, b"\x03" + b"".join(bytes([i, 0x00]) for i in (1, 2, 3)) + b"\x00\x3f\x00"),
        scan,
        b"\xff\xd9",
    ])
