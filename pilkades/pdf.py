"""Text into reportlab PDFs: the one place every paragraph of every PDF is built, and its font.

A reportlab ``Paragraph`` parses its text as markup: ``<img src>`` fetches a file or URL (a name
that is no image fails the whole document), ``<a href>`` and ``<link>`` put live links into an
official order. Names come from imports and forms, so text is escaped here, whole, and the PDFs
carry no markup of their own. Table cells given as plain strings are drawn as text and need nothing.

The PDF's own Helvetica knows only WinAnsi (Latin-1 and a few more): a name from another province
or a phone's free text came out as boxes. The PDFs draw in DejaVu Sans instead, shipped in
``pilkades/fonts`` (nothing is fetched at run time) and embedded as a subset: all of Latin Extended,
Vietnamese, Greek and Cyrillic. A character it lacks (CJK, emoji) is drawn as an empty box; the
document is still made. Italic is drawn upright: no PDF here asks for it but a heading style.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path
from xml.sax.saxutils import escape

from reportlab.lib.fonts import addMapping
from reportlab.lib.styles import ParagraphStyle, StyleSheet1, getSampleStyleSheet
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.platypus import Paragraph

FONT_DIR = Path(__file__).resolve().parent / "fonts"
FONT = "DejaVuSans"
FONT_BOLD = "DejaVuSans-Bold"
# reportlab's sample styles name the standard fonts; each is drawn in the one that covers the text.
_REPLACES = {
    "Helvetica": FONT,
    "Helvetica-Oblique": FONT,
    "Helvetica-Bold": FONT_BOLD,
    "Helvetica-BoldOblique": FONT_BOLD,
}


@cache
def register_fonts() -> None:
    """Register FONT and FONT_BOLD with reportlab once per process: on the first PDF, not at start-up."""
    pdfmetrics.registerFont(TTFont(FONT, str(FONT_DIR / "DejaVuSans.ttf")))
    pdfmetrics.registerFont(TTFont(FONT_BOLD, str(FONT_DIR / "DejaVuSans-Bold.ttf")))
    # <b> inside a paragraph and the bold/italic lookups resolve within the family.
    for bold, italic, name in ((0, 0, FONT), (1, 0, FONT_BOLD), (0, 1, FONT), (1, 1, FONT_BOLD)):
        addMapping(FONT, bold, italic, name)


def stylesheet() -> StyleSheet1:
    """reportlab's sample styles (a fresh copy to adjust), drawn in FONT and FONT_BOLD."""
    register_fonts()
    styles = getSampleStyleSheet()
    for style in styles.byName.values():
        for attribute in ("fontName", "bulletFontName"):  # a ListStyle has only the second
            if hasattr(style, attribute):
                name = getattr(style, attribute)
                setattr(style, attribute, _REPLACES.get(name, name))
    return styles


def text_paragraph(text: str, style: ParagraphStyle) -> Paragraph:
    """A paragraph showing ``text`` literally, whatever markup it holds."""
    return Paragraph(escape(str(text)), style)
