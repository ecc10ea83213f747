"""When digests go out: "/digest" arguments and the next local time as a UTC instant.

Pure and clock-free: every function takes `now` (an aware datetime) from the caller.

A digest time is a wall-clock time in an IANA zone, so "08:00 Europe/Berlin" is 07:00 UTC in
winter and 06:00 UTC in summer. The next run is worked out here for each day, not by a fixed
24-hour interval, which would drift by an hour at every daylight-saving change:

    a time that does not exist that day (skipped by a spring-forward) runs at the same
    distance past the change, e.g. 02:30 -> 03:30 (Python's fold=0 rule, PEP 495);
    a time that happens twice (fall-back) runs at its first occurrence only.

`due_slot` is what the scheduler tick asks (bot/tg/leader.py): which slot, if any, is due now.
"""

from __future__ import annotations

import datetime as dt
import functools
import re
import zoneinfo
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

EXAMPLE = "/digest 08:00 Europe/Berlin"
_TIME_RE = re.compile(r"^(\d{1,2})[:.h](\d{2})$")


class DigestInputError(ValueError):
    """A /digest argument that cannot be used; the message is shown to the user as is."""


@dataclass(frozen=True, kw_only=True)
class DigestCommand:
    action: Literal["show", "now", "off", "on", "set"]
    time: str | None = None  # "08:00", for "set"
    timezone: str | None = None  # canonical IANA name, for "set" when one was given


def parse_digest_args(args: Sequence[str]) -> DigestCommand:
    """`/digest`, `/digest now|off|on`, `/digest HH:MM [Area/City]` -> a command."""
    words = [a for a in args if a.strip()]
    if not words:
        return DigestCommand(action="show")
    first = words[0].lower()
    if len(words) == 1 and first in ("now", "off", "on"):
        return DigestCommand(action=first)  # type: ignore[arg-type]
    if len(words) > 2:
        raise DigestInputError(f"Give a time and, if you like, a time zone: {EXAMPLE}")
    time = parse_time(words[0])
    zone = parse_zone(words[1]) if len(words) == 2 else None
    return DigestCommand(action="set", time=time, timezone=zone)


def parse_time(text: str) -> str:
    """'8:05', '08:05', '8.05', '8h05' -> '08:05'; anything else is a DigestInputError."""
    m = _TIME_RE.match(text.strip())
    if m is None or int(m.group(1)) > 23 or int(m.group(2)) > 59:
        raise DigestInputError(
            f"“{text}” is not a time. Use the 24-hour clock, HH:MM, for example: {EXAMPLE}"
        )
    return f"{int(m.group(1)):02d}:{m.group(2)}"


def parse_zone(text: str) -> str:
    """An IANA zone name, any letter case ('europe/berlin' -> 'Europe/Berlin')."""
    name = _zones().get(text.strip().lower())
    if name is None:
        raise DigestInputError(
            f"“{text}” is not a time zone I know. Use an IANA name such as Europe/Berlin, "
            f"America/New_York or Asia/Tokyo, for example: {EXAMPLE}"
        )
    return name


@functools.cache
def _zones() -> dict[str, str]:
    # Only names from the zone database: never a path handed to ZoneInfo from user input.
    return {name.lower(): name for name in zoneinfo.available_timezones()}


def local_slot(day: dt.date, hhmm: str, zone: str) -> dt.datetime:
    """The UTC instant of `hhmm` on `day` in `zone`."""
    hour, minute = (int(part) for part in hhmm.split(":"))
    local = dt.datetime.combine(day, dt.time(hour, minute), tzinfo=zoneinfo.ZoneInfo(zone))
    return local.astimezone(dt.UTC)


def next_slot(now: dt.datetime, hhmm: str, zone: str) -> dt.datetime:
    """The first digest instant strictly after `now` (aware), in UTC."""
    today = now.astimezone(zoneinfo.ZoneInfo(zone)).date()
    for offset in range(-1, 3):
        slot = local_slot(today + dt.timedelta(days=offset), hhmm, zone)
        if slot > now:
            return slot
    raise AssertionError("unreachable: a day always has the time")  # pragma: no cover


def previous_slot(now: dt.datetime, hhmm: str, zone: str) -> dt.datetime:
    """The last digest instant at or before `now` (aware), in UTC."""
    today = now.astimezone(zoneinfo.ZoneInfo(zone)).date()
    for offset in range(1, -3, -1):
        slot = local_slot(today + dt.timedelta(days=offset), hhmm, zone)
        if slot <= now:
            return slot
    raise AssertionError("unreachable: a day always has the time")  # pragma: no cover


def due_slot(now: dt.datetime, hhmm: str, zone: str, *, window: dt.timedelta) -> dt.datetime | None:
    """The slot a scheduler tick at `now` should queue: the last one, if at most `window` ago.

    Ticks come every few seconds and queueing a slot twice is harmless (the store skips chats
    that already have it), so the window only has to outlast the gap between two ticks; a
    longer one is the catch-up after the bot was down.
    """
    slot = previous_slot(now, hhmm, zone)
    return slot if now - slot <= window else None
