"""Assign each child of a school-entry round a school from their registered area and the
schools' free places (Enforcement Decree art. 16-17: the school is assigned from the address;
the pack's overflow rule says what happens when the district's first school is full).

Pure: the caller gives the children in the order they are served (gov3 uses birth date, then
the learner's register key, so that a rerun assigns the same way) and the schools' free places.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum


class AssignmentReason(StrEnum):
    """Why a child got the school they got (shown to the guardian, in their language)."""

    DISTRICT = "district"  # the first school of the district of the registered address
    OVERFLOW = "overflow"  # the first school(s) were full: the next in the district's order
    NO_DISTRICT = "no_district"  # no school serves the area: the education office decides
    ALL_FULL = "all_full"  # every school of the district is full: the education office decides


@dataclass(frozen=True)
class Assignment:
    """The school assigned to one child, and why; ``full`` lists the schools passed over."""

    child: str
    school: str | None
    reason: AssignmentReason
    full: tuple[str, ...] = ()


def assign_schools(
    children: Iterable[tuple[str, str]],
    districts: Mapping[str, Sequence[str]],
    free_places: Mapping[str, int],
) -> list[Assignment]:
    """One `Assignment` per (child, area code), in the order given.

    ``districts`` maps an area code to its schools in priority order; ``free_places`` maps a
    school code to its entry places not yet taken (it is not changed).
    """
    left = dict(free_places)
    result: list[Assignment] = []
    for child, area in children:
        schools = districts.get(area, ())
        if not schools:
            result.append(Assignment(child, None, AssignmentReason.NO_DISTRICT))
            continue
        full: list[str] = []
        for school in schools:
            if left.get(school, 0) > 0:
                left[school] -= 1
                reason = AssignmentReason.OVERFLOW if full else AssignmentReason.DISTRICT
                result.append(Assignment(child, school, reason, tuple(full)))
                break
            full.append(school)
        else:
            result.append(Assignment(child, None, AssignmentReason.ALL_FULL, tuple(full)))
    return result
