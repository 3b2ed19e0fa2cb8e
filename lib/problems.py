"""Problems found in a data package: what is wrong, where, and how bad.

Every check of the build reports :class:`Problem` records; errors stop the build,
warnings are stored in the extract for the Data quality page.
"""
from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Iterable, Literal

Severity = Literal["error", "warning"]


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

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.items if p.severity == "error"]

    @property
    def warnings(self) -> list[Problem]:
        return [p for p in self.items if p.severity == "warning"]


class PackageError(Exception):
    """A data package cannot be built; carries every error found."""

    def __init__(self, problems: list[Problem]):
        self.problems = problems
        super().__init__("\n".join(str(p) for p in problems))
