"""What a report refuses."""

from __future__ import annotations

from localgov.errors import LocalgovError

__all__ = ["InvalidReportQuery", "ReportError", "ReportNotPermitted", "UnknownReport"]


class ReportError(LocalgovError):
    """A report cannot be produced as asked."""


class UnknownReport(ReportError):
    """No report has that name."""


class InvalidReportQuery(ReportError):
    """A period or filter that does not make sense (an end before the start, an unknown unit)."""


class ReportNotPermitted(ReportError):
    """The viewer's roles do not allow this report (an employee's figures are for supervisors)."""
