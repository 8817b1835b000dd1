"""Just enough of PDF to check the reports matplotlib writes (no PDF library is a dependency):
objects, page sizes, fonts and their embedded files, and the text drawn (through each font's
ToUnicode map, as a PDF reader extracts it)."""
from __future__ import annotations

import re
import zlib

OBJECT = re.compile(rb"(\d+) 0 obj(.*?)endobj", re.S)
STREAM = re.compile(rb"stream\r?\n(.*?)\r?\nendstream", re.S)


def objects(data: bytes) -> dict[int, bytes]:
    return {int(m.group(1)): m.group(2) for m in OBJECT.finditer(data)}


def stream(body: bytes) -> bytes:
    found = STREAM.search(body)
    if not found:
        return b""
    raw = found.group(1)
    return zlib.decompress(raw) if b"/FlateDecode" in body[:found.start()] else raw


def page_sizes(data: bytes) -> list[tuple[float, float]]:
    """(width, height) in points of every page."""
    sizes = []
    for body in objects(data).values():
        if re.search(rb"/Type\s*/Page\b", body):
            box = re.search(rb"/MediaBox\s*\[\s*([-\d.]+)\s+([-\d.]+)\s+([-\d.]+)\s+([-\d.]+)\s*\]", body)
            x0, y0, x1, y1 = (float(v) for v in box.groups())
            sizes.append((x1 - x0, y1 - y0))
    return sizes


def fonts(data: bytes) -> list[dict]:
    """Every font: its subtype, base name and whether its descriptor embeds a font file."""
    objs = objects(data)
    out = []
    for body in objs.values():
        if not re.search(rb"/Type\s*/Font\b", body[:300]):
            continue
        subtype = re.search(rb"/Subtype\s*/(\w+)", body).group(1).decode()
        name = re.search(rb"/BaseFont\s*/([^\s/]+)", body)
        descriptor = re.search(rb"/FontDescriptor\s+(\d+) 0 R", body)
        embedded = bool(descriptor and re.search(rb"/FontFile[23]?\s+\d+ 0 R", objs[int(descriptor.group(1))]))
        out.append({"subtype": subtype, "name": name.group(1).decode() if name else "", "embedded": embedded,
                    "composite": subtype == "Type0"})
    return out


def _unicode_map(cmap: bytes) -> dict[int, str]:
    mapping = {}
    for block in re.findall(rb"beginbfrange(.*?)endbfrange", cmap, re.S):
        for low, high, targets in re.findall(rb"<([0-9a-fA-F]+)>\s*<([0-9a-fA-F]+)>\s*(\[[^\]]*\]|<[0-9a-fA-F]+>)", block):
            low, high = int(low, 16), int(high, 16)
            if targets.startswith(b"["):
                values = re.findall(rb"<([0-9a-fA-F]+)>", targets)
                for k, value in enumerate(values):
                    mapping[low + k] = bytes.fromhex(value.decode()).decode("utf-16-be")
            else:
                start = int(targets[1:-1], 16)
                for k in range(high - low + 1):
                    mapping[low + k] = chr(start + k)
    for block in re.findall(rb"beginbfchar(.*?)endbfchar", cmap, re.S):
        for code, value in re.findall(rb"<([0-9a-fA-F]+)>\s*<([0-9a-fA-F]+)>", block):
            mapping[int(code, 16)] = bytes.fromhex(value.decode()).decode("utf-16-be")
    return mapping


def _strings(content: bytes):
    """(font resource name or None, string bytes) in drawing order."""
    font, k, n = None, 0, len(content)
    while k < n:
        c = content[k:k + 1]
        if c == b"/":
            m = re.match(rb"/(\w+)\s+[\d.]+\s+Tf", content[k:])
            if m:
                font = m.group(1).decode()
                k += m.end()
                continue
        if c == b"(":
            depth, k, out = 1, k + 1, bytearray()
            while k < n and depth:
                b = content[k]
                if b == 0x5C:  # backslash
                    nxt = content[k + 1:k + 2]
                    if nxt.isdigit():
                        digits = re.match(rb"[0-7]{1,3}", content[k + 1:k + 4]).group(0)
                        out.append(int(digits, 8))
                        k += 1 + len(digits)
                        continue
                    out += {b"n": b"\n", b"r": b"\r", b"t": b"\t", b"b": b"\b", b"f": b"\f"}.get(nxt, nxt)
                    k += 2
                    continue
                if b == 0x28:
                    depth += 1
                elif b == 0x29:
                    depth -= 1
                    if not depth:
                        break
                out.append(b)
                k += 1
            yield font, bytes(out)
        k += 1


def text(data: bytes) -> str:
    """The text of every page, in drawing order, decoded through the fonts' ToUnicode maps."""
    objs = objects(data)
    maps = {}
    for number, body in objs.items():
        found = re.search(rb"/ToUnicode\s+(\d+) 0 R", body)
        if found:
            maps[number] = _unicode_map(stream(objs[int(found.group(1))]))
    resources = {}
    for body in objs.values():
        for name, number in re.findall(rb"/(F\d+)\s+(\d+) 0 R", body):
            resources[name.decode()] = int(number)
    parts = []
    for body in objs.values():
        content = stream(body)
        if b"BT" not in content or b"Tf" not in content:
            continue
        for font, raw in _strings(content):
            mapping = maps.get(resources.get(font), {})
            codes = [int.from_bytes(raw[i:i + 2], "big") for i in range(0, len(raw) - 1, 2)]
            parts.append("".join(mapping.get(code, "") for code in codes))
    return "".join(parts)
