"""A printable A4 report of one or more scenarios: ``python -m model report`` and the app's
download (issue 14, "Comparing and reporting").

- ``tables``: what the report and the app's comparison both show: the scorecard matrix
  (targets x scenarios, a status with a text mark per cell) and the levers as set per scenario;
- ``stamp``: the model's version and the hash of its file, printed on every report;
- ``pdf``: the pages (matplotlib's PdfPages, TrueType fonts embedded, CJK through
  ``model.figures.fonts``), written to a temporary file and renamed, so no half-written PDF is left.
"""
from .pdf import ReportScenario, report_bytes, write_report
from .stamp import ModelStamp, model_stamp
from .tables import STATUS_MARKS, lever_matrix, scorecard_matrix, status_text, target_label

__all__ = ["STATUS_MARKS", "ModelStamp", "ReportScenario", "lever_matrix", "model_stamp", "report_bytes",
           "scorecard_matrix", "status_text", "target_label", "write_report"]
