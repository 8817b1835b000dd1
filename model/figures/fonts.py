"""A font with Chinese glyphs for matplotlib figures (the default DejaVu Sans has none: Chinese
text would render as empty boxes).

``font_context(lang)`` is a ``matplotlib.rc_context`` in which text falls back to a CJK family
(Noto Sans CJK SC, from the fonts-noto-cjk package, or another common one); for ``zh`` that
family comes first. Without any CJK font a ``CJKFontMissing`` warning says what to install.
"""
from __future__ import annotations

import warnings
from functools import lru_cache
from pathlib import Path

CJK_FAMILIES = ("Noto Sans CJK SC", "Source Han Sans SC", "Noto Sans SC", "WenQuanYi Zen Hei",
                "Microsoft YaHei", "PingFang SC", "SimHei")
LATIN_FAMILY = "DejaVu Sans"  # matplotlib's own font, always present


class CJKFontMissing(UserWarning):
    """No font with Chinese glyphs is installed: Chinese text in figures shows as boxes."""


def _families() -> set[str]:
    from matplotlib import font_manager

    return {entry.name for entry in font_manager.fontManager.ttflist}


@lru_cache(maxsize=1)
def cjk_family() -> str | None:
    """The first installed family of CJK_FAMILIES, or None.

    matplotlib's font list is cached on disk and may predate the installation of the font, so
    system fonts whose file name says CJK are registered before giving up.
    """
    from matplotlib import font_manager

    found = next((f for f in CJK_FAMILIES if f in _families()), None)
    if found is None:
        for path in font_manager.findSystemFonts():
            name = Path(path).name.lower()
            if "cjk" in name or "sourcehansans" in name or "wqy" in name:
                try:
                    font_manager.fontManager.addfont(path)
                except (OSError, RuntimeError, ValueError):
                    continue
        found = next((f for f in CJK_FAMILIES if f in _families()), None)
    return found


def families(lang: str) -> list[str]:
    """Font families for ``lang``, most preferred first (the CJK one first for Chinese)."""
    cjk = cjk_family()
    if cjk is not None and cjk not in _families():  # the font list was rebuilt since: register again
        cjk_family.cache_clear()
        cjk = cjk_family()
    if cjk is None:
        warnings.warn("no CJK font found (install fonts-noto-cjk): Chinese text in figures will show as boxes",
                      CJKFontMissing, stacklevel=3)
        return [LATIN_FAMILY]
    return [cjk, LATIN_FAMILY] if lang == "zh" else [LATIN_FAMILY, cjk]


def apply_fonts(fig, lang: str) -> None:
    """Give every text of ``fig`` the families of ``lang`` explicitly, so that it draws the same
    whatever the rc settings are when it is saved (fonts are otherwise looked up at draw time)."""
    from matplotlib.text import Text

    chosen = families(lang)
    for text in fig.findobj(Text):
        text.set_fontfamily(chosen)


def font_context(lang: str):
    """An ``rc_context`` whose sans-serif list can draw ``lang``'s text (and Chinese names in
    English figures, e.g. 居转户, through the fallback)."""
    import matplotlib

    # The families themselves, not the generic "sans-serif" (which resolves to one font only):
    # matplotlib then takes each glyph from the first family that has it.
    return matplotlib.rc_context({"font.family": families(lang),
                                  "axes.unicode_minus": False})
