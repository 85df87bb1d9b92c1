"""Segmentation mask PNGs <-> uint8 index arrays (0 = the white background).

A mask answer names its colours: `crowd-semantic-segmentation` one per label
(`labelMappings`), `crowd-instance-segmentation` one per object (`instances`). Reading maps
each pixel's colour to its index in such a colour list (+1); writing paints an index
array with a palette. Both work on row strips with numpy (no per-pixel Python), so a
12-megapixel mask costs its decoded image plus one byte per pixel, not an RGB copy of it.
"""

import io
import math
from collections.abc import Sequence

import numpy as np

BACKGROUND_COLOR = "#ffffff"  # the colour Ground Truth maps to BACKGROUND
STRIP_PIXELS = 1 << 20  # pixels converted at a time: ~12 MB of temporaries
# The crowd elements' palette (static/crowd/viewport.js CATEGORY10, segmentation.js
# instanceColor): index 10 on, golden-angle hues; 255 distinct colours, never white.
CATEGORY10 = (
    "#1f77b4",
    "#ff7f0e",
    "#2ca02c",
    "#d62728",
    "#9467bd",
    "#8c564b",
    "#e377c2",
    "#7f7f7f",
    "#bcbd22",
    "#17becf",
)


class MaskUnreadable(ValueError):
    """The PNG cannot be read as a mask of these colours; the message is for the worker."""


def palette_color(index: int) -> str:
    """The elements' colour of label (or object) number `index` (0-based), as JavaScript
    computes it (Math.round rounds halves up)."""
    if index < len(CATEGORY10):
        return CATEGORY10[index]
    hue = (index * 137.508) % 360
    light = 0.45 + ((index * 7) % 3) * 0.08
    a = 0.65 * min(light, 1 - light)

    def channel(n: int) -> int:
        k = (n + hue / 30) % 12
        return math.floor(255 * (light - a * max(-1, min(k - 3, 9 - k, 1))) + 0.5)

    return "#" + "".join(f"{channel(n):02x}" for n in (0, 8, 4))


def _packed(hex_color: str) -> int:
    """A colour as the pixels of `_pixels` hold it: R | G << 8 | B << 16."""
    value = int(hex_color.lstrip("#"), 16)
    return (value >> 16) | (value & 0xFF00) | ((value & 0xFF) << 16)


def _pixels(strip) -> np.ndarray:
    """One uint32 per pixel of a Pillow image strip: its four RGBX bytes read little-endian,
    the fourth masked off (a view of the converted strip, not an array per channel)."""
    return np.asarray(strip.convert("RGBX")).view("<u4")[..., 0] & 0xFFFFFF


def mask_read(
    png: bytes,
    *,
    size: tuple[int, int] | None,
    colors: Sequence[str | None],
    noun: str = "label",
) -> np.ndarray:
    """The mask as a (height, width) uint8 array: 0 where white, n where `colors[n - 1]`
    (None: a label the answer gave no colour). MaskUnreadable names what is wrong: not a
    PNG, another size than `size` (None: any), a colour that belongs to no `noun`."""
    from PIL import Image, UnidentifiedImageError

    if len(colors) > 255:
        raise MaskUnreadable(f"A mask holds at most 255 {noun}s.")
    if not png.startswith(b"\x89PNG\r\n\x1a\n"):
        raise MaskUnreadable("The mask is not a PNG image.")
    known = {_packed(BACKGROUND_COLOR): 0}
    for index, color in enumerate(colors, start=1):
        if color is not None:
            known.setdefault(_packed(color), index)
    keys = np.array(sorted(known), dtype=np.uint32)
    values = np.array([known[k] for k in sorted(known)], dtype=np.uint8)
    try:
        with Image.open(io.BytesIO(png)) as image:  # reads the header only: size first
            if image.format != "PNG":
                raise MaskUnreadable("The mask is not a PNG image.")
            width, height = size or image.size
            if image.size != (width, height):
                raise MaskUnreadable(
                    f"The mask is {image.size[0]}x{image.size[1]}; the image is {width}x{height}."
                )
            image.load()
            result = np.empty((height, width), dtype=np.uint8)
            rows = max(1, STRIP_PIXELS // width)
            for top in range(0, height, rows):
                bottom = min(height, top + rows)
                packed = _pixels(image.crop((0, top, width, bottom)))
                at = np.minimum(np.searchsorted(keys, packed), len(keys) - 1)
                unknown = keys[at] != packed
                if unknown.any():
                    color = _packed(f"{int(packed[unknown][0]):06x}")  # swapping R, B back
                    raise MaskUnreadable(
                        f"The mask holds the colour #{color:06x}, which belongs to no {noun}."
                    )
                result[top:bottom] = values[at]
    except (UnidentifiedImageError, OSError, Image.DecompressionBombError, SyntaxError):
        raise MaskUnreadable("The mask is not a readable PNG image.") from None
    return result


def mask_png(mask: np.ndarray, colors: Sequence[str]) -> bytes:
    """`mask` as a palette PNG: index 0 white, n in `colors[n - 1]`. One byte per pixel,
    and exact colours in every reader (a palette PNG decodes to its palette's RGB)."""
    from PIL import Image

    palette = bytearray()
    for color in (BACKGROUND_COLOR, *colors):
        palette += bytes.fromhex(color.lstrip("#"))
    image = Image.fromarray(np.ascontiguousarray(mask, dtype=np.uint8))
    image.putpalette(bytes(palette))
    buffer = io.BytesIO()
    image.save(buffer, "PNG")
    return buffer.getvalue()
