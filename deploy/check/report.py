"""The findings of a check run, and how they print."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Literal

Severity = Literal["error", "warning", "skipped"]


@dataclass(frozen=True, slots=True)
class Finding:
    """One problem (or one skipped check) in one artefact.

    Attributes:
        artefact: what was checked, e.g. ``k8s/prod``, ``compose``, ``Dockerfile``.
        subject: the object inside it, e.g. ``Deployment/casebridge-sink``.
        message: what is wrong, in one line.
        severity: ``error`` fails the run; ``warning`` and ``skipped`` do not.
    """

    artefact: str
    subject: str
    message: str
    severity: Severity = "error"

    def __str__(self) -> str:
        return f"{self.severity.upper():7} {self.artefact}: {self.subject}: {self.message}"


@dataclass(slots=True)
class Report:
    """Every finding of a run plus what was checked, for the summary line."""

    findings: list[Finding] = field(default_factory=list)
    checked: list[str] = field(default_factory=list)

    def extend(self, findings: Iterable[Finding]) -> None:
        self.findings.extend(findings)

    def __iter__(self) -> Iterator[Finding]:
        return iter(self.findings)

    @property
    def errors(self) -> list[Finding]:
        return [f for f in self.findings if f.severity == "error"]

    @property
    def ok(self) -> bool:
        """True when no finding is an error."""
        return not self.errors

    def render(self) -> str:
        """The findings one per line, then a summary line."""
        lines = [str(f) for f in self.findings]
        counts = {s: sum(f.severity == s for f in self.findings) for s in ("warning", "skipped")}
        lines.append(
            f"{'OK' if self.ok else 'FAILED'}: checked {', '.join(self.checked) or 'nothing'}; "
            f"{len(self.errors)} error(s), {counts['warning']} warning(s), "
            f"{counts['skipped']} skipped"
        )
        return "\n".join(lines)
