"""A small ZPL II rasteriser for the subset our labels use, written apart from the ZPL writer, for the label tests.

What it is for: drawing a label as a Zebra would (one pixel a dot, 203 dpi) so that a real barcode decoder
(``zxing-cpp``) can read every barcode off the image, and so the space each field takes on paper can be checked
(inside the label, no field over another). It reads the ZPL text itself with its own lexer, never the writer's
layout tables: ``^XA ^XZ ^FX ^CI ^PW ^LL ^LH ^PQ ^FO ^A0 ^FH ^FD ^FS ^BY ^BC ^BX ^GB``; anything else fails.

Drawing: text in Pillow's built-in font at the field's height, squeezed to ``CONDENSED`` of its width (font 0 is a
condensed face); Code 128 with ``ui.code128`` (the HMI's encoder, subset B as ``>:`` asks); Data Matrix ECC 200 with
``ppf-datamatrix`` at the smallest size that holds the data, which must not exceed the ``^BX`` columns and rows the
format fixes (a Zebra pads the symbol up to them: the field keeps that space).
What it must not do: import ``plc_io.zpl_labels`` (it would check the writer against itself).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from PIL import Image, ImageDraw, ImageFont
from ppf.datamatrix import DataMatrix  # type: ignore[import-untyped]

from ui.code128 import modules

CONDENSED = 0.62  # font 0's width against Pillow's default face, so text takes the room font 0 would
KNOWN = {"XA", "XZ", "FX", "CI", "PW", "LL", "LH", "PQ", "FO", "A0", "FH", "FD", "FS", "BY", "BC", "BX", "GB"}


class RasterError(ValueError):
    """A format this rasteriser (and so the tests) refuses: an unknown command, a field with nothing to draw."""


@dataclass
class Drawn:
    """One field as drawn: its kind, its box in dots (x0, y0, x1, y1; quiet zones included for barcodes), and what
    its data says (text after ``^FH``; a barcode's content as encoded)."""

    kind: str
    box: tuple[int, int, int, int]
    data: str
    symbol: tuple[int, int] = (0, 0)  # Data Matrix: (modules drawn, modules the format fixed)
    module: int = 0  # a barcode's module in dots


@dataclass
class Raster:
    image: Image.Image
    width: int
    height: int
    fields: list[Drawn] = field(default_factory=list)


def _commands(zpl: str) -> list[tuple[str, str]]:
    """(name, arguments) of every ``^`` command; ``~`` anywhere is an error (our labels never send one)."""
    if re.search(r"~[A-Z]{2}", zpl):
        raise RasterError("a control command in a label format")
    out = []
    for part in zpl.split("^")[1:]:
        part = part.rstrip("\n")
        name = part[:2]
        if name not in KNOWN:
            raise RasterError(f"^{name}: not in the subset our labels use")
        out.append((name, part[2:]))
    return out


def _unhex(data: str) -> str:
    raw = bytearray()
    i = 0
    while i < len(data):
        if data[i] == "_" and re.fullmatch(r"[0-9A-Fa-f]{2}", data[i + 1 : i + 3]):
            raw.append(int(data[i + 1 : i + 3], 16))
            i += 3
        else:
            raw += data[i].encode()
            i += 1
    return raw.decode("utf-8")


def _code128_text(data: str) -> str:
    """Mode N field data: ``>:`` start subset B, then ``><`` ``>0`` ``>=`` for ``^ > ~`` (ZPL II guide, ^BC)."""
    if not data.startswith(">:"):
        raise RasterError(f"Code 128 data {data!r} does not start subset B")
    return re.sub(r">([<0=])", lambda m: {"<": "^", "0": ">", "=": "~"}[m.group(1)], data[2:])


def _datamatrix_text(data: str, escape: str) -> str:
    return re.sub(re.escape(escape) + r"d(\d{3})", lambda m: chr(int(m.group(1))), data)


def rasterise(zpl: str) -> Raster:
    """The label as a Zebra would print it, and the box and content of every field drawn."""
    commands = _commands(zpl)
    size = {"PW": 812, "LL": 1218}
    for name, args in commands:
        if name in size:
            size[name] = int(args)
    img = Image.new("1", (size["PW"], size["LL"]), 1)
    draw = ImageDraw.Draw(img)
    out = Raster(img, size["PW"], size["LL"])
    x = y = 0
    font_h, hex_on, module, kind, args_of = 30, False, 2, "text", ""
    for name, args in commands:
        if name == "FO":
            x, y = (int(v) for v in args.split(",")[:2])
        elif name == "A0":
            font_h = int(args.split(",")[1])
        elif name == "FH":
            hex_on = True
        elif name == "BY":
            module = int(args.split(",")[0])
        elif name in ("BC", "BX"):
            kind, args_of = name, args
        elif name == "GB":
            w, h, t = (int(v) for v in args.split(","))
            draw.rectangle((x, y, x + max(w, t) - 1, y + max(h, t) - 1), outline=0, width=t)
        elif name == "FD":
            out.fields.append(_draw(draw, kind, args_of, args, x, y, font_h, hex_on, module))
        elif name == "FS":
            kind, hex_on = "text", False
    return out


def _draw(draw: ImageDraw.ImageDraw, kind: str, params: str, data: str, x: int, y: int, font_h: int, hex_on: bool,
          module: int) -> Drawn:  # fmt: skip
    if kind == "text":
        text = _unhex(data) if hex_on else data
        font = ImageFont.load_default(size=font_h)
        left, _top, right, _bottom = font.getbbox(text)
        width = max(1, round((right - left) * CONDENSED))
        glyphs = Image.new("L", (max(1, right - left), font_h), 0)
        ImageDraw.Draw(glyphs).text((-left, 0), text, font=font, fill=255)
        draw.bitmap((x, y), glyphs.resize((width, font_h)).point(lambda v: 255 if v > 127 else 0), fill=0)
        return Drawn("text", (x, y, x + width, y + font_h), text)
    if kind == "BC":
        p = params.split(",")
        height, text = int(p[1]), _code128_text(data)
        if p[0] != "N" or (len(p) > 2 and p[2] != "N"):
            raise RasterError(f"^BC{params}: our labels print Code 128 upright without its interpretation line")
        mods = modules(text)
        for i, m in enumerate(mods):
            if m == "1":
                draw.rectangle((x + i * module, y, x + (i + 1) * module - 1, y + height - 1), fill=0)
        quiet = 10 * module
        return Drawn("code128", (x - quiet, y, x + len(mods) * module + quiet, y + height), text, module=module)
    p = params.split(",")
    dm_module, quality, cols, rows = int(p[1]), p[2], int(p[3] or 0), int(p[4] or 0)
    escape = p[6] if len(p) > 6 and p[6] else "~"
    if quality != "200" or not cols or cols != rows:
        raise RasterError(f"^BX{params}: our labels fix an ECC 200 square size")
    text = _datamatrix_text(data, escape)
    matrix = DataMatrix(text).matrix
    drawn = len(matrix)
    for r, row in enumerate(matrix):
        for c, bit in enumerate(row):
            if bit:
                x0, y0 = x + c * dm_module, y + r * dm_module
                draw.rectangle((x0, y0, x0 + dm_module - 1, y0 + dm_module - 1), fill=0)
    q = dm_module
    side = cols * dm_module
    return Drawn("datamatrix", (x - q, y - q, x + side + q, y + side + q), text, (drawn, cols), dm_module)
