"""The few text facts every layer needs cheaply: the redaction marker and invisible characters. Pure.

Apart from the redactor itself (``domain.redaction``, with its pattern table), so that reading or
writing the marker, or stripping invisible characters, does not load every secret pattern.
"""

from __future__ import annotations

import re
from typing import Final

REDACTED: Final = "[REDACTED]"

# --- invisible characters ----------------------------------------------------------------------------

# Unicode "Cf" (format) characters: zero-width spaces and joiners, bidi embeddings, overrides and
# isolates (U+202A-U+202E, U+2066-U+2069), the BOM, the soft hyphen, tag characters (U+E0000-U+E007F)
# and the rest of the category as of Unicode 15; plus lone surrogates (U+D800-U+DFFF), which a JSON
# body may smuggle in as "\ud800" escapes and which cannot be encoded as UTF-8.
INVISIBLE = re.compile(
    "[\u00ad\u0600-\u0605\u061c\u06dd\u070f\u0890\u0891\u08e2\u180e\u200b-\u200f\u202a-\u202e"
    "\u2060-\u2064\u2066-\u206f\ud800-\udfff\ufeff\ufff9-\ufffb\U000110bd\U000110cd"
    "\U00013430-\U0001343f\U0001bca0-\U0001bca3\U0001d173-\U0001d17a\U000e0000-\U000e007f]+"
)


def strip_invisible(text: str) -> str:
    """``text`` without invisible, bidirectional-control or tag characters, nor lone surrogates."""
    if text.isascii():  # the common case, and none of those characters is ASCII
        return text
    return INVISIBLE.sub("", text)
