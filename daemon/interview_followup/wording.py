"""What machine-written mail says, in the languages our users' employers write in.

English, German, French, Spanish, Dutch, Portuguese, Italian and Swedish (plus Polish where a
vendor's default text is common). Standards and headers decide first (see ``replies``); these
phrases are the fallback for mail that carries no such header. The patterns searched over a
message's text carry anchors (see ``anchors``): text holding none of them is not searched.
"""

from __future__ import annotations

import re

from .anchors import alternation
from .anchors import phrases as anchored


def phrases(*patterns: str) -> re.Pattern[str]:
    """For subjects: short enough that an anchor scan would not pay."""
    return alternation(patterns)


BOUNCE_SUBJECT = phrases(
    r"^undeliver(able|ed)",
    r"delivery status notification",
    r"mail delivery (failed|failure|problem|subsystem)",
    r"returned mail",
    r"^failure notice",
    r"^delivery failure",
    r"delivery (has )?failed",
    r"(could|can)( ?not|n't) be delivered",
    r"^mail error",
    r"^(non remis|non distribuable|échec de (la )?remise)",
    r"unzustellbar|nicht zustellbar|zustellung fehlgeschlagen|fehlgeschlagene zustellung",
    r"^no se puede entregar|^no entregad|^error de entrega",
    r"^onbestelbaar|kan niet worden bezorgd",
    r"^não (é |foi )?possível entregar|^não entregue|^falha (na|de) entrega",
    r"^non recapitabile|^mancata consegna",
    r"^kan(,| )?inte levereras|^ej levererat|^olevererbart",
)
BOUNCE_BODY = anchored(
    r"(could|can)( ?not|n't) be delivered",
    r"(was|were) not delivered",
    r"undeliverable",
    r"delivery (to the following recipients? )?(has )?failed",
    r"permanent(ly)? (error|fatal|failure)",
    r"(user|mailbox|recipient|address) (unknown|not found|unavailable|does not exist|is full)",
    r"no such (user|mailbox|recipient)",
    r"not a valid (user|recipient|address)",
    r"nicht zugestellt werden",
    r"n'a pas pu être (remis|distribué)",
    anchors=(
        "deliver", "permanent", "unknown", "not found", "unavailable", "does not exist", "is full", "no such",
        "not a valid", "zugestellt", "pas pu",
    ),
)  # fmt: skip
DELAY = phrases(
    r"\bdelay(ed)?\b",
    r"still being retried",
    r"will (continue to )?(re)?try",
    r"has not (yet )?been delivered",
    r"(could|can)( ?not|n't) send (the |this )?message for (the )?past",
    r"\bwarning: message",
    r"verzögert|retardé|retrasad|vertraagd|atrasad|ritardat|fördröjd",
)
RECEIPT_SUBJECT = phrases(
    r"^(read|gelesen|lu|le[ií]do|gelezen|lido|letto|läst)\s?:",
    r"^(delivered|zugestellt|remis|entregado|bezorgd|entregue|recapitato|levererat)\s?:",
    r"read receipt|return receipt|lesebestätigung|accusé de (lecture|réception)|confirmaci[oó]n de lectura",
    r"leesbevestiging|confirmação de leitura|conferma di lettura|läskvitto",
)
CALENDAR_SUBJECT = phrases(
    r"^(accepted|declined|tentative|tentatively accepted|canceled|cancelled|new time proposed|invitation"
    r"|updated invitation( with note)?|invitation with note|updated event)\s?:",
    r"^(angenommen|abgelehnt|mit vorbehalt angenommen|vorläufig angenommen|abgesagt|einladung|aktualisierte einladung)\s?:",
    r"^(accepté|refusé|provisoire|provisoirement accepté|annulé|annulation|invitation mise à jour)\s?:",
    r"^(aceptad[oa]|rechazad[oa]|provisional|aceptado provisionalmente|cancelad[oa]|invitación( actualizada)?)\s?:",
    r"^(geaccepteerd|geweigerd|afgewezen|voorlopig( geaccepteerd)?|geannuleerd|uitnodiging( bijgewerkt)?)\s?:",
    r"^(aceit[oe]|recusad[oa]|provisório|aceito provisoriamente|convite( atualizado)?)\s?:",
    r"^(accettato|rifiutato|provvisorio|accettato con riserva|annullato|invito( aggiornato)?)\s?:",
    r"^(accepterat|accepterad|avböjt|avböjd|preliminärt( accepterat)?|inställt|inställd|inbjudan)\s?:",
)
AUTO_SUBJECT = anchored(
    r"automatic reply|auto[- ]?reply|auto[- ]?response|autorespon|automated response|\(automatic response\)",
    r"^auto:",
    r"out of (the )?office|\booo\b",
    r"\bon (vacation|holiday|leave)\b|away from (my|the) (desk|office)|vacation (reply|notice|message)",
    r"abwesenheit|automatische antwort|nicht im büro|außer haus",
    r"r[ée]ponse automatique|absen(t|te|ce) du bureau|message d'absence|\babsence\b",
    r"respuesta autom[aá]tica|fuera de (la )?oficina|mensaje de ausencia|\bausente\b",
    r"automatisch antwoord|afwezig(heid)?|niet op kantoor|niet aanwezig",
    r"resposta autom[aá]tica|fora do escritório|ausente do escritório|mensagem de ausência",
    r"risposta automatica|fuori (sede|ufficio)|\bassente\b|messaggio di assenza",
    r"automatiskt svar|autosvar|frånvaro(meddelande)?|frånvarande|inte på kontoret",
    r"automatyczna odpowied",
    anchors=(
        "auto", "office", "ooo", "vacation", "holiday", "leave", "away", "abwesen", "büro", "haus", "absen", "oficina",
        "ausen", "afwezig", "kantoor", "aanwezig", "escrit", "fuori", "assen", "frånvar", "kontoret",
    ),
)  # fmt: skip
_AWAY_ANCHORS = ("office", "away", "leave", "vacation", "holiday")
_AWAY = (
    r"(out of (the )?office|away from (the|my) (office|desk)|away"
    r"|on (annual |parental |maternity |paternity |sick )?leave|on (vacation|holiday))"
)
AUTO_BODY = anchored(
    rf"\b(i am|i'm) (currently|presently) {_AWAY}",
    rf"\b(i am|i'm|i will be|i'll be) {_AWAY},? (until|till|through|from \S+ (to|until)|between|returning"
    r"|and will (be back|return)|with (limited|no) access)\b",
    r"\bthis is an? (automatic|automated|auto-generated|automatically generated) (reply|response|message|e-?mail|notification)",
    r"\b(with|have) (limited|no|restricted) access to (my )?(e-?mail|mail)",
    r"\byour (ticket|request|case) (number |#)?.{0,20}(has been|was) (received|created|logged)",
    r"\bich bin (derzeit |zurzeit |momentan |bis .{1,30})?(nicht im büro|abwesend|im urlaub|außer haus|nicht erreichbar)",
    r"\b(dies ist|diese nachricht ist) eine automatisch",
    r"\bje suis (actuellement )?(absente?|en congés?|en vacances|en déplacement)\b",
    r"\bje serai (absente?|de retour|en congés?)\b|\bceci est une? (réponse|message) automatique",
    r"\b(estoy|estaré) (actualmente )?(fuera de la oficina|fuera|de vacaciones|ausente|de viaje)\b",
    r"\b(esta|este) es una? (respuesta|mensaje) automátic",
    r"\bik ben (momenteel |tot .{1,30})?(afwezig|niet op kantoor|met vakantie|op vakantie|niet bereikbaar)\b",
    r"\bdit is een automatisch (antwoord|bericht|gegenereerd)",
    r"\b(estou|estarei) (atualmente )?(fora do escritório|ausente|de férias|fora)\b",
    r"\b(esta|este) é uma? (resposta|mensagem) automática",
    r"\b(sono|sarò) (attualmente )?(fuori (sede|ufficio)|assente|in ferie)\b",
    r"\bquesta è una risposta automatica|\bmessaggio (generato )?automatic",
    r"\bjag är (för närvarande |just nu )?(ledig|bortrest|på semester|frånvarande|inte på kontoret|tjänstledig)\b",
    r"\bdetta är ett automatiskt (svar|meddelande|genererat)",
    anchors=(
        *_AWAY_ANCHORS, "auto", "access to", "your ticket", "your request", "your case", "ich bin", "je suis", "je serai",
        "estoy", "estar", "ik ben", "estou", "sono", "sarò", "jag är",
    ),
)  # fmt: skip
CHALLENGE = anchored(
    r"to ensure (the )?delivery of your (e-?mail|message)",
    r"(added|add you) to .{0,40}(allowed|approved|safe|white) ?(senders?)? ?list",
    r"verify (that )?you are (a )?(human|real person)",
    anchors=("delivery of your", "list", "verify"),
)
JOB_PROCESS = anchored(
    r"\b(application|applied|candida(cy|te|ture)|position|vacancy|opening|interview|role|offer|hiring)\b",
    r"\b(bewerbung|stelle|vorstellungsgespräch|kandidat)",
    r"\b(candidature|poste|entretien|recrutement)\b",
    r"\b(candidatura|solicitud|puesto|vacante|entrevista|oferta)\b",
    r"\b(sollicitatie|vacature|functie|gesprek)\b",
    r"\b(vaga|cargo|processo seletivo)\b",
    r"\b(colloquio|posizione|selezione)\b",
    r"\b(ansökan|tjänsten|intervju|rekrytering)\b",
    anchors=(
        "appli", "candida", "position", "vacancy", "opening", "interview", "role", "offer", "hiring", "bewerbung", "stell",
        "kandidat", "poste", "entretien", "recrutement", "solicitud", "puesto", "vacante", "entrevista", "oferta",
        "sollicitatie", "vacature", "functie", "gesprek", "vaga", "cargo", "seletivo", "colloquio", "posizione",
        "selezione", "ansökan", "tjänsten", "intervju", "rekrytering",
    ),
)  # fmt: skip
REJECTION = anchored(
    r"\bdecided to (move forward|proceed|continue|go ahead) with (other|another)|not (be )?(moving|move|going) forward",
    r"\b(regret to inform|unfortunately|we will not be|not been selected|unsuccessful)\b",
    r"\bleider\b|\babsage\b",
    r"\bmalheureusement\b|ne pas donner suite",
    r"\b(lamentablemente|desafortunadamente)\b",
    r"\bhelaas\b",
    r"\binfelizmente\b",
    r"\bpurtroppo\b",
    r"\btyvärr\b",
    anchors=(
        "decided to", "forward", "regret to inform", "unfortunately", "we will not be", "not been selected", "unsuccessful",
        "leider", "absage", "malheureusement", "donner suite", "lamentablemente", "desafortunadamente", "helaas",
        "infelizmente", "purtroppo", "tyvärr",
    ),
)  # fmt: skip
OFFER = anchored(
    r"\b(your |an |the )?offer( letter)?\b.{0,40}\b(ready|attached|extend|pleased|happy)|\bpleased to offer|congratulations",
    r"\b(like|love|want|happy|delighted|glad) to offer you\b|\boffer you the (position|role|job)\b",
    r"\bangebot\b|\bzusage\b",
    r"\boffre\b",
    r"\boferta\b",
    r"\baanbod\b",
    r"\bproposta\b",
    r"\bofferta\b",
    r"\berbjudande\b",
    anchors=(
        "offer", "congratulations", "angebot", "zusage", "offre", "oferta", "aanbod", "proposta", "erbjudande",
    ),
)  # fmt: skip
FURTHER = anchored(
    r"\bnext (step|steps|round|stage)\b|\bfinal (round|interview|stage)\b|\bonsite\b",
    r"\b(move|moving) you (forward|to|on)\b|\b(like|love|want) to (invite|move|proceed|continue|schedule|set up|offer)\b",
    r"\bcontinue (to|with) the\b|\bschedule (your|a|the) (next|final|second|follow-up)",
    r"nächste(n)? (runde|schritt)|\beinladen\b|weiter(e|en)? gespräch",
    r"prochaine étape|dernier entretien|\bpoursuivre\b",
    r"siguiente (fase|etapa|paso|ronda)|\bavanzar\b",
    r"volgende (ronde|stap|gesprek)|\buitnodigen\b",
    r"próxima (etapa|fase)|\bconvidar\b",
    r"prossim(a|o) (fase|passo|colloquio)|\binvitarl[ae]\b|\binvitarti\b",
    r"nästa steg|bjuda in",
    anchors=(
        "next ", "final ", "onsite", "move you", "moving you", "like to", "love to", "want to", "continue", "schedule",
        "nächste", "einladen", "gespräch", "prochaine étape", "dernier entretien", "poursuivre", "siguiente ", "avanzar",
        "volgende ", "uitnodigen", "próxima ", "convidar", "prossim", "invitar", "nästa steg", "bjuda in",
    ),
)  # fmt: skip
ANSWER = anchored(
    *REJECTION.patterns, *OFFER.patterns, *FURTHER.patterns, anchors=(*REJECTION.anchors, *OFFER.anchors, *FURTHER.anchors)
)
"""What an employer says about the candidacy itself: a decision, an offer, a further step."""
NOTICE = anchored(
    r"\bsurvey\b|\bquestionnaire\b|(your|candidate|interview) experience\b",
    r"\breminder\b|\bupcoming interview\b|\bneed to reschedule\b",
    r"\b(we have|we've) received your application\b|\bthank you for (applying|your application)\b|received your application",
    r"\btalent (community|network|pool)\b|\bjob alert|\bnew (roles|positions|jobs)\b|\bopen (roles|positions)\b",
    r"\bthis (mailbox|inbox|address) is (monitored|not monitored)\b|\b(we )?aim to (respond|reply)\b|\bdo not reply to this\b",
    r"\bumfrage\b|\berinnerung\b|bewerbung (ist )?eingegangen|eingangsbestätigung|(wir haben )?ihre bewerbung erhalten",
    r"\benquête\b|\brappel\b|(nous avons )?bien reçu votre candidature|accusé de réception",
    r"\bencuesta\b|\brecordatorio\b|hemos recibido (tu|su) (candidatura|solicitud)",
    r"\bherinnering\b|(we hebben )?je sollicitatie ontvangen",
    r"\bpesquisa\b|\blembrete\b|recebemos (a )?sua candidatura",
    r"\bsondaggio\b|\bpromemoria\b|abbiamo ricevuto la (tua|sua) candidatura",
    r"\benkät\b|\bpåminnelse\b|vi har tagit emot din ansökan",
    anchors=(
        "survey", "questionnaire", "experience", "reminder", "upcoming interview", "need to reschedule",
        "received your application", "thank you for ", "talent ", "job alert", "new roles", "new positions", "new jobs",
        "open roles", "open positions", "monitored", "aim to", "do not reply to this", "umfrage", "erinnerung",
        "eingegangen", "eingangsbestätigung", "bewerbung erhalten", "enquête", "rappel", "bien reçu votre candidature",
        "accusé de réception", "encuesta", "recordatorio", "hemos recibido", "herinnering", "je sollicitatie ontvangen",
        "pesquisa", "lembrete", "recebemos", "sondaggio", "promemoria", "abbiamo ricevuto", "enkät", "påminnelse",
        "tagit emot",
    ),
)  # fmt: skip
"""What automated recruiting mail says when it is not an answer: a survey, a reminder, a receipt."""
REPLY_PREFIX = re.compile(r"^\s*((re|aw|sv|r|rv|res|antw|wg|fw|fwd|tr|vs)\s?:\s*)+", re.I)
ADVERTISEMENT = re.compile(r"^\s*adv\s?:", re.I)
"""The subject label some laws require on unsolicited advertising."""
QUOTE_START = re.compile(
    r"^\s*(>"
    r"|-{2,}\s*(original message|ursprüngliche nachricht|message d'origine|mensaje original|oorspronkelijk bericht"
    r"|mensagem original|messaggio originale|ursprungligt meddelande|forwarded message|weitergeleitete nachricht)"
    r"|_{10,}"
    r"|(from|von|de|van|da|från)\s*:.*\n\s*(sent|gesendet|envoyé|enviado|verzonden|inviato|skickat|date|datum)\s*:"
    r"|(on|am|le|el|op|em|il|den|på)\b[^\n]{0,200}(\n[^\n]{0,200})?"
    r"(wrote|schrieb|a écrit|escribió|schreef|escreveu|ha scritto|skrev)\s*:)",
    re.I | re.M,
)


def fresh(body: str) -> str:
    """The new text of a message: what comes before the quoted mail it answers."""
    found = QUOTE_START.search(body)
    return body[: found.start()] if found else body
