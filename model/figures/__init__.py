"""Figures, one module per kind, all on matplotlib's object-oriented API with the Agg canvas
(``matplotlib.figure.Figure``, never pyplot: no global state, safe in worker processes):

- ``scenarios``: one figure per model module (the PNGs of ``python -m model run``);
- ``fans``: uncertainty fan charts (``python -m model uncertainty``);
- ``sensitivity``: bars of sensitivity indices (``python -m model sensitivity``);
- ``fonts``: a CJK font for Chinese text.
"""
