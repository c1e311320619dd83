"""Is this event one of the user's job interviews, and with whom? A pure function of the event."""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING

from . import domains, language, names, phones, untrusted
from .model import Attendee, Event, Person

if TYPE_CHECKING:
    from .config import Config

STRONG = [
    r"interview(s|ed|ing)?",
    r"phone[ -]?screen(ing)?",
    r"(recruiter|recruiting|technical|tech|hr|culture|initial) (screen(ing)?|call|chat)",
    r"screening (call|interview)",
    r"final round",
    r"hiring manager",
    r"on-?site (loop|visit|day)",
    r"vorstellungsgespr[aä]ch",
    r"bewerbungsgespr[aä]ch",
    r"bewerbungsinterview",
    r"kennenlerngespr[aä]ch",
    r"entretien (d'|d’)?(embauche|recrutement|de recrutement|t[ée]l[ée]phonique|rh)",
    r"entrevista( de trabajo| de emprego| laboral| t[ée]cnica)?",
    r"proceso de selecci[oó]n",
    r"processo seletivo",
    r"sollicitatie-?gesprek(ken)?",
    r"(eerste|tweede|derde|vervolg)gesprek",
    r"colloqui[oa]( di lavoro| conoscitivo| tecnico| telefonico| di selezione)?",
    r"(anst[äa]llnings|jobb|rekryterings)?intervju(n|er)?",
    r"rekryteringssamtal",
    r"rozmow(a|y|ę) (kwalifikacyjn|rekrutacyjn|o prac)\w*",
    r"informational (interview|chat|call|meeting)",
]
STRONG_CJK = re.compile(r"面接|面談|面试|面試|면접|인터뷰|インタビュー|採用選考|一次選考|二次選考|最終選考")
"""Scripts without spaces between words: these match inside a title, without word boundaries."""
WEAK = [
    r"on-?site", r"panel", r"recruiter", r"hiring", r"candidate", r"entretien", r"candidature", r"bewerbung", r"round \d",
    r"gesprek", r"sollicitatie", r"selezione", r"rekrutacja", r"ansökan", r"candidatura",
    r"coffee chat", r"(intro|introductory|exploratory) (call|chat)", r"meet the team", r"job opening", r"open (role|position)",
]  # fmt: skip
_PRACTICE = [
    r"mock",
    r"practice",
    r"interview (prep|preparation|training|coaching)",
    r"probe-?interview",
    r"[üu]bungs-?interview",
    r"simulacro",
    r"entrevista simulada",
    r"entretien blanc",
    r"(user|customer|exit|press|media|podcast|research) interviews?",
    r"debrief",
    r"interview(er)? (feedback|training|calibration|sync|kick-?off|panel prep)",
    r"hiring (committee|sync)",
    r"scorecards?",
    r"webinar", r"career (fair|day|expo)", r"job fair", r"virtual fair", r"karrieremesse", r"jobmesse", r"salon de l'emploi",
    r"feria de empleo", r"film (night|screening)", r"movie night", r"\[hold\]", r"^hold:", r"\bhold\b for",
    r"candidate:", r"kandidat:", r"candidat:", r"podcast",
]  # fmt: skip
_FOR_A_CLIENT = re.compile(
    r"\b(on behalf of|for) (our|my) client\b|\bour client\b|\bim auftrag (unseres|unserer) (kunden|mandanten)|\bnotre client\b"
    r"|\bnuestro cliente\b|\bonze (klant|opdrachtgever)\b|\bnostro cliente\b|\bvår kund\b",
    re.I,
)
_INFORMATIONAL = re.compile(r"\binformational (interview|chat|call|meeting)\b|\binfo(rmation)? ?interview\b", re.I)
MAX_PEOPLE = 12
"""Other people on an interview invitation at most: a panel is a few people; more is a meeting, and each
would get a thank-you draft."""
_NOTE = re.compile(r"^\s*(?:note|notes|notiz|remarque|nota)\s*:\s*(.+)$", re.I | re.M)
_DECISION = re.compile(r"^\s*decision(?: date)?\s*:\s*(\d{4}-\d{2}-\d{2})\s*$", re.I | re.M)
_ROLE_LINE = re.compile(r"^\s*(?:role|position|job|job title|stelle|poste|puesto)\s*:\s*(.+)$", re.I | re.M)
_ROLE_SUMMARY = re.compile(
    r"\b(?:for|für|pour|para)\s+(?:the\s+|a\s+|an\s+|die\s+|le\s+|el\s+)?(.+?)(?:\s+(?:role|position|Stelle|poste|puesto))?\s*(?:$|[|(\[–—]|\s-\s)",
    re.I,
)
_SEPARATORS = re.compile(r"\s+(?:-|–|—|\||<>|x|/|@)\s+|:\s+")
_JOB_TITLE = re.compile(
    r"(?<!\w)(engineer|developer|analyst|manager|designer|scientist|architect|consultant|specialist|lead|director|intern"
    r"|internship|associate|administrator|officer|researcher|product owner|accountant|assistant|technician|programmer"
    r"|sre|devops|head of|vp|editor|writer|counsel|nurse|teacher|ingenieur|entwickler|berater|leiter|referent"
    r"|sachbearbeiter|werkstudent|praktikum|architekt|ingénieur|développeu[rs]e?|chef de projet|analyste|responsable"
    r"|chargée?|stagiaire|directeur|directrice|ingenier[oa]|desarrollador|analista|jef[ea]|gerente|consultor|becari[oa]"
    r"|ontwikkelaar|medewerker|adviseur|stagiair|analist|sviluppatore|ingegnere|desenvolvedor|engenheir[oa]|estagiári[oa])",
    re.I,
)
_ROLE_WORD = re.compile(r"\b(role|position|stelle|poste|puesto)\b", re.I)
_GENDER_MARK = re.compile(r"\s*\((?:[mwfdhx]\s*/\s*){1,3}[mwfdhx]\s*\)|\s*\(all genders?\)", re.I)
"""`(m/w/d)`, `(h/f)`: the notice German and French job titles carry; not part of the role."""
_COORDINATING = re.compile(
    r"\b(coordinator|co-ordinator|scheduler|scheduling|talent acquisition|recruiting operations|executive assistant"
    r"|people team|koordinator(in)?|assistenz|personalabteilung|chargée? de recrutement|coordinad(or|ora))\b",
    re.I,
)


