"""Parsing of Date condition values into UTC epoch seconds.

Accepted forms are the W3C profile of ISO 8601 and Unix epoch seconds:
``YYYY``, ``YYYY-MM``, ``YYYY-MM-DD``, ``YYYY-MM-DDThh:mmTZD``,
``YYYY-MM-DDThh:mm:ssTZD`` and ``YYYY-MM-DDThh:mm:ss.sTZD``, where TZD is ``Z``
or ``+hh:mm`` / ``-hh:mm``. A partial date stands for its first instant in UTC.
A time without a zone designator is invalid.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta, timezone
from decimal import Decimal

_W3C_DATE = re.compile(
    r"(?P<year>[0-9]{4})"
    r"(?:-(?P<month>[0-9]{2})"
    r"(?:-(?P<day>[0-9]{2})"
    r"(?:T(?P<hour>[0-9]{2}):(?P<minute>[0-9]{2})"
    r"(?::(?P<second>[0-9]{2})(?:\.(?P<fraction>[0-9]+))?)?"
    r"(?P<zone>Z|[+-][0-9]{2}:[0-9]{2}))?)?)?"
)

# A bare run of digits other than a four-digit year is read as epoch seconds.
_EPOCH_SECONDS = re.compile(r"[0-9]+(\.[0-9]+)?")

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def parse_date(text: str) -> Decimal | None:
    """Return ``text`` as seconds since 1970-01-01T00:00:00Z, or None if invalid.

    Exactly four digits are a year (``2026`` is 2026-01-01T00:00:00Z), not
    epoch seconds. Fractional seconds are kept exactly.
    """
    match = _W3C_DATE.fullmatch(text)
    if match is not None:
        return _w3c_to_epoch(match)

    if _EPOCH_SECONDS.fullmatch(text):
        return Decimal(text)

    return None


def _w3c_to_epoch(match: re.Match[str]) -> Decimal | None:
    fields = match.groupdict()
    try:
        zone = _parse_zone(fields["zone"])
        instant = datetime(
            int(fields["year"]),
            int(fields["month"] or 1),
            int(fields["day"] or 1),
            int(fields["hour"] or 0),
            int(fields["minute"] or 0),
            int(fields["second"] or 0),
            tzinfo=zone,
        )
    except ValueError:
        return None

    whole_seconds = (instant - _EPOCH) // timedelta(seconds=1)
    fraction = Decimal(f"0.{fields['fraction']}") if fields["fraction"] else 0
    return Decimal(whole_seconds) + fraction


def _parse_zone(zone: str | None) -> timezone:
    """Return the zone of a ``Z`` or ``±hh:mm`` designator, or UTC for None."""
    if zone is None or zone == "Z":
        return UTC

    hours, minutes = int(zone[1:3]), int(zone[4:6])
    if minutes > 59:
        raise ValueError(f"invalid zone offset {zone!r}")

    offset = timedelta(hours=hours, minutes=minutes)
    return timezone(-offset if zone[0] == "-" else offset)
