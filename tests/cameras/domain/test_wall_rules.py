"""Still intervals, health transitions and crowd levels: pure rules, no database."""

from datetime import UTC, datetime, timedelta, timezone

import pytest

from cameras.domain.wall import (
    CrowdLevel,
    Health,
    age_seconds,
    crowd_level,
    health_of,
    health_spans,
    is_stale,
    next_health,
    sparkline,
    still_slot,
)

T0 = datetime(2026, 11, 24, 1, 0, 0, tzinfo=UTC)  # 09:00 WITA


@pytest.mark.parametrize(
    ("offset", "interval", "expected"),
    [
        (0, 30, 0),
        (29.999, 30, 0),
        (30, 30, 30),
        (59, 30, 30),
        (61, 60, 60),
        (119, 60, 60),
    ],
)
def test_still_slot_floors_to_the_interval(offset, interval, expected):
    now = T0 + timedelta(seconds=offset)
    assert still_slot(now, interval) == T0 + timedelta(seconds=expected)


def test_still_slot_is_the_same_instant_whatever_zone_the_clock_is_in():
    wita = timezone(timedelta(hours=8))
    assert still_slot(T0.astimezone(wita) + timedelta(seconds=45), 30) == T0 + timedelta(seconds=30)


@pytest.mark.parametrize("bad", [0, -5])
def test_still_slot_refuses_a_non_positive_interval(bad):
    with pytest.raises(ValueError, match="positive"):
        still_slot(T0, bad)


def test_still_slot_refuses_a_naive_clock():
    with pytest.raises(ValueError, match="aware"):
        still_slot(datetime(2026, 11, 24, 9, 0), 30)


def test_a_still_is_stale_once_its_interval_has_passed():
    assert is_stale(None, T0, 30)
    assert not is_stale(T0, T0 + timedelta(seconds=29), 30)
    assert is_stale(T0, T0 + timedelta(seconds=30), 30)
    # A still from a later slot (clock skew between worker and web) is not stale.
    assert not is_stale(T0 + timedelta(seconds=30), T0, 30)


@pytest.mark.parametrize(
    ("status", "health"),
    [
        ("ok", Health.ONLINE),
        ("unreachable", Health.OFFLINE),
        ("timeout", Health.OFFLINE),
        ("auth_failed", Health.OFFLINE),
        ("not_an_image", Health.OFFLINE),
        ("frozen", Health.FROZEN),
        ("dark", Health.DARK),
        ("no_detail", Health.NO_DETAIL),
        ("moved", Health.MOVED),
        ("pending", Health.UNKNOWN),
    ],
)
def test_each_capture_outcome_maps_to_what_the_wall_shows(status, health):
    assert health_of(status) is health


def test_health_since_moves_only_when_the_state_changes():
    state, since = next_health(Health.UNKNOWN, None, Health.ONLINE, T0)
    assert (state, since) == (Health.ONLINE, T0)
    later = T0 + timedelta(minutes=5)
    assert next_health(state, since, Health.ONLINE, later) == (Health.ONLINE, T0)
    down = T0 + timedelta(minutes=10)
    state, since = next_health(state, since, Health.OFFLINE, down)
    assert (state, since) == (Health.OFFLINE, down)
    # Still down ten minutes later: "offline since" keeps the first failure.
    assert next_health(state, since, Health.OFFLINE, down + timedelta(minutes=10)) == (
        Health.OFFLINE,
        down,
    )


def test_health_spans_merge_runs_and_close_each_at_the_next_change():
    captures = [
        (T0, "ok"),
        (T0 + timedelta(minutes=1), "ok"),
        (T0 + timedelta(minutes=2), "timeout"),
        (T0 + timedelta(minutes=3), "unreachable"),
        (T0 + timedelta(minutes=4), "dark"),
        (T0 + timedelta(minutes=5), "ok"),
    ]
    spans = health_spans(captures)
    assert [(s.state, s.starts, s.ends) for s in spans] == [
        (Health.ONLINE, T0, T0 + timedelta(minutes=2)),
        (Health.OFFLINE, T0 + timedelta(minutes=2), T0 + timedelta(minutes=4)),
        (Health.DARK, T0 + timedelta(minutes=4), T0 + timedelta(minutes=5)),
        (Health.ONLINE, T0 + timedelta(minutes=5), None),
    ]
    assert health_spans([]) == []


@pytest.mark.parametrize(
    ("people", "expected"),
    [
        (None, None),
        (0, CrowdLevel.QUIET),
        (4, CrowdLevel.QUIET),
        (5, CrowdLevel.BUSY),
        (14, CrowdLevel.BUSY),
        (15, CrowdLevel.PACKED),
        (80, CrowdLevel.PACKED),
    ],
)
def test_crowd_level_boundaries(people, expected):
    assert crowd_level(people, busy_at=5, packed_at=15) == expected


def test_crowd_levels_must_be_ordered():
    with pytest.raises(ValueError, match="greater"):
        crowd_level(3, busy_at=10, packed_at=10)


def test_crowd_level_labels_are_the_indonesian_words_the_public_sees():
    assert [level.value for level in CrowdLevel] == ["sepi", "ramai", "padat"]


def test_age_is_whole_seconds_and_never_negative():
    assert age_seconds(None, T0) is None
    assert age_seconds(T0, T0 + timedelta(seconds=61.7)) == 61
    assert age_seconds(T0 + timedelta(seconds=3), T0) == 0


def test_sparkline_scales_from_zero_to_the_highest_count():
    line = sparkline([0, 2, 4], width=100, height=40)
    assert line is not None
    assert line.points == "0.0,40.0 50.0,20.0 100.0,0.0"
    assert (line.low, line.high) == (0, 4)
    flat = sparkline([0, 0])
    assert flat is not None
    assert flat.points.endswith(f",{flat.height:.1f}")
    assert sparkline([]) is None