def _words(patterns: list[str]) -> re.Pattern[str]:
    return re.compile(r"(?<![\w])(" + "|".join(patterns) + r")(?![\w])", re.I)


@dataclass(frozen=True)
class Rules:
    """What the detector needs to know about the user, from the configuration."""

    me: frozenset[str] = frozenset()
    employer_domains: frozenset[str] = frozenset()
    keywords: tuple[str, ...] = ()
    exclude_keywords: tuple[str, ...] = ()
    exclude_domains: frozenset[str] = frozenset()
    region: str | None = None
    """The person's country: phone numbers without a country code are read as its numbers."""


def rules_from(config: Config) -> Rules:
    return Rules(
        me=frozenset(config.me.addresses),
        employer_domains=frozenset(config.me.employer_domains),
        keywords=tuple(config.detection.keywords),
        exclude_keywords=tuple(config.detection.exclude_keywords),
        exclude_domains=frozenset(d.lower() for d in config.detection.exclude_domains),
        region=config.workdays.country.partition("-")[0] if config.workdays.country else None,
    )


@dataclass(frozen=True)
class Verdict:
    interview: bool
    reasons: tuple[str, ...]
    employer: str | None = None
    company: str = ""
    role: str = ""
    interviewers: tuple[Person, ...] = ()
    note: str = ""
    decision_date: date | None = None
    suggestion: str = ""
    """`note:` and `decision:` lines written by someone else (in an invitation): shown, never used as such."""
    contacts: tuple[Person, ...] = ()
    """Shared mailboxes on the invitation (recruiting@, an ATS tenant): never thanked, but someone to write to."""
    informational: bool = False
    """An informational interview: a thank-you is usual, asking about a decision is not."""
    coordinators: tuple[Person, ...] = ()
    """Who arranged the interview without taking part in it."""
    language: str = ""
    doubt: str = ""
    """Why it may not be an interview after all: judged without the word, or with no employer to name."""


