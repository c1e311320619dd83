"""When is the out-of-office person back? A date read from the reply's own words.

Only a date introduced as the end of the absence counts ("back on 1 December", "bis zum
01.12.", "jusqu'au 2 décembre", "ab Montag wieder"): a date on its own may be the start of the
absence or the date of the message being answered.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta

_MONTHS = {
    1: "january januar jänner janvier enero januari janeiro gennaio",
    2: "february februar février febrero februari fevereiro febbraio",
    3: "march märz maerz mars marzo maart março",
    4: "april avril abril aprile",
    5: "may mai mayo mei maio maggio maj",
    6: "june juni juin junio junho giugno",
    7: "july juli juillet julio julho luglio",
    8: "august août agosto augustus augusti",
    9: "september septembre septiembre setiembre setembro settembre",
    10: "october oktober octobre octubre outubro ottobre",
    11: "november novembre noviembre novembro",
    12: "december dezember décembre diciembre dezembro dicembre",
}
_MONTH = {name: number for number, names in _MONTHS.items() for name in names.split()}
_WEEKDAYS = {
    0: "monday montag lundi lunes maandag segunda lunedì lunedi måndag",
    1: "tuesday dienstag mardi martes dinsdag terça terca martedì martedi tisdag",
    2: "wednesday mittwoch mercredi miércoles miercoles woensdag quarta mercoledì mercoledi onsdag",
    3: "thursday donnerstag jeudi jueves donderdag quinta giovedì giovedi torsdag",
    4: "friday freitag vendredi viernes vrijdag sexta venerdì venerdi fredag",
    5: "saturday samstag sonnabend samedi sábado sabado zaterdag sabato lördag",
    6: "sunday sonntag dimanche domingo zondag domenica söndag",
}
_WEEKDAY = {name: number for number, names in _WEEKDAYS.items() for name in names.split()}

_UNTIL = (
    r"till och med|t\.o\.m\.?|until|till|til|through|thru|bis( zum| einschließlich| inklusive| inkl\.)?"
    r"|jusqu'(au|à|a)( la)?|hasta( el)?|tot( en met)?|t/m|até( o dia| ao dia| dia)?|fino (al|a|all')"
)
"""Words before the last day away."""
_BACK = (
    r"tillbaka( den| på)?|åter( den| på)?"
    r"|back( in the office)?( on| from)?|return(ing)?( to the office)?( on)?|returns on"
    r"|(available|reachable|in the office)( again)?( on| from)"
    r"|zurück( am| ab)?|wieder( im büro| erreichbar)?( am| ab)"
    r"|de retour( le| à partir du| dès le)?|retour( le| prévu le)"
    r"|de vuelta( el)?|regres(o|aré)( el)?|volveré( el)?"
    r"|terug( op)?|weer aanwezig( op| vanaf)?"
    r"|de volta( em| no dia| a)?|regresso( a| em| no dia)?|retorno( em| no dia)?"
    r"|rientr(o|erò)( in ufficio)?( il| previsto il)?|di ritorno( il| dal)?"
)
"""Words before the first day back."""
_AFTER = r"wieder|weer|tillbaka|igen|zurück|de retour|di ritorno|de vuelta|de volta"
_NUMERIC = re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2})|(\d{1,2})([./])(\d{1,2})(?:\5(\d{2,4}))?\.?(?!\d)")
_DAY_MONTH = re.compile(r"(\d{1,2})(?:st|nd|rd|th|er|e|º|°|\.)?\s+(?:de\s+|of\s+)?([^\W\d_]{3,})\.?(?:,?\s+(?:de\s+)?(\d{4}))?")
_MONTH_DAY = re.compile(r"([^\W\d_]{3,})\.?\s+(\d{1,2})(?:st|nd|rd|th)?(?:,?\s+(\d{4}))?")
_WORD = re.compile(r"[^\W\d_]+")
_TRIGGER = re.compile(rf"\b(?:(?P<until>{_UNTIL})|(?P<back>{_BACK}))(?![^\W\d_])", re.I)
_CJK_DATE = (
    r"(?:(?P<year>\d{4})\s*[年년]\s*)?(?P<month>\d{1,2})\s*[月월/]\s*(?P<day>\d{1,2})\s*[日일号號]?"
    r"(?:\s*[（(][^）)]{1,4}[）)])?"  # a weekday in brackets: （金）
)
_CJK = (
    (re.compile(rf"(?:至|到|~|〜)\s*{_CJK_DATE}"), False),
    (re.compile(rf"{_CJK_DATE}\s*(?:まで|迄|之前|为止|為止|前|까지)"), False),
    (re.compile(rf"{_CJK_DATE}\s*(?:[にへ]\s*)?(?:より|から|起|返回|回到|回來|返|復帰|出社|출근|복귀|부터)"), True),
)
"""Japanese, Chinese and Korean dates (month and day marks, the particle after), and whether each form
names the first day back (True) or the last day away."""
_TRAILER = re.compile(rf"\W{{0,3}}(\w+\W+){{0,3}}?({_AFTER})\b", re.I)
_FILLER = re.compile(r"^[\s,:]*((the|dem|den|le|el|il|o|dia|op)\s+)?")
_WEEKDAY_PREFIX = re.compile(rf"^({'|'.join(_WEEKDAY)})\w*\.?,?\s+((the|den|le|el|il|o)\s+)?(?=\d|[^\W\d_]{{3,}}\.?\s+\d)")
_STALE = timedelta(days=30)
LONGEST_ABSENCE = timedelta(days=366)


@dataclass(frozen=True)
class Absence:
    """An out-of-office reply's own account of when the sender is away."""

    named: date
    """The date the reply names."""
    last_day: date
    """The last day away: the named date after "until", the day before it after "back on"."""
    back: date
    """The first weekday back: the named date after "back on", the next weekday after "until"."""


