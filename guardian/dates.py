"""Calendar arithmetic the law speaks in: months, working days."""

from __future__ import annotations

import calendar
from datetime import date, datetime, timedelta
from typing import TypeVar

D = TypeVar("D", date, datetime)


def add_months(start: D, months: int) -> D:
    """The same day `months` calendar months later; the month's last day when it has no such
    day (31 January + 1 month = 28 or 29 February), as the EU reads time limits in months
    (Regulation 1182/71 Art. 3(2)(c))."""
    years, index = divmod(start.month - 1 + months, 12)
    year, month = start.year + years, index + 1
    return start.replace(year=year, month=month,
                         day=min(start.day, calendar.monthrange(year, month)[1]))


def add_business_days(start: D, days: int) -> D:
    """`days` working days after `start`, Monday to Friday (public holidays not counted in)."""
    moment = start
    while days:
        moment += timedelta(days=1)
        if moment.weekday() < 5:
            days -= 1
    return moment
