"""Spreading checks over the interval: a stable per-office phase.

Thousands of offices opening at 07:30 would otherwise all be checked on the same second every
five minutes (one spike for the broker, the workers and the database, then nothing). Each office
gets a phase in ``[0, spread)`` derived from its id alone: the same office always gets the same
phase (ticks, replays and verdicts agree on its slots), and consecutive ids land far apart.
"""

from __future__ import annotations

from datetime import timedelta

__all__ = ["PHASE_MULTIPLIER", "PHASE_WORD", "office_phase"]

# Knuth's multiplicative hash: the golden-ratio multiple of 2**32 spreads consecutive ids over
# the whole range (no clustering of one government's offices, whose ids are consecutive).
_GOLDEN = 2654435761
_WORD = 1 << 32
# The same constants for a database that computes the phase in SQL (compliance.claiming).
PHASE_MULTIPLIER = _GOLDEN
PHASE_WORD = _WORD


def office_phase(office_id: int, spread: timedelta) -> timedelta:
    """The office's phase: whole seconds in ``[0, spread)`` (zero when ``spread`` is under a
    second). Deterministic in ``office_id``; roughly uniform over many ids."""
    seconds = int(spread.total_seconds())
    if seconds <= 0:
        return timedelta(0)
    mixed = (office_id * _GOLDEN) % _WORD
    return timedelta(seconds=(mixed * seconds) >> 32)
