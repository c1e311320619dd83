"""Who is an organisation and who is a generic sender, by mail domain."""

from __future__ import annotations

import re
from functools import lru_cache

from publicsuffixlist import PublicSuffixList

FREE_MAIL = frozenset(
    [
        "gmail.com",
        "googlemail.com",
        "outlook.com",
        "hotmail.com",
        "live.com",
        "msn.com",
        "yahoo.com",
        "ymail.com",
        "icloud.com",
        "me.com",
        "mac.com",
        "aol.com",
        "proton.me",
        "protonmail.com",
        "pm.me",
        "gmx.de",
        "gmx.net",
        "gmx.com",
        "web.de",
        "t-online.de",
        "mail.ru",
        "yandex.ru",
        "yandex.com",
        "zoho.com",
        "fastmail.com",
        "hey.com",
        "tutanota.com",
        "orange.fr",
        "free.fr",
        "laposte.net",
        "wanadoo.fr",
        "libero.it",
        "qq.com",
        "163.com",
        "naver.com",
    ]
)

ONE_WAY_VIDEO = frozenset(
    ["hirevue.com", "sparkhire.com", "spark-hire.com", "willo.video", "myinterview.com", "vidcruiter.com", "modernhire.com"]
    + ["harver.com", "talview.com", "hireflix.com", "easyhire.me"]
)
"""Recorded interviews: nobody is on the other side to thank, though the employer still decides."""
SCHEDULERS = frozenset(
    [
        "greenhouse.io",
        "lever.co",
        "ashbyhq.com",
        "goodtime.io",
        "calendly.com",
        "myworkday.com",
        "workday.com",
        "icims.com",
        "smartrecruiters.com",
        "workable.com",
        "modernloop.io",
        "prelude.co",
        "gem.com",
        "yello.co",
        "paradox.ai",
        "rippling.com",
        "bamboohr.com",
        "recruitee.com",
        "teamtailor.com",
        "personio.de",
        "jobvite.com",
        "hirebridge.com",
        "jazzhr.com",
        "breezy.hr",
        "greenhouse-mail.io",
        "workablemail.com",
        "myworkdayjobs.com",
        "successfactors.com",
        "successfactors.eu",
        "taleo.net",
        "applytojob.com",
        "pinpointhq.com",
        "teamtailor-mail.com",
        "personio.com",
        "comeet.co",
        "homerun.co",
        "join.com",
        *ONE_WAY_VIDEO,
    ]
)
"""Applicant-tracking, scheduling and one-way video interview tools: they write on an employer's behalf,
never as the employer."""
STAFFING_AGENCIES = frozenset(
    [
        "roberthalf.com", "hays.com", "hays.co.uk", "hays.de", "randstad.com", "randstadusa.com", "adecco.com",
        "manpower.com", "manpowergroup.com", "michaelpage.com", "michaelpage.co.uk", "pagepersonnel.com", "kforce.com",
        "teksystems.com", "aerotek.com", "kellyservices.com", "insightglobal.com", "roberts.com", "harveynash.com",
        "experis.com", "modis.com", "akkodis.com", "allegisgroup.com", "robertwalters.com", "kornferry.com",
    ]
)  # fmt: skip
"""Staffing and recruitment agencies: their recruiter invites you to a client's interview; the client is the employer."""
MEETING_SERVICES = frozenset(["zoom.us", "zoom.com", "zoomgov.com", "webex.com", "gotomeeting.com", "teams.microsoft.com"])
"""Video-meeting and webinar services: an invitation they send is never from an employer."""

BULK_SENDERS = frozenset(
    [
        "linkedin.com",
        "indeed.com",
        "glassdoor.com",
        "ziprecruiter.com",
        "monster.com",
        "dice.com",
        "hired.com",
        "wellfound.com",
        "angel.co",
        "otta.com",
        "welcometothejungle.com",
        "stepstone.de",
        "xing.com",
        "jobteaser.com",
        "reed.co.uk",
        "totaljobs.com",
        "seek.com.au",
        "naukri.com",
        "facebookmail.com",
        "mcsv.net",
        "mcdlv.net",
        "rsgsv.net",
    ]
)
"""Job boards, social networks and newsletter services: their mail is never the employer answering."""

