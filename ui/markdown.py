"""Text from data or from the URL, made safe to place inside Streamlit Markdown.

Markdown turns ``![x](http://host/x.png)`` into an image fetched from that host, ``[a](b)``
into a link, ``:red[...]`` into colour and ``$...$`` into LaTeX. A value that came from a data
package or a URL is escaped so that it shows as the characters it is, nothing more.
"""
from __future__ import annotations

import re

_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+\-.!|<>$:~=&\"'^%])")


def escape(value: object, max_length: int | None = None) -> str:
    """``value`` as literal Markdown text on one line, optionally shortened with an ellipsis."""
    text = " ".join(str(value).split())
    if max_length is not None and len(text) > max_length:
        text = text[: max_length - 1] + "…"
    return _SPECIAL.sub(r"\\\1", text)
