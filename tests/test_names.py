"""What a draft calls a person, for the name shapes directories really send."""

from __future__ import annotations

import pytest

from interview_followup.names import parse, salutation

SHAPES = [
    # display name, address, English greeting, German greeting, what it is
    ("Chen, Wei", "wei.chen@contoso.com", "Dear Wei,", "Guten Tag Wei Chen,", "Outlook's Last, First"),
    ("JOHN SMITH", "john@acme.com", "Dear John,", "Guten Tag John Smith,", "all capitals"),
    ("maria garcia", "maria@acme.es", "Dear Maria,", "Guten Tag Maria Garcia,", "all lower case"),
    ("WANG Wei", "wang@acme.cn", "Dear Wei,", "Guten Tag Wei Wang,", "the family name in capitals, first"),
    ("DUPONT Marie", "marie@initech.fr", "Dear Marie,", "Guten Tag Marie Dupont,", "the French directory form"),
    ("Dr. Anna Schmidt", "anna@umbrella.de", "Dear Dr. Schmidt,", "Guten Tag Dr. Anna Schmidt,", "an academic title"),
    ("Prof. Dr. Hans-Peter Müller", "hp@uni.de", "Dear Prof. Müller,", "Guten Tag Prof. Dr. Hans-Peter Müller,", "two titles"),
    ("Jan van der Berg", "jan@acme.nl", "Dear Jan,", "Guten Tag Jan van der Berg,", "a particle"),
    ("van der Berg, Jan", "jan@acme.nl", "Dear Jan,", "Guten Tag Jan van der Berg,", "a particle, Last, First"),
    ("de la Cruz, Ana", "ana@acme.mx", "Dear Ana,", "Guten Tag Ana de la Cruz,", "a Spanish particle"),
    ("Ms. Lee", "lee@acme.com", "Dear Ms. Lee,", "Guten Tag Ms. Lee,", "only a title and a family name"),
    ("Priya Raman (Contoso)", "priya@contoso.com", "Dear Priya,", "Guten Tag Priya Raman,", "the company appended"),
    ("Tom Becker - Recruiting", "tom@acme.com", "Dear Tom,", "Guten Tag Tom Becker,", "the team appended"),
    ("jane.doe@acme.com", "jane.doe@acme.com", "Dear Jane,", "Guten Tag Jane Doe,", "the address as the name"),
    ("", "jane.doe@acme.com", "Dear Jane,", "Guten Tag Jane Doe,", "no name, a first.last address"),
    ("", "jd@acme.com", "Hello,", "Guten Tag,", "no name and an address that says none"),
    ("Acme Talent Team", "jobs@acme.com", "Hello,", "Guten Tag,", "a team, not a person"),
    ("Personalabteilung Umbrella", "katrin.wolf@umbrella.de", "Dear Katrin,", "Guten Tag Katrin Wolf,", "a department's name"),
    ("王伟", "wang@acme.cn", "Dear 王伟,", "Guten Tag 王伟,", "written family name first without spaces: kept whole"),
    ("Sam", "sam@acme.com", "Dear Sam,", "Guten Tag Sam,", "one word"),
]


@pytest.mark.parametrize(("display", "address", "english", "german", "shape"), SHAPES, ids=[s[4] for s in SHAPES])
def test_each_name_shape_gets_the_greeting_a_person_would_write(
    display: str, address: str, english: str, german: str, shape: str
) -> None:
    name = parse(display, address)
    assert salutation(name, "en") == english, shape
    assert salutation(name, "de") == german, shape
    assert ",," not in salutation(name, "en")


def test_every_language_greets_without_guessing_a_gender() -> None:
    name = parse("Anna Schmidt", "anna@umbrella.de")
    greetings = {language: salutation(name, language) for language in ("en", "de", "fr", "es", "nl", "it", "pt")}
    assert greetings == {
        "en": "Dear Anna,",
        "de": "Guten Tag Anna Schmidt,",
        "fr": "Bonjour Anna Schmidt,",
        "es": "Buenos días, Anna Schmidt:",
        "nl": "Beste Anna Schmidt,",
        "it": "Gentile Anna Schmidt,",
        "pt": "Bom dia, Anna Schmidt,",
    }
    gendered = ("Herr", "Frau", "Madame", "Monsieur", "Estimad", "Caro", "Cara", "Prezad", "heer", "mevrouw")
    assert not any(word in text for text in greetings.values() for word in gendered)


def test_a_name_full_of_line_breaks_and_markup_is_one_plain_line() -> None:
    name = parse("Jane\r\nBcc: spy@evil.example {{ 7*7 }}", "jane@acme.com")
    assert "\n" not in name.whole and "\r" not in name.whole
    assert "\n" not in salutation(name, "fr")
