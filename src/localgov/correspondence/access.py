"""Who may see a letter.

A normal letter is open to the staff of the sending unit and of the receiving unit. A
confidential one (سري) is seen only by the sending department and by the departments of the
receiving unit that hold it: the one it was addressed to, and each it was forwarded to. Anyone
else is told there is no such letter, not that it is secret: the numbers of confidential letters
are no one else's business.
"""

from __future__ import annotations

from localgov.correspondence.model import Classification, Letter
from localgov.organisation import StaffMember

__all__ = ["may_see", "on_receiving_side"]


def on_receiving_side(letter: Letter, staff: StaffMember) -> bool:
    """Whether ``staff`` works in a department of the receiving unit that holds the letter."""
    return letter.recipient.internal and staff.unit == letter.recipient.unit and staff.department in letter.departments


def may_see(letter: Letter, staff: StaffMember) -> bool:
    if on_receiving_side(letter, staff):
        return True
    sending_unit = staff.unit == letter.sender.unit
    if letter.classification is Classification.CONFIDENTIAL:
        return sending_unit and (staff.id == letter.author or staff.department == letter.sender.department)
    return sending_unit or (letter.recipient.internal and staff.unit == letter.recipient.unit)