_RESOURCE_HOSTS = ("resource.calendar.google.com", "group.calendar.google.com", "group.v.calendar.google.com")
_ROBOT_LOCAL = re.compile(
    r"^(notifications?|calendar|scheduling|invites?|mailer-daemon|postmaster)([+._-].*)?$"
    r"|(^|[._-])(no-?reply|do-?not-?reply)([+._-]|$)"
)
_ROOM_NAME = re.compile(r"\b(room|raum|salle|sala|conf(erence)?|meeting ?room|besprechungsraum)\b", re.I)


@lru_cache(maxsize=1)
def _psl() -> PublicSuffixList:
    return PublicSuffixList()


@lru_cache(maxsize=4096)
def registrable(domain: str) -> str:
    """The organisation's domain (``eng.acme.co.uk`` → ``acme.co.uk``), from the packaged Public Suffix List."""
    domain = domain.strip().strip(".").lower()
    return _psl().privatesuffix(domain) or domain


def same_organisation(domain: str, other: str) -> bool:
    return bool(domain) and bool(other) and registrable(domain) == registrable(other)


def is_generic(domain: str) -> bool:
    """Free-mail, scheduling and meeting tools: a sender there says nothing about the employer."""
    org = registrable(domain)
    return org in FREE_MAIL or org in SCHEDULERS or org in MEETING_SERVICES or domain.endswith(_RESOURCE_HOSTS)


def is_staffing_agency(domain: str) -> bool:
    return registrable(domain) in STAFFING_AGENCIES


def is_scheduler(domain: str) -> bool:
    return registrable(domain) in SCHEDULERS


def is_bulk_sender(domain: str) -> bool:
    return registrable(domain) in BULK_SENDERS


def is_robot(address: str) -> bool:
    local, _, domain = address.partition("@")
    return bool(_ROBOT_LOCAL.search(local)) or domain.endswith(_RESOURCE_HOSTS)


_ROLE_WORDS = frozenset(
    [
        "recruiting", "recruitment", "recruiter", "recruiters", "interview", "interviews", "careers", "career", "jobs",
        "job", "talent", "acquisition", "ta", "hr", "people", "hiring", "staffing", "bewerbung", "bewerbungen", "karriere",
        "personal", "recrutement", "rh", "emploi", "empleo", "rrhh", "seleccion", "vacatures", "werving", "jobb",
        "rekrytering", "recrutamento", "vagas", "lavoraconnoi", "selezione", "rekrutacja", "praca",
    ]
)  # fmt: skip
_ROLE_QUALIFIERS = frozenset(
    [
        "team", "emea", "apac", "amer", "us", "uk", "de", "fr", "es", "nl", "it", "eu", "global", "intl", "campus",
        "university", "tech", "engineering",
    ]
)  # fmt: skip


def is_role_mailbox(address: str) -> bool:
    """A shared address (recruiting@, careers-emea@, hr@, …) or an applicant-tracking tenant (acme@myworkday.com):
    never a person to thank, though it may be the contact to write to. A free-mail address is a person's."""
    local, _, domain = address.partition("@")
    if is_scheduler(domain):
        return True
    if registrable(domain) in FREE_MAIL:
        return False
    parts = [p for p in re.split(r"[._-]", local.partition("+")[0]) if p]
    return any(p in _ROLE_WORDS for p in parts) and all(p in _ROLE_WORDS or p in _ROLE_QUALIFIERS for p in parts)


def looks_like_room(address: str, name: str) -> bool:
    return address.partition("@")[2].endswith(_RESOURCE_HOSTS) or bool(_ROOM_NAME.search(name))
