"""Problems found in a data package: what is wrong, where, and how bad.

Every check of the build reports :class:`Problem` records; errors stop the build,
warnings are stored in the extract for the Data quality page.

A warning is worded from the UI catalogue (``problem_message.<template>`` of
``lib/locales/*.toml``): the build keeps its English words in ``message`` and the template
with its values in ``template`` and ``params``, so the app can say it in the reader's
language (:func:`message_in`).
"""
from __future__ import annotations

import json
import re
from dataclasses import asdict, dataclass, field
from typing import Callable, Iterable, Literal, Mapping

from lib.i18n import DEFAULT_LANG, catalogue, fill

Severity = Literal["error", "warning"]
DETAIL_CHARS = 160  # the most of a library's own words a message repeats


@dataclass(frozen=True)
class Problem:
    severity: Severity
    kind: str  # stable id of the check, e.g. "missing_column", "no_coordinates"
    message: str  # plain words for a data officer
    file: str = ""  # file name inside the package, e.g. "enrolment.csv"
    row: int | None = None  # spreadsheet row: the header is row 1
    column: str = ""
    unit_code: str = ""  # admin unit concerned, if any
    school_id: str = ""  # school concerned, if any
    year: int | None = None
    template: str = ""  # the message's key under problem_message, when worded from it
    params: str = ""  # the template's values, as JSON

    def where(self) -> str:
        parts = [self.file] if self.file else []
        if self.row is not None:
            parts.append(f"row {self.row:,}")
        if self.column:
            parts.append(f"column {self.column}")
        return " ".join(parts)

    def __str__(self) -> str:
        where = self.where()
        return f"{self.severity.upper()}: {where}: {self.message}" if where else (
            f"{self.severity.upper()}: {self.message}")

    def as_record(self) -> dict:
        return asdict(self)


@dataclass
class ProblemLog:
    """Collects problems in the order they were found."""

    items: list[Problem] = field(default_factory=list)

    def add(self, problem: Problem) -> None:
        self.items.append(problem)

    def extend(self, problems: Iterable[Problem]) -> None:
        self.items.extend(problems)

    def error(self, kind: str, message: str, **where) -> None:
        self.add(Problem("error", kind, message, **where))

    def warning(self, kind: str, message: str, **where) -> None:
        self.add(Problem("warning", kind, message, **where))

    def warn(self, kind: str, params: Mapping[str, object], *, template: str = "",
             **where) -> None:
        """A warning worded from the catalogue (:func:`worded`)."""
        self.add(worded("warning", kind, params, template=template, **where))

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.items if p.severity == "error"]

    @property
    def warnings(self) -> list[Problem]:
        return [p for p in self.items if p.severity == "warning"]


def worded(severity: Severity, kind: str, params: Mapping[str, object], *,
           template: str = "", **where) -> Problem:
    """A problem whose message is ``problem_message.<template>`` (the kind's, by default)
    filled with ``params`` (JSON values: texts and numbers), in English; the template and
    values are kept so the app can word it in another language."""
    template = template or kind
    values = dict(params)
    message = fill(catalogue(DEFAULT_LANG)[f"problem_message.{template}"], DEFAULT_LANG,
                   **values)
    return Problem(severity, kind, message, template=template,
                   params=json.dumps(values, ensure_ascii=False), **where)


def message_in(lang: str, message: str, template: str | None, params: str | None,
               extra: Callable[[dict], Mapping[str, object]] | None = None) -> str:
    """A stored problem's message in ``lang``: its template filled again with its values
    (``extra(values)`` may replace some, e.g. an admin level's name in that language), or
    the stored English words when it has no template (or the catalogue lacks it)."""
    key = f"problem_message.{template}" if template else ""
    text = catalogue(lang).get(key) if key else None
    if text is None or lang == DEFAULT_LANG:
        return message
    try:
        values = json.loads(params or "{}")
        if extra is not None:
            values.update(extra(values))
        return fill(text, lang, **values)
    except (ValueError, KeyError, IndexError, TypeError):
        return message  # an extract from an older build: its English words


def short_detail(text: str) -> str:
    """The first line of a reader's error, without its error class, cut to DETAIL_CHARS:
    what a message may repeat of a library's words when it has none of its own."""
    first = next((line.strip() for line in text.splitlines() if line.strip()), "")
    first = re.sub(r"^[A-Za-z ]*Error: ", "", first)
    return first if len(first) <= DETAIL_CHARS else first[:DETAIL_CHARS] + "…"


class PackageError(Exception):
    """A data package cannot be built; carries every error found (and the warnings found
    before the build stopped, for a dry run that lists both)."""

    def __init__(self, problems: list[Problem], warnings: list[Problem] | None = None):
        self.problems = problems
        self.warnings = warnings or []
        super().__init__("\n".join(str(p) for p in problems))