def return_date(text: str, received: date) -> date | None:
    """The day the sender names as the end of the absence, or None when they name none."""
    found = absence(text, received)
    return found.named if found else None


def absence(text: str, received: date) -> Absence | None:
    """When the sender is away, from a date introduced as the end of the absence, or None when none is.

    Dates without a year are placed in the coming year; a date in the month before the message,
    or more than a year after it, is not a return date.
    """
    lowered = text[:3000].lower().replace("’", "'")
    for trigger in _TRIGGER.finditer(lowered):
        found = _date_at(lowered[trigger.end() : trigger.end() + 60], received)
        if found:
            return _absence(found, back=trigger["back"] is not None)
    written = sorted(((m.start(), back, m) for pattern, back in _CJK for m in pattern.finditer(lowered)), key=lambda f: f[0])
    for _, back, match in written:
        found = _make(match["year"], int(match["month"]), int(match["day"]), received)
        if found:
            return _absence(found, back=back)
    for _, end, day in _dates(lowered, received):
        if _TRAILER.match(lowered, end):
            return _absence(day, back=True)
    return None


def _absence(named: date, *, back: bool) -> Absence:
    if back:
        return Absence(named, named - timedelta(days=1), named)
    following = named + timedelta(days=1)
    while following.weekday() >= 5:
        following += timedelta(days=1)
    return Absence(named, named, following)


def _date_at(text: str, received: date) -> date | None:
    """A date at the very start of ``text``, after filler words and a weekday name."""
    text = _FILLER.sub("", text)
    text = _WEEKDAY_PREFIX.sub("", text)
    first = next(iter(_dates(text, received)), None)
    return first[2] if first and first[0] == 0 else None


def _dates(text: str, received: date) -> list[tuple[int, int, date]]:
    """Every date written in ``text`` (numeric, with a month name, or a weekday), by position."""
    found: list[tuple[int, int, date | None]] = []
    for match in _NUMERIC.finditer(text):
        if match.group(1):
            day = _make(match.group(1), int(match.group(2)), int(match.group(3)), received)
        else:
            first, second = int(match.group(4)), int(match.group(6))
            orders = [(first, second)] if match.group(5) == "." else [(first, second), (second, first)]
            days = [d for dd, mm in orders if (d := _make(match.group(7), mm, dd, received))]
            day = min(days, default=None)
        found.append((match.start(), match.end(), day))
    for match in _DAY_MONTH.finditer(text):
        month = _month(match.group(2))
        if month:
            found.append((match.start(), match.end(), _make(match.group(3), month, int(match.group(1)), received)))
    for match in _MONTH_DAY.finditer(text):
        month = _month(match.group(1))
        if month:
            found.append((match.start(), match.end(), _make(match.group(3), month, int(match.group(2)), received)))
    for match in _WORD.finditer(text):
        if match.group() in _WEEKDAY:
            ahead = (_WEEKDAY[match.group()] - received.weekday() - 1) % 7 + 1
            found.append((match.start(), match.end(), received + timedelta(days=ahead)))
    return sorted((start, end, day) for start, end, day in found if day)


def _month(word: str) -> int | None:
    """A month by name or by an unambiguous abbreviation ("Dez", "sept", "déc")."""
    if word in _MONTH:
        return _MONTH[word]
    numbers = {number for name, number in _MONTH.items() if name.startswith(word)} if len(word) >= 3 else set()
    return numbers.pop() if len(numbers) == 1 else None


def _make(year: str | None, month: int, day: int, received: date) -> date | None:
    try:
        if year:
            found = date(int(year) + (2000 if len(year) == 2 else 0), month, day)
        else:
            found = date(received.year, month, day)
            if found < received - _STALE:
                found = date(received.year + 1, month, day)
    except ValueError:
        return None
    return found if received <= found <= received + LONGEST_ABSENCE else None
