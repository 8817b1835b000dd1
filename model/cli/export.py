"""Subcommand ``export`` (python -m model export ...): the model for Stella and Vensim users.

    python -m model export --format xmile --out shanghai.stmx
    python -m model export --format mdl --out shanghai_calibrated.mdl
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

from ..errors import PlanSimError
from ..export import FORMATS, SUFFIXES
from .scenarios import add_lang


def register(sub: argparse._SubParsersAction) -> None:
    """Add the ``export`` subcommand."""
    p = sub.add_parser(
        "export", help="write the model for Stella (XMILE) or Vensim (mdl), with the calibrated values",
        description="Write the model with its calibrated parameter values: --format mdl gives the Vensim file "
                    "(model/shanghai.mdl with the calibration's estimates, each marked in its comment), "
                    "--format xmile the same model converted by Simlin's converter for Stella and other XMILE "
                    "tools. The file is written whole or not at all (a temporary file renamed into place).",
        epilog="example: python -m model export --format xmile --out shanghai.stmx",
    )
    p.add_argument("--format", required=True, choices=FORMATS, dest="fmt",
                   help="xmile (file ending %s) or mdl (ending .mdl)" % "/".join(SUFFIXES["xmile"]))
    p.add_argument("--out", required=True, type=Path, metavar="FILE", help="the file to write")
    p.add_argument("--force", action="store_true", help="replace FILE if it exists")
    add_lang(p)
    p.set_defaults(func=_export)


def _export(args: argparse.Namespace) -> int:
    from ..export import changed_constants, check_out, export
    from ..declaration import Declaration
    from ..i18n import t

    try:
        check_out(args.out, args.fmt, args.force)  # before reading the model: exit 2 at once
        declaration = Declaration()
        export(args.fmt, args.out, declaration, force=args.force)
    except PlanSimError as err:
        print(f"{t('export_error', args.lang)}: {str(err)[:2000]}", file=sys.stderr)
        return 2
    print(t("export_written", args.lang, format=args.fmt, out=args.out,
            calibrated=len(changed_constants(declaration))))
    return 0
