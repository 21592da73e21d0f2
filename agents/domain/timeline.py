"""Placing an agent's records on the server's timeline.

A box offline for days drifts. Every batch says the box's wall clock and monotonic clock at
sending time; every record says the monotonic time (and boot) it was taken at. On the same boot
the monotonic difference is exact, whatever the wall clock did; across a reboot the record's
wall time corrected by the clock offset measured now is the best the server has.
"""

from dataclasses import dataclass
from datetime import datetime, timedelta


@dataclass(frozen=True)
class AgentClock:
    """The box's clocks at the moment a batch was sent, and the server's clock on receipt."""

    server_now: datetime  # aware
    agent_wall: datetime  # aware: what the box believed the time was
    boot_id: str
    monotonic: float  # seconds since boot, at sending

    @property
    def offset_seconds(self) -> float:
        """Server clock minus the box's clock now (positive: the box is behind)."""
        return (self.server_now - self.agent_wall).total_seconds()


@dataclass(frozen=True)
class Placement:
    taken_at: datetime  # on the server's timeline
    refused: str = ""  # why the record cannot be true (empty: accepted)


# Clocks, network and the check itself take a little time; less than this is not the future.
FUTURE_SLACK = timedelta(minutes=2)
# A check runs inside its slot's window; a record taken much later than its slot is suspect
# but a slot in the future of its own taking is impossible.
SLOT_LEAD = timedelta(minutes=2)


def place_record(
    clock: AgentClock,
    *,
    slot: datetime,
    agent_wall: datetime,
    boot_id: str,
    monotonic: float,
) -> Placement:
    """When the record was taken on the server's clock, or why it is refused.

    Refused: taken after the batch was sent (the future), or a slot later than its own taking
    (a box that planned ahead with a wrong clock, or an edited record).
    """
    if boot_id and boot_id == clock.boot_id:
        taken = clock.server_now - timedelta(seconds=clock.monotonic - monotonic)
    else:
        taken = agent_wall + timedelta(seconds=clock.offset_seconds)
    if taken > clock.server_now + FUTURE_SLACK:
        return Placement(taken, "taken in the future of the server's clock")
    if slot > taken + SLOT_LEAD or slot > clock.server_now + FUTURE_SLACK:
        return Placement(taken, "slot lies in the future of its own check")
    return Placement(taken)
