"""Explanations of computed clocks: why a due time is what it is, in plain English lines.

`explain(result)` returns an `Explanation` whose `lines()` list the target, start, calendar,
priority changes (re-based from the original start), pauses, reopens, closed days skipped
between the start and the due time, the due time, the warning instant and the state.
Times are shown in the calendar's zone. Strings go through `_` and dates through the
formatters of `Formatting`; `configure(...)` lets the desk plug in its translations and
localised date formats (the engine itself stays free of Django); templates are formatted
after translation.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from servicedesk.sla.clock import ClockResult, ClockState


@dataclass
class Formatting:
    """How explanations translate text and show local dates; English by default."""

    translate: Callable[[str], str] = str
    moment: Callable[[datetime], str] = lambda local: f"{local:%a %d %b %Y %H:%M}"
    day: Callable[[date], str] = lambda value: f"{value:%a %d %b %Y}"


FORMATTING = Formatting()


def configure(
    *,
    translate: Callable[[str], str],
    moment: Callable[[datetime], str],
    day: Callable[[date], str],
) -> None:
    """Set the translation function and the local date formats explanations use."""
    FORMATTING.translate = translate
    FORMATTING.moment = moment
    FORMATTING.day = day


def _(text: str) -> str:
    """Return `text` translated by the configured function."""
    return FORMATTING.translate(text)


@dataclass(frozen=True)
class Explanation:
    """The lines that explain one clock."""

    entries: tuple[str, ...]

    def lines(self) -> list[str]:
        """Return the explanation as a list of sentences."""
        return list(self.entries)

    def text(self) -> str:
        """Return the explanation as one text, a sentence per line."""
        return "\n".join(self.entries)


def format_duration(value: timedelta) -> str:
    """Return e.g. "30 min", "2 h", "1 h 30 min", "48 h"; from a week on "30 days 4 h"."""
    seconds = int(value.total_seconds())
    days = 0
    if seconds >= 7 * 86400:
        days, seconds = divmod(seconds, 86400)
    hours, rest = divmod(seconds, 3600)
    minutes = rest // 60
    parts = []
    if days:
        parts.append(_("{n} days").format(n=days))
    if hours:
        parts.append(_("{n} h").format(n=hours))
    if minutes or not parts:
        parts.append(_("{n} min").format(n=minutes))
    return " ".join(parts)


def explain(result: ClockResult, *, service_level: tuple[str, int] | None = None) -> Explanation:
    """Return the explanation of a computed clock.

    `service_level` (name, version number) opens it with the service level the ticket is
    measured by: "Service level Gold, version 3."
    """
    heading = (
        []
        if service_level is None
        else [
            _("Service level {name}, version {number}.").format(
                name=service_level[0], number=service_level[1]
            )
        ]
    )
    zone = ZoneInfo(result.calendar.tz) if result.calendar else UTC

    def at(value: datetime) -> str:
        local = value.astimezone(zone)
        return f"{FORMATTING.moment(local)} {local.tzname()}"

    target = result.target
    if target is None:
        return Explanation(
            (
                *heading,
                _("{key}: no target ({reason}).").format(
                    key=result.key.replace("_", " "), reason=result.no_target_reason
                ),
                _("Started {start}.").format(start=at(result.start)),
            )
        )

    out = [
        *heading,
        _(
            # xgettext:no-python-format
            "Target: {label} within {duration} ({objective}% of tickets), priority {priority}."
        ).format(
            label=target.label,
            duration=format_duration(target.duration),
            objective=f"{target.objective_percent:g}",
            priority=result.priority,
        ),
        _("Started {start}.").format(start=at(result.start)),
    ]
    if result.calendar is not None:
        out.append(_("Counted in: {calendar}.").format(calendar=result.calendar.describe()))
    for change in result.priority_changes:
        out.append(
            _(
                "Priority changed from {old} to {new} at {at}: the due time is re-based on "
                "the new target from the original start."
            ).format(old=change.old, new=change.new, at=at(change.at))
        )
    for pause in result.pauses:
        if pause.end is None:
            out.append(
                _("Paused ({reason}) since {start}.").format(
                    reason=pause.reason.replace("_", " "), start=at(pause.start)
                )
            )
        else:
            out.append(
                _("Paused ({reason}) from {start} to {end}.").format(
                    reason=pause.reason.replace("_", " "), start=at(pause.start), end=at(pause.end)
                )
            )
    for reopened in result.reopened_at:
        out.append(
            _("Reopened {at}: the clock resumed with the time it had already used.").format(
                at=at(reopened)
            )
        )
    until = result.due or result.now
    if result.calendar is not None and not result.calendar.is_always_open:
        skipped = result.calendar.closed_days(result.start, until)
        if skipped:
            days = ", ".join(f"{FORMATTING.day(day)} ({name})" for day, name in skipped)
            out.append(_("Closed days skipped: {days}.").format(days=days))
    if result.due is not None:
        out.append(_("Due {due}.").format(due=at(result.due)))
    else:
        out.append(_("Due time not known while the clock is paused."))
    if result.warn_at is not None and result.state in (ClockState.RUNNING, ClockState.PAUSED):
        out.append(_("Warning from {at}.").format(at=at(result.warn_at)))
    out.append(_state_line(result, at))
    return Explanation(tuple(out))


def _state_line(result: ClockResult, at: Callable[[datetime], str]) -> str:
    used, left = format_duration(result.elapsed), format_duration(result.remaining or timedelta())
    match result.state:
        case ClockState.MET if result.met_at is not None:
            return _("Met {at}, after {used}.").format(at=at(result.met_at), used=used)
        case ClockState.BREACHED if result.breached_at is not None:
            when = at(result.breached_at)
            if result.met_at is not None:
                return _("Breached {at}; met late, {met}.").format(at=when, met=at(result.met_at))
            return _("Breached {at}; still open.").format(at=when)
        case ClockState.PAUSED:
            return _("Paused: {used} used, {left} left.").format(used=used, left=left)
        case _:
            return _("Running: {used} used, {left} left.").format(used=used, left=left)
