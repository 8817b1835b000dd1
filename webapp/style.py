"""The page's own style sheet: what Streamlit's defaults get wrong for this page.

- The sidebar is wider than Streamlit's default, so that a lever's start year fits beside its
  slider (at the default width the year box showed only its first character).
- The file uploader's button reads "Upload" in every language (Streamlit's own text, with no
  setting): the page writes it in the page's language instead.
- The file uploader's built-in hint states Streamlit's whole-megabyte limit; the page enforces
  100 kB and says so in the uploader's label, so the built-in hint is hidden.
- Print (A4): no sidebar or toolbar, the scorecard's tiles two to a row so that their text
  wraps by words (four narrow columns wrapped the target text one character per line), and
  charts and tiles kept whole on a page.
"""
from __future__ import annotations

import json

import streamlit as st

from .i18n import t

CSS = """
@media screen and (min-width: 768px) {
  [data-testid="stSidebar"] { min-width: 360px; }
}
[data-testid="stFileUploaderDropzoneInstructions"] { display: none; }
@media print {
  @page { size: A4; margin: 12mm; }
  [data-testid="stSidebar"], [data-testid="stHeader"], [data-testid="stToolbar"],
  [data-testid="stSidebarCollapsedControl"], [data-testid="stDecoration"] { display: none !important; }
  [data-testid="stMain"], [data-testid="stMainBlockContainer"] { margin: 0 !important; padding: 0 !important;
    max-width: none !important; width: 100% !important; }
  [data-testid="stHorizontalBlock"] { flex-wrap: wrap !important; }
  [data-testid="stHorizontalBlock"] > [data-testid="stColumn"] { flex: 1 1 45% !important; min-width: 45% !important; }
  [class*="st-key-tile_"], [data-testid="stVegaLiteChart"] { break-inside: avoid; }
  * { word-break: normal !important; overflow-wrap: break-word !important; }
}
"""


UPLOAD_BUTTON = '[data-testid="stFileUploaderDropzone"] [data-testid="stBaseButton-secondary"] p'


def apply(lang: str) -> None:
    """Add the style sheet, with the words it writes in ``lang``, to the page (it takes no space)."""
    words = json.dumps(t("upload_button", lang), ensure_ascii=False)  # a quoted CSS string
    button = f"{UPLOAD_BUTTON} {{ font-size: 0; }} {UPLOAD_BUTTON}::after {{ content: {words}; font-size: 1rem; }}"
    st.html(f"<style>{CSS}{button}</style>")