_STRONG_RE, _WEAK_RE, _PRACTICE_RE = _words(STRONG), _words(WEAK), _words(_PRACTICE)


def detect(event: Event, rules: Rules) -> Verdict:
    """Judge one event; every verdict carries the reasons a person can check."""
    if event.own_key:
        return _no("created by interview-followup itself")
    if event.status.upper() == "CANCELLED":
        return _no("the event is cancelled")
    mine = [a for a in event.attendees if a.email in rules.me]
    if any(a.partstat.upper() == "DECLINED" for a in mine):
        return _no("you declined it")

    summary = untrusted.line(event.summary, 500)
    description = untrusted.plain(event.description, 20_000)
    text = f"{summary}\n{description}"
    practice = _PRACTICE_RE.search(summary) or _PRACTICE_RE.search(description[:500])
    if practice:
        return _no(f"practice session, or not your interview ({practice[0]!r})")
    for word in rules.exclude_keywords:
        if word.lower() in text.lower():
            return _no(f"matches your exclude keyword {word!r}")

    people, contacts = _people(event, rules)
    if len(people) > MAX_PEOPLE:
        return _no(f"{len(people)} other people are invited: a large meeting (a webinar, a fair), not an interview")
    organizer = event.organizer
    agency = _agency(organizer, people, description)
    if agency:  # its recruiter is a contact; the client's people are the interviewers
        contacts = (*contacts, *(p for p in people if domains.same_organisation(p.domain, agency)))
        people = [p for p in people if not domains.same_organisation(p.domain, agency)]
    if organizer and organizer.domain and _is_current_employer(organizer.domain, rules):
        return _no(f"organised by your current employer ({organizer.domain})")
    employer = _employer(event, people, rules, agency)
    if employer is None and any(_is_current_employer(p.domain, rules) for p in people):
        return _no("internal event of your current employer")

    head = description[:2000]
    strong = _STRONG_RE.search(summary) or STRONG_CJK.search(summary)
    weak = _WEAK_RE.search(summary) or _STRONG_RE.search(head) or STRONG_CJK.search(head)
    scheduler = _scheduler(event, description)
    booked = _WEAK_RE.search(head) if scheduler else None
    custom = next((w for w in rules.keywords if w.lower() in text.lower()), None)
    reasons: list[str] = []
    if strong:
        reasons.append(f"interview wording {strong[0]!r}")
    elif custom:
        reasons.append(f"your keyword {custom!r}")
    elif weak and (scheduler or employer):
        reasons.append(f"hiring wording {weak[0]!r} with an outside organisation")
    elif booked:
        reasons.append(f"booked through {scheduler}, whose text speaks of hiring ({booked[0]!r})")
    elif scheduler and domains.registrable(scheduler) not in ("calendly.com",):
        reasons.append(f"sent through the applicant-tracking system {scheduler}")
    else:
        return _no("no interview wording")
    if scheduler:
        reasons.append(f"scheduled with {scheduler}")
    if agency:
        reasons.append(f"invited by the staffing agency {agency} for its client: the agency's recruiter is not thanked")
    recorded = scheduler is not None and domains.registrable(scheduler) in domains.ONE_WAY_VIDEO
    if recorded:
        reasons.append(f"a one-way video interview ({scheduler}): nobody on the other side to thank; check-ins still")
    if contacts:
        reasons.append(f"shared mailboxes are contacts, not interviewers: {', '.join(c.email for c in contacts)}")
    informational = _INFORMATIONAL.search(text)
    if informational:
        reasons.append(f"informational ({informational[0]!r}): a thank-you, but no asking about a decision")
    if employer:
        by_organizer = organizer is not None and domains.same_organisation(organizer.domain, employer)
        reasons.append(f"employer {employer} from {'the organizer' if by_organizer else 'the attendees'}")
    else:
        reasons.append("no employer domain: only free-mail or scheduler addresses")

    people = [_described(p, description, rules.region) for p in people]
    coordinators = _coordinators(event, people)
    if coordinators:
        reasons.append(f"arranged by {', '.join(c.email for c in coordinators)}, who is not on the panel: a shorter note")
    company = _company(summary, employer)
    note = _NOTE.search(description)
    decision = _DECISION.search(description)
    own = organizer is None or organizer.email in rules.me
    suggestion = "" if own else "; ".join(untrusted.line(m[0], 300) for m in (note, decision) if m)
    if suggestion:
        reasons.append("the invitation has note or decision lines: shown as a suggestion, not used in your name")
        note = decision = None
    doubt = "" if strong or custom else reasons[0]
    if not employer:
        doubt = "; ".join(filter(None, (doubt, "no employer domain, only free-mail or scheduler addresses")))
    return Verdict(
        interview=True,
        reasons=tuple(reasons),
        doubt=doubt,
        employer=employer,
        company=company,
        role=_role(summary, description, company, people),
        interviewers=() if recorded else tuple(p for p in people if p not in coordinators),
        coordinators=() if recorded else coordinators,
        note=untrusted.text(note[1], 1000) if note else "",
        decision_date=_date(decision[1]) if decision else None,
        suggestion=suggestion,
        contacts=contacts,
        informational=informational is not None,
        language=language.detect(summary, description, event.language) or "",
    )


