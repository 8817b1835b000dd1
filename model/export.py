"""The model for other system-dynamics tools: ``python -m model export --format xmile|mdl --out FILE``.

- ``mdl``: model/shanghai.mdl itself (equations, units, ranges, comments, diagram views) with
  every constant the calibration estimates (calibration/parameters.csv, applied as the
  declaration applies it, lever paths' recorded knots included) set to its estimate, and its
  comment saying so: the model PlanSim runs, for Vensim (and PySD).
- ``xmile``: that file converted by Simlin's converter (XMILE 1.0, for Stella/iThink and other
  XMILE tools).

Both are written to a temporary file beside ``--out`` and renamed into place: ``--out`` is the
whole file or is left as it was.
"""
from __future__ import annotations

import math
import os
import re
import tempfile
from pathlib import Path

from . import mdl
from .declaration import Declaration
from .errors import PlanSimError

FORMATS = ("xmile", "mdl")
# File name endings each format may have (Stella opens .stmx; Simlin and others .xmile/.xml).
SUFFIXES = {"xmile": (".stmx", ".xmile", ".xml"), "mdl": (".mdl",)}
CALIBRATED_NOTE = " [calibrated estimate (calibration/parameters.csv); the model file has {value}]"


class ExportError(PlanSimError):
    """The export cannot be written (bad format, bad --out)."""


def _number(value: float) -> str:
    """A float as Vensim reads it back exactly (shortest round-trip form)."""
    text = repr(float(value))
    return text[:-2] if text.endswith(".0") else text


def calibrated_text(declaration: Declaration) -> str:
    """The model file's text with the declaration's calibrated constants in place of the file's
    values (nothing else changed); the text of the file when nothing is calibrated."""
    text = declaration.mdl_path.read_text(encoding="utf-8")
    changed = {name: float(value) for name, value in declaration.calibrated.items()
               if name in declaration.file_constants and float(value) != declaration.file_constants[name]}
    equations, mark, sketch = text.partition(mdl.SKETCH_MARK)
    blocks = equations.split("|")
    done = set()
    for k, block in enumerate(blocks):
        fields = block.split("~")
        if len(fields) < 3 or "=" not in fields[0]:
            continue
        left, _, right = fields[0].partition("=")
        name = " ".join(left.split())
        if name not in changed:
            continue
        old = right.strip()
        if not re.fullmatch(r"[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?", old):
            raise ExportError(f"{declaration.mdl_path.name}: '{name}' is calibrated but its equation {old[:40]!r} "
                              f"is not a number")
        fields[0] = left + "=" + right.replace(old, _number(changed[name]), 1)
        comment = fields[2].rstrip()
        fields[2] = comment + CALIBRATED_NOTE.format(value=old) + fields[2][len(comment):]
        blocks[k] = "~".join(fields)
        done.add(name)
    missing = sorted(set(changed) - done)
    if missing:  # the declaration read these from the file: a parser mismatch, not a user error
        raise ExportError(f"{declaration.mdl_path.name}: calibrated constants not found in the file: {missing[:5]}")
    return "|".join(blocks) + mark + sketch


def check_out(out: Path | str, fmt: str, force: bool = False) -> Path:
    """``out`` as a path a ``fmt`` file may be written to, or ExportError saying why not:
    an unknown format, a name ending not of the format, a folder, an existing file without
    ``force``, a folder that does not exist or cannot be written."""
    if fmt not in FORMATS:
        raise ExportError(f"--format {str(fmt)[:20]!r} is not one of {', '.join(FORMATS)}")
    out = Path(out)
    if out.is_dir():
        raise ExportError(f"--out {out}: is a folder; give a file name such as shanghai{SUFFIXES[fmt][0]}")
    if out.suffix.lower() not in SUFFIXES[fmt]:
        raise ExportError(f"--out {out}: a {fmt} file must end in {' or '.join(SUFFIXES[fmt])}")
    if os.path.lexists(out) and not force:
        raise ExportError(f"--out {out}: the file exists; choose another name or add --force to replace it")
    folder = Path(os.path.abspath(out)).parent
    if not folder.is_dir():
        raise ExportError(f"--out {out}: the folder {folder} does not exist")
    if not os.access(folder, os.W_OK | os.X_OK):
        raise ExportError(f"--out {out}: cannot write in {folder} (permission denied)")
    return out


def export(fmt: str, out: Path | str, declaration: Declaration | None = None, *, force: bool = False) -> Path:
    """Write the model in ``fmt`` (``xmile`` or ``mdl``) to ``out``; return ``out``.

    ``declaration`` (default: model/shanghai.mdl with its calibrated defaults) gives the file
    and the calibrated values. Written to a temporary file and renamed into place.
    """
    out = check_out(out, fmt, force)
    declaration = declaration if declaration is not None else Declaration()
    text = calibrated_text(declaration)
    if fmt == "mdl":
        data = text.encode("utf-8")
    else:
        from .engines.simlin_engine import to_xmile

        with tempfile.TemporaryDirectory(prefix="plansim-export-") as work:
            source = Path(work) / declaration.mdl_path.name
            source.write_text(text, encoding="utf-8")
            data = to_xmile(source)
    _write_atomic(out, data)
    return out


def _write_atomic(path: Path, data: bytes) -> None:
    """``data`` into a temporary file beside ``path``, then renamed to ``path`` (never half a file)."""
    from .experiments.outdir import write_atomic

    write_atomic(Path(os.path.abspath(path)), lambda tmp: tmp.write_bytes(data))


def changed_constants(declaration: Declaration) -> dict[str, tuple[float, float]]:
    """The constants the export changes: name -> (model file value, calibrated value)."""
    return {name: (declaration.file_constants[name], float(value))
            for name, value in declaration.calibrated.items()
            if name in declaration.file_constants and math.isfinite(float(value))
            and float(value) != declaration.file_constants[name]}
