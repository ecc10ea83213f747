"""Digest times: parsed from what people type, and the next run right across daylight saving."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.schedule import (
    DigestCommand,
    DigestInputError,
    next_slot,
    parse_digest_args,
    previous_slot,
)


def utc(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text).replace(tzinfo=dt.UTC)


@pytest.mark.parametrize(
    ("args", "command"),
    [
        ([], DigestCommand(action="show")),
        (["now"], DigestCommand(action="now")),
        (["OFF"], DigestCommand(action="off")),
        (["on"], DigestCommand(action="on")),
        (["8:05"], DigestCommand(action="set", time="08:05")),
        (
            ["07.30", "europe/berlin"],
            DigestCommand(action="set", time="07:30", timezone="Europe/Berlin"),
        ),
        (
            ["23:59", "America/New_York"],
            DigestCommand(action="set", time="23:59", timezone="America/New_York"),
        ),
        (["00:00", "UTC"], DigestCommand(action="set", time="00:00", timezone="UTC")),
    ],
)
def test_digest_arguments(args: list[str], command: DigestCommand) -> None:
    assert parse_digest_args(args) == command


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (
            ["25:99"],
            "“25:99” is not a time. Use the 24-hour clock, HH:MM, for example: /digest 08:00 Europe/Berlin",
        ),
        (["24:00"], "“24:00” is not a time"),
        (["noon"], "“noon” is not a time"),
        (
            ["08:00", "Mars/Olympus"],
            "“Mars/Olympus” is not a time zone I know. Use an IANA name such as Europe/Berlin",
        ),
        (["08:00", "../../etc/passwd"], "“../../etc/passwd” is not a time zone I know"),
        (
            ["08:00", "Europe/Berlin", "please"],
            "Give a time and, if you like, a time zone: /digest 08:00 Europe/Berlin",
        ),
    ],
)
def test_bad_digest_arguments_get_a_message_with_an_example(args: list[str], message: str) -> None:
    with pytest.raises(DigestInputError) as info:
        parse_digest_args(args)
    assert str(info.value).startswith(message)
    assert "/digest 08:00 Europe/Berlin" in str(info.value)


@pytest.mark.parametrize(
    ("now", "hhmm", "zone", "expected"),
    [
        # Berlin, spring forward on 2026-03-29: 08:00 is 07:00 UTC before, 06:00 UTC after.
        ("2026-03-28T06:00", "08:00", "Europe/Berlin", "2026-03-28T07:00"),
        ("2026-03-28T07:00", "08:00", "Europe/Berlin", "2026-03-29T06:00"),
        ("2026-03-29T06:00", "08:00", "Europe/Berlin", "2026-03-30T06:00"),
        # 02:30 does not exist that morning: it runs at 03:30 CEST, once.
        ("2026-03-28T12:00", "02:30", "Europe/Berlin", "2026-03-29T01:30"),
        ("2026-03-29T01:30", "02:30", "Europe/Berlin", "2026-03-30T00:30"),
        # Fall back on 2026-10-25: 02:30 happens twice and runs at the first only.
        ("2026-10-24T12:00", "02:30", "Europe/Berlin", "2026-10-25T00:30"),
        ("2026-10-25T00:30", "02:30", "Europe/Berlin", "2026-10-26T01:30"),
        # New York changes on other dates (2026-03-08), and a zone east of UTC crosses the date.
        ("2026-03-07T15:00", "09:00", "America/New_York", "2026-03-08T13:00"),
        ("2026-03-08T13:00", "09:00", "America/New_York", "2026-03-09T13:00"),
        ("2026-06-01T00:00", "08:00", "Asia/Tokyo", "2026-06-01T23:00"),
        ("2026-06-01T22:59", "08:00", "Asia/Tokyo", "2026-06-01T23:00"),
        ("2026-06-01T12:00", "08:00", "UTC", "2026-06-02T08:00"),
    ],
)
def test_next_slot_follows_the_local_wall_clock(
    now: str, hhmm: str, zone: str, expected: str
) -> None:
    assert next_slot(utc(now), hhmm, zone) == utc(expected)


def test_previous_slot_is_the_last_one_not_after_now() -> None:
    assert previous_slot(utc("2026-03-29T06:00"), "08:00", "Europe/Berlin") == utc(
        "2026-03-29T06:00"
    )
    assert previous_slot(utc("2026-03-29T05:59"), "08:00", "Europe/Berlin") == utc(
        "2026-03-28T07:00"
    )


ZONES = st.sampled_from(
    ["UTC", "Europe/Berlin", "America/New_York", "Australia/Lord_Howe", "Asia/Kathmandu"]
)
TIMES = st.builds(lambda h, m: f"{h:02d}:{m:02d}", st.integers(0, 23), st.integers(0, 59))
INSTANTS = st.datetimes(
    min_value=dt.datetime(2025, 1, 1), max_value=dt.datetime(2028, 1, 1), timezones=st.just(dt.UTC)
)


@given(now=INSTANTS, hhmm=TIMES, zone=ZONES)
def test_exactly_one_digest_per_local_day(now: dt.datetime, hhmm: str, zone: str) -> None:
    following = next_slot(now, hhmm, zone)
    after = next_slot(following, hhmm, zone)
    assert now < following <= now + dt.timedelta(hours=25)
    # Consecutive runs are a day apart, give or take a daylight-saving shift (Lord Howe: 30 min).
    assert dt.timedelta(hours=22) <= after - following <= dt.timedelta(hours=26)
    assert previous_slot(following, hhmm, zone) == following
    assert previous_slot(now, hhmm, zone) <= now
