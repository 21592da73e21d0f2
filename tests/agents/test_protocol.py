"""The agent's wire protocol (agents.domain): chain, signatures, timeline, plan inputs."""

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from agents.domain import (
    GENESIS_HASH,
    AgentClock,
    ReceivedRecord,
    StoredReceipt,
    place_record,
    record_hash,
    sign_batch,
    signature_matches,
    verify_chain,
)
from agents.domain.plan_inputs import (
    office_day_from_dict,
    office_day_to_dict,
    policy_from_dict,
    policy_to_dict,
)
from compliance.domain import (
    CheckPolicy,
    DayHours,
    DayStatus,
    ExcuseSpan,
    HolidayEntry,
    HolidayKind,
    OfficeDay,
    plan_check_slots,
)

SLOT = datetime(2026, 11, 24, 0, 0, tzinfo=UTC)


def chain(count: int, start: int = 1, previous: str = GENESIS_HASH) -> list[ReceivedRecord]:
    records = []
    for sequence in range(start, start + count):
        slot = (SLOT + timedelta(minutes=5 * sequence)).isoformat()
        payload = {"camera": 7, "slot": slot, "status": "ok", "people_in_zone": sequence % 3}
        digest = record_hash(previous, payload)
        records.append(ReceivedRecord(sequence, previous, digest, (7, slot), payload))
        previous = digest
    return records


def receipts_of(records: list[ReceivedRecord]) -> dict[int, StoredReceipt]:
    return {r.sequence: StoredReceipt(r.sequence, r.hash, r.natural_key) for r in records}


def findings(verdicts) -> list[str]:
    return [v.finding.value for v in verdicts]


def test_a_fresh_chain_is_accepted_in_any_order_within_a_batch():
    records = chain(4)
    verdicts = verify_chain(list(reversed(records)), {}, {}, 0)
    assert findings(verdicts) == ["new"] * 4
    assert all(v.kept and not v.warned for v in verdicts)


def test_the_same_records_again_are_duplicates_that_change_nothing():
    records = chain(3)
    keys = {r.natural_key: r.sequence for r in records}
    verdicts = verify_chain(records, receipts_of(records), keys, 3)
    assert findings(verdicts) == ["duplicate"] * 3
    assert not any(v.kept for v in verdicts)


def test_an_edited_record_is_refused_whether_or_not_its_hash_was_recomputed():
    records = chain(2)
    original = records[1]
    payload = {**original.payload, "people_in_zone": 9}
    edited = ReceivedRecord(
        2, original.previous_hash, record_hash(original.previous_hash, payload), (7, "x"), payload
    )
    stale_hash = ReceivedRecord(2, original.previous_hash, original.hash, (7, "x"), payload)
    stored = receipts_of(records[:1])
    assert findings(verify_chain([stale_hash], stored, {}, 1)) == ["broken"]
    assert findings(verify_chain([edited], receipts_of(records), {}, 2)) == ["edited"]


def test_a_missing_record_is_a_gap_and_filling_it_later_is_late():
    records = chain(5)
    first = verify_chain([records[0], records[3], records[4]], {}, {}, 0)
    assert findings(first) == ["new", "gap", "new"]
    assert "records 2-3 missing" in first[1].detail
    kept = [records[0], records[3], records[4]]
    later = verify_chain(records[1:3], receipts_of(kept), {}, 5)
    assert findings(later) == ["late", "late"]
    assert all(v.kept and v.warned for v in later)


def test_a_record_that_does_not_follow_its_predecessor_is_broken():
    records = chain(2)
    other = chain(1, start=2, previous="f" * 64)[0]
    assert findings(verify_chain([records[0], other], {}, {}, 0)) == ["new", "broken"]


def test_an_old_slot_under_a_new_sequence_number_is_a_replay():
    records = chain(2)
    replay_payload = dict(records[0].payload)
    replay = ReceivedRecord(
        3, records[1].hash, record_hash(records[1].hash, replay_payload), (7, "k"), replay_payload
    )
    replay = ReceivedRecord(
        3, replay.previous_hash, replay.hash, records[0].natural_key, replay_payload
    )
    keys = {r.natural_key: r.sequence for r in records}
    verdicts = verify_chain([replay], receipts_of(records), keys, 2)
    assert findings(verdicts) == ["replayed"]
    assert not verdicts[0].kept


def test_the_batch_signature_covers_every_byte_and_needs_the_key():
    body = b'{"records":[]}'
    signature = sign_batch(b"key", body)
    assert signature_matches(b"key", body, signature)
    assert not signature_matches(b"key", body + b" ", signature)
    assert not signature_matches(b"other", body, signature)


NOW = datetime(2026, 11, 24, 6, 0, tzinfo=UTC)


def test_same_boot_records_are_placed_by_monotonic_time_whatever_the_wall_clock_says():
    # The box's wall clock is two days behind; monotonic time says the record is 10 min old.
    clock = AgentClock(NOW, NOW - timedelta(days=2), "boot-1", monotonic=5000.0)
    placed = place_record(
        clock,
        slot=NOW - timedelta(minutes=11),
        agent_wall=NOW - timedelta(days=2, minutes=10),
        boot_id="boot-1",
        monotonic=4400.0,
    )
    assert placed.taken_at == NOW - timedelta(minutes=10)
    assert not placed.refused
    assert clock.offset_seconds == 2 * 86400


def test_records_from_the_future_are_refused():
    clock = AgentClock(NOW, NOW, "boot-1", monotonic=100.0)
    ahead = place_record(
        clock, slot=NOW, agent_wall=NOW + timedelta(hours=1), boot_id="boot-0", monotonic=0
    )
    assert ahead.refused
    planned_ahead = place_record(
        clock, slot=NOW + timedelta(hours=3), agent_wall=NOW, boot_id="boot-1", monotonic=99.0
    )
    assert planned_ahead.refused


def test_across_a_reboot_the_wall_time_is_corrected_by_the_offset_measured_now():
    clock = AgentClock(NOW, NOW - timedelta(minutes=30), "boot-2", monotonic=50.0)
    placed = place_record(
        clock,
        slot=NOW - timedelta(hours=2),
        agent_wall=NOW - timedelta(hours=2, minutes=30),
        boot_id="boot-1",
        monotonic=9999.0,
    )
    assert placed.taken_at == NOW - timedelta(hours=2)


@pytest.mark.parametrize(
    "day",
    [
        OfficeDay(date(2026, 11, 24), DayStatus.WORKING, DayHours(time(7, 30), time(16, 0), 15, 2)),
        OfficeDay(
            date(2026, 12, 25),
            DayStatus.HOLIDAY,
            holiday=HolidayEntry(date(2026, 12, 25), "Natal", HolidayKind.NATIONAL),
        ),
        OfficeDay(
            date(2026, 11, 26),
            DayStatus.EXCUSED,
            excuse=ExcuseSpan(date(2026, 11, 26), date(2026, 11, 27), "renovasi"),
        ),
    ],
    ids=["working", "holiday", "excused"],
)
def test_plan_inputs_travel_as_json_and_plan_the_same_slots(day):
    import json

    policy = CheckPolicy(opening_interval=timedelta(minutes=10), after_hours_checks=True)
    zone = ZoneInfo("Asia/Makassar")
    day_back = office_day_from_dict(json.loads(json.dumps(office_day_to_dict(day))))
    policy_back = policy_from_dict(json.loads(json.dumps(policy_to_dict(policy))))
    assert day_back == day
    assert policy_back == policy
    assert plan_check_slots(day_back, policy_back, zone) == plan_check_slots(day, policy, zone)