def _no(reason: str) -> Verdict:
    return Verdict(False, (reason,))


def _people(event: Event, rules: Rules) -> tuple[list[Person], tuple[Person, ...]]:
    """Humans on the invite other than the user (rooms, resources and robots left out), and the shared
    mailboxes on it (recruiting@, careers@, an applicant-tracking tenant), which are nobody to thank."""
    seen: dict[str, Person] = {}
    shared: dict[str, Person] = {}
    candidates: list[Person] = [*event.attendees]  # an attendee's own name over the organizer's "on behalf of" one
    if event.organizer:
        candidates.append(event.organizer)
    for person in candidates:
        email = untrusted.address(person.email)
        if not email or email in rules.me or email in seen:
            continue
        name = untrusted.line(person.name, 100)
        if getattr(person, "cutype", "INDIVIDUAL").upper() in ("ROOM", "RESOURCE", "GROUP", "UNKNOWN"):
            continue
        if domains.looks_like_room(email, name) or domains.is_robot(email):
            continue
        if name.lower() == email:
            name = ""
        (shared if domains.is_role_mailbox(email) else seen)[email] = Person(email=email, name=name)
    return list(seen.values()), tuple(shared.values())[:3]


def _coordinators(event: Event, people: list[Person]) -> tuple[Person, ...]:
    """Those who arranged the interview but do not sit on it: marked non-participants, or the organizer when the
    invitation calls them a coordinator. When in doubt someone is an interviewer: thanking a coordinator for the
    conversation is a smaller slip than thanking an interviewer only for the scheduling. Someone must be left."""
    roles = {a.email: a.role.upper() for a in event.attendees if isinstance(a, Attendee)}
    found = [p for p in people if roles.get(p.email) == "NON-PARTICIPANT"]
    organizer = next((p for p in people if event.organizer and p.email == event.organizer.email), None)
    if organizer and organizer not in found and _COORDINATING.search(f"{organizer.name} {organizer.about}"):
        found.append(organizer)
    return tuple(found) if len(found) < len(people) else ()


def _described(person: Person, description: str, region: str | None) -> Person:
    """What the invitation says of someone on a line naming them: `Priya Raman (Head of Data)`, a phone number."""
    name = names.parse(person.name, person.email)
    keys = [re.escape(k) for k in (name.whole, name.given, person.email) if k]
    if not keys:
        return person
    about, phone = person.about, person.phone
    for line in description[:5000].splitlines():
        mention = re.search(rf"(?<!\w)({'|'.join(keys)})(?!\w)", line, re.I)
        if not mention:
            continue
        rest = line[mention.end() : mention.end() + 100]
        numbers = phones.find(rest, region)
        if numbers and not phone:
            phone = numbers[0].number
        for number in reversed(numbers):
            rest = rest[: number.start] + rest[number.end :]
        title = re.match(r"\s*(?:\(([^)]{2,80})\)|[,–—|-]\s+([^,;.()|\n]{2,60}))", rest)
        if title and not about:
            about = untrusted.line((title[1] or title[2]).strip(" ,;·+"), 80)
    return Person(person.email, person.name, phone=phone, about=about)


