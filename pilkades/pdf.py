"""Text into reportlab PDFs: the one place every paragraph of every PDF is built.

A reportlab ``Paragraph`` parses its text as markup: ``<img src>`` fetches a file or URL (a name
that is no image fails the whole document), ``<a href>`` and ``<link>`` put live links into an
official order. Names come from imports and forms, so text is escaped here, whole, and the PDFs
carry no markup of their own. Table cells given as plain strings are drawn as text and need nothing.
"""

from __future__ import annotations

from xml.sax.saxutils import escape

from reportlab.lib.styles import ParagraphStyle
from reportlab.platypus import Paragraph


def text_paragraph(text: str, style: ParagraphStyle) -> Paragraph:
    """A paragraph showing ``text`` literally, whatever markup it holds."""
    return Paragraph(escape(str(text)), style)
