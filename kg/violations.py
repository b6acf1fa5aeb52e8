"""What validation finds, in the words of the claim record: :class:`Violation` and
:class:`ValidationReport`.

Every check of a claim reports here — the form of a JSON or RDF record
(:mod:`kg.curation`, :mod:`kg.record.reader`), the write rules (:mod:`kg.integrity`)
and the SHACL shapes (:mod:`kg.validation`) — so a curator gets one list, each item
naming the field to fix. This module imports nothing of the project: errors
(:class:`~kg.errors.ValidationFailed`) and validation both depend on it, never on
each other.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from enum import StrEnum
from typing import Any


class Severity(StrEnum):
    VIOLATION = "violation"  #: the claim does not conform
    WARNING = "warning"  #: advisory: reported, the claim still conforms
    INFO = "info"


@dataclass(frozen=True)
class Violation:
    """One finding, in the words of the claim record.

    ``field`` is the JSON field to fix (``"statistics.p_value"``, ``"source.title"``),
    or ``None`` when the result does not belong to one; ``path`` the IRI of the
    property (``sh:resultPath``); ``constraint`` the SHACL constraint component's
    local name (``"MaxInclusiveConstraintComponent"``), the IRI of the SPARQL-based
    constraint, or ``form:...`` / ``integrity:...`` for the checks made before SHACL;
    ``focus`` the node the rule was checked on.
    """

    field: str | None
    path: str | None
    constraint: str
    message: str
    severity: str
    value: str | None
    focus: str | None

    @classmethod
    def of(
        cls,
        field: str | None,
        message: str,
        *,
        constraint: str,
        value: Any = None,
        path: str | None = None,
        focus: str | None = None,
        severity: Severity = Severity.VIOLATION,
    ) -> Violation:
        """A violation of a check made outside SHACL; a structured ``value`` is not shown."""
        shown = None if value is None or isinstance(value, dict | list) else str(value)
        return cls(field, path, constraint, message, str(severity), shown, focus)

    def as_json(self) -> dict[str, str | None]:
        return {
            "field": self.field,
            "message": self.message,
            "severity": str(self.severity),
            "value": self.value,
            "path": self.path,
            "constraint": self.constraint,
            "focus": self.focus,
        }

    def for_item(self, index: int) -> Violation:
        """This violation for the ``index``-th claim of a batch (``"3.statistics.p_value"``)."""
        prefix = str(index)
        return replace(self, field=f"{prefix}.{self.field}" if self.field else prefix)


@dataclass
class ValidationReport:
    """``conforms`` is false exactly when some result has severity ``violation``."""

    conforms: bool
    violations: list[Violation] = field(default_factory=list)

    @classmethod
    def of(cls, *parts: list[Violation] | ValidationReport) -> ValidationReport:
        """One report from several lists of violations and reports, in that order."""
        violations: list[Violation] = []
        for part in parts:
            violations.extend(part.violations if isinstance(part, ValidationReport) else part)
        conforms = not any(v.severity == Severity.VIOLATION for v in violations)
        return cls(conforms=conforms, violations=violations)

    @property
    def errors(self) -> list[Violation]:
        """The results that make the claim fail."""
        return [v for v in self.violations if v.severity == Severity.VIOLATION]

    @property
    def warnings(self) -> list[Violation]:
        return [v for v in self.violations if v.severity == Severity.WARNING]

    def as_json(self) -> dict[str, Any]:
        return {"conforms": self.conforms, "violations": [v.as_json() for v in self.violations]}


__all__ = ["Severity", "ValidationReport", "Violation"]
