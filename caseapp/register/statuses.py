"""The status of a membership's version (StrEnum: a member equals its stored string). The disability
types and degrees and the care modes are code lists with their labels (core.categories)."""

from enum import StrEnum


class MembershipStatus(StrEnum):
    """Nghị định 20/2021/NĐ-CP, Điều 8: an allowance is received, suspended (tạm dừng) or ended (thôi hưởng)."""

    RECEIVING = "receiving"
    SUSPENDED = "suspended"
    ENDED = "ended"


# Still on the register (đang quản lý): a suspended allowance keeps the person under management.
MANAGED_STATUSES = (MembershipStatus.RECEIVING, MembershipStatus.SUSPENDED)