def _is_current_employer(domain: str, rules: Rules) -> bool:
    return any(domains.same_organisation(domain, own) for own in rules.employer_domains)


def _agency(organizer: Person | None, people: list[Person], description: str) -> str | None:
    """The organizer's organisation when it is a staffing agency (known, or speaking of "our client") and the
    people of another organisation attend: the interview is with that client."""
    if organizer is None or not organizer.domain or domains.is_generic(organizer.domain):
        return None
    known = domains.is_staffing_agency(organizer.domain) or _FOR_A_CLIENT.search(description[:3000])
    others = [p for p in people if p.domain and not domains.same_organisation(p.domain, organizer.domain)]
    return domains.registrable(organizer.domain) if known and others else None


def _employer(event: Event, people: list[Person], rules: Rules, agency: str | None = None) -> str | None:
    def eligible(domain: str) -> bool:
        return (
            bool(domain)
            and not domains.is_generic(domain)
            and not _is_current_employer(domain, rules)
            and domains.registrable(domain) not in rules.exclude_domains
            and not any(domains.same_organisation(domain, m.partition("@")[2]) for m in rules.me)
        )

    organizer = event.organizer
    by_agency = agency is not None and organizer is not None and domains.same_organisation(organizer.domain, agency)
    if organizer and organizer.email and organizer.email not in rules.me and eligible(organizer.domain) and not by_agency:
        return domains.registrable(organizer.domain)
    counts = Counter(domains.registrable(p.domain) for p in people if eligible(p.domain))
    return counts.most_common(1)[0][0] if counts else None


def _scheduler(event: Event, description: str) -> str | None:
    addresses = [event.organizer.email] if event.organizer else []
    addresses += [a.email for a in event.attendees]
    for email in addresses:
        domain = email.partition("@")[2]
        if domain and domains.is_scheduler(domain):
            return domains.registrable(domain)
    for host in re.findall(r"https?://([a-z0-9.-]+)", description[:5000], re.I):
        if domains.is_scheduler(host.lower()):
            return domains.registrable(host.lower())
    return None


def _company(summary: str, employer: str | None) -> str:
    label = employer.split(".")[0] if employer else ""
    for part in _SEPARATORS.split(summary):
        cleaned = _STRONG_RE.sub("", part).strip(" -–—:|()[]")
        cleaned = re.sub(r"^(with|at|bei|chez|avec|con|en)\s+", "", cleaned, flags=re.I)
        if label and cleaned.lower().replace(" ", "").startswith(label.replace("-", "")):
            return untrusted.line(cleaned, 80)
    match = re.search(r"\b(?:at|bei|chez)\s+([A-Z][\w&.' -]{1,60})", summary)
    if match:
        return untrusted.line(match[1], 80)
    return label.replace("-", " ").title() if label else ""


def _role(summary: str, description: str, company: str, people: list[Person]) -> str:
    """A `Role:` line or `… for the X role`, else the part of the title that names a job: `(Product Designer)`,
    `/ Senior Data Analyst`. A single word that names no job (`for Globex`) is not taken for one."""
    line, summary_role = _ROLE_LINE.search(description), _ROLE_SUMMARY.search(summary)
    said = [m[1] for m in (line, summary_role) if m and (m is line or _ROLE_WORD.search(m[0]) or " " in m[1].strip())]
    parts = [*re.findall(r"\(([^)]{2,80})\)", summary), *_SEPARATORS.split(re.sub(r"\([^)]*\)", " ", summary))]
    guessed = [m[1] for m in [summary_role] if m] + parts
    taken = {company.lower(), *(p.name.lower() for p in people if p.name)}
    for candidate in [*said, *guessed]:
        role = _GENDER_MARK.sub("", _STRONG_RE.sub("", candidate)).strip(" -–—:|()[]")
        role = re.sub(r"^(the|a|an|for|für|pour|para|als)\s+", "", role, flags=re.I)
        named = candidate in said or _JOB_TITLE.search(role) is not None
        if named and len(role) > 1 and role.lower() not in taken:
            return untrusted.line(role, 120)
    return ""


def _date(text: str) -> date | None:
    try:
        return date.fromisoformat(text)
    except ValueError:
        return None
