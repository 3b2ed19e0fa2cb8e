"""Text from data or from the URL, made safe to place inside Streamlit Markdown.

Markdown turns ``![x](http://host/x.png)`` into an image fetched from that host, ``[a](b)``
into a link, ``:red[...]`` into colour and ``$...$`` into LaTeX. A value that came from a data
package or a URL is escaped so that it shows as the characters it is, nothing more.

Backslashes do not stop GitHub-flavoured Markdown's *autolinks*: ``http://…``, ``www.…`` and
``name@host.org`` in plain text become links after the escapes are read. A word joiner
(U+2060, invisible, no space) is put where the autolink pattern would start: after
``http``/``https``/``ftp`` before ``:``, after ``www`` before ``.``, and before ``@``; the
value reads the same and nothing in it can be clicked. Data is text, never markup.
"""
from __future__ import annotations

import re

_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+\-.!|<>$:~=&\"'^%])")
WORD_JOINER = "\u2060"
_AUTOLINK = re.compile(r"(?i)(?<=https)(?=:)|(?<=http)(?=:)|(?<=ftp)(?=:)|(?<=www)(?=\.)|(?=@)")


def unlinked(text: str) -> str:
    """``text`` with a word joiner where GitHub-flavoured Markdown would start an autolink."""
    return _AUTOLINK.sub(WORD_JOINER, text)


def escape(value: object, max_length: int | None = None) -> str:
    """``value`` as literal Markdown text on one line, optionally shortened with an ellipsis."""
    text = " ".join(str(value).split())
    if max_length is not None and len(text) > max_length:
        text = text[: max_length - 1] + "…"
    return _SPECIAL.sub(r"\\\1", unlinked(text))
