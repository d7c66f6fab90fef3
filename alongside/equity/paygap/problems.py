"""Validation problems: where, what, and a message that never holds a cell's value."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

MAX_LISTED = 200


@dataclass(frozen=True)
class Problem:
    """One problem in an uploaded file.

    `row` is the row number a spreadsheet shows (the header is row 1, the first person is
    row 2), or None for a problem with the whole file. `column` is the source header.
    `message` never contains the cell's value, so problems are safe to log.
    """

    row: int | None
    column: str | None
    code: str
    message: str

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)

    def __str__(self) -> str:
        where = []
        if self.row is not None:
            where.append(f"row {self.row}")
        if self.column is not None:
            where.append(f"column '{self.column}'")
        prefix = ", ".join(where)
        return f"{prefix}: {self.message}" if prefix else self.message


@dataclass
class ValidationResult:
    """All problems found; `errors` block the computation, `warnings` need a confirmation.

    The lists hold at most MAX_LISTED problems each (in row order); the counts are totals.
    """

    errors: list[Problem] = field(default_factory=list)
    warnings: list[Problem] = field(default_factory=list)
    error_count: int = 0
    warning_count: int = 0
    row_count: int = 0

    @property
    def ok(self) -> bool:
        return self.error_count == 0

    def add_error(self, problem: Problem) -> None:
        self.error_count += 1
        if len(self.errors) < MAX_LISTED:
            self.errors.append(problem)

    def add_warning(self, problem: Problem) -> None:
        self.warning_count += 1
        if len(self.warnings) < MAX_LISTED:
            self.warnings.append(problem)

    def as_dict(self) -> dict[str, Any]:
        return {
            "ok": self.ok,
            "row_count": self.row_count,
            "error_count": self.error_count,
            "warning_count": self.warning_count,
            "errors": [p.as_dict() for p in self.errors],
            "warnings": [p.as_dict() for p in self.warnings],
        }
