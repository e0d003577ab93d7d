"""Redaction: personal-looking details are replaced before anything a patient typed is written.

Conservative by design: it is better to blank a harmless word than to keep a name. Each
rule is a regular expression and a replacement; they run in order, and the order matters:

* e-mails first, so the digits or dots in an address are not read as a phone number;
* SSNs and card numbers before phone numbers and dates, which would otherwise claim
  part of them ("123-45-6789" looks like a date, "4111 1111 1111 1111" holds a phone-like run);
* dates before the generic "6 or more digits" rule, so "1962-03-14" becomes [date], not [number];
* titles ("Mrs. Jones") before the "I'm <Name>" cues, so "I am Dr. Smith's patient" loses Smith
  and the cue rule then sees "[name]", which is not a capitalised word, and leaves it.

Names are the hard part: a regex cannot know that "Tommy" is a name and "Worried" is not.
The heuristic: a name is one or two *capitalised* words right after a cue ("my name is",
"I'm", "this is", "my son", "signed,", ...), unless the first word is in NOT_NAMES, a short
list of capitalised words that often follow those cues in ordinary questions. Lower-case
words after "I'm" are never taken ("I'm worried"), so "i'm jane" is missed: the price of
not mangling every "I'm sore". Only after "my name is" is the next word taken in any case.
"""

from __future__ import annotations

import re

# Month names, full or abbreviated; `\b` so "marching" or "decided" are not months.
MONTH = (r"(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?"
         r"|sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)\b\.?")
ORDINAL = r"(?:st|nd|rd|th)?"
# A capitalised name word: "Jane", "O'Brien", "McDonald", "Mary-Jane"; "Smith's" keeps its "'s".
NAME_WORD = r"(?:[A-Z]')?[A-Z][a-z]+(?:-?[A-Z][a-z]+)*"
TITLE = r"\b(?:Mr|Mrs|Ms|Mx|Miss|Dr|Doctor|Prof)\.?"
RELATIVE = r"(?:son|daughter|husband|wife|mom|mum|mother|dad|father|partner|friend|kid|child|grandson|granddaughter|grandma|grandpa)"
# Cues after which a capitalised word is taken for a name ("my name is" has its own rule, below).
# `(?i:...)`: the cue ignores case, the name does not.
NAME_CUE = rf"(?i:this is|i am|i'm|im|signed,?|regards,?|thanks,?|thank you,?|{RELATIVE})"
# Capitalised words that often follow a cue and are not names ("I'm Worried", "this is Really", "Thanks So much").
NOT_NAMES = frozenset("""
I Im Dr Mr Mrs Ms The A An And But Or Not No Yes So Very Really Just Still Also Here There Back Sorry
For To In On At Of With From About After Before Again Now Today Currently Always Never Only
Worried Scared Afraid Nervous Anxious Concerned Confused Unsure Sure Tired Sore Stiff Happy Sad Fine Ok Okay
Pregnant Diabetic Older Young New Old Retired Active Overweight Allergic Able Unable Ready Due Over Under Type Post
Curious Interested Having Going Trying Looking Wondering Hoping Planning Thinking Calling Asking Writing
Feeling Getting Seeing Recovering Training Running Experiencing Scheduled Booked Pretty Quite Great Good
""".split())
# Words that end a name typed after "my name is" in lower case ("my name is jane and ...").
AFTER_NAME = frozenset("and but or i im i'm my from with so here calling writing asking what how is was have had "
                       "can could do does please".split())
# Words that cannot sit between a house number and a street suffix ("2 blocks down the road").
NOT_STREET = r"(?:the|a|an|my|your|our|his|her|their|this|that|on|in|at|to|of|for|from|by|down|up|and|or|per|each|every|all)\b"
STREET_SUFFIX = r"(?i:street|st|avenue|ave|road|rd|lane|ln|drive|dr|court|ct|boulevard|blvd|way|place|pl|terrace|circle|highway|hwy)\b\.?"


def _name_after_cue(match: re.Match) -> str:
    """"I'm Jane Doe" -> "I'm [name]"; "I'm Worried" stays; "I'm Jane But" keeps "But"."""
    cue, words = match.group(1), match.group(2).split()
    if words[0] in NOT_NAMES:
        return match.group(0)
    rest = f" {words[1]}" if len(words) > 1 and words[1] in NOT_NAMES else ""
    return f"{cue} [name]{rest}"


def _name_after_my_name_is(match: re.Match) -> str:
    """After "my name is" the next word is a name in any case; a second one too unless it ends the name."""
    cue, second = match.group(1), match.group(3)
    rest = f" {second}" if second and second.lower() in AFTER_NAME else ""
    return f"{cue} [name]{rest}"


def _digits_heavy_token(match: re.Match) -> str:
    """Any token carrying 6+ digits is an ID of some kind: member "XYZ123456789", account "88-004-1123"."""
    token = match.group(0)
    return "[number]" if sum(c.isdigit() for c in token) >= 6 else token


RULES: list[tuple[re.Pattern, object]] = [
    # The look-behind lets a match start only where a run of address characters starts: without it,
    # a long "a-a-a-..." is rescanned from every position (quadratic time on hostile input).
    (re.compile(r"(?<![\w.+-])[\w.+-]+@[\w-]+(?:\.[\w-]+)+\b"), "[email]"),
    # A link keeps its scheme and host only: paths and query strings carry tokens, ids and names.
    # Trailing sentence punctuation is left outside the match so "see https://x.org/a?b=1." keeps its ".".
    (re.compile(r"\b(https?)://([^\s/?#]+)\S*?(?=[.,;:!?)]*(?:\s|$))", re.I), r"\1://\2"),
    (re.compile(r"\b\d{3}-\d{2}-\d{4}\b"), "[number]"),  # SSN
    (re.compile(r"\b\d{4}(?:[ -]\d{4}){3}\b|\b\d{4}[ -]\d{6}[ -]\d{5}\b"), "[number]"),  # cards: 4-4-4-4, Amex 4-6-5
    # US phone: optional +1, optional brackets round the area code, separators space, dot or dash.
    # The look-arounds stop it matching inside a longer run of digits.
    (re.compile(r"(?<!\w)(?:\+?1[\s.-]?)?\(?\d{3}\)?[\s.-]?\d{3}[\s.-]?\d{4}(?!\w)"), "[phone]"),
    (re.compile(r"\b\d{1,4}[/-]\d{1,2}[/-]\d{2,4}\b"), "[date]"),  # 3/14/1962, 03-14-62, 1962-03-14
    # "14 March 1962", "the 14th of March" (before the next rule, which would take "March 1962" alone)
    (re.compile(rf"\b\d{{1,2}}{ORDINAL}\s+(?:of\s+)?{MONTH}(?:,?\s+\d{{4}}\b)?", re.I), "[date]"),
    # "March 14, 1962", "Mar 14th", "March 1962"
    (re.compile(rf"\b{MONTH}\s+(?:\d{{1,2}}{ORDINAL}\b(?:,?\s+\d{{4}}\b)?|\d{{4}}\b)", re.I), "[date]"),
    # "123 Main Street", "42 north oak ave": a house number, one to three words, a street suffix.
    (re.compile(rf"\b\d{{1,5}}\s+(?:(?!{NOT_STREET})(?:[A-Za-z][A-Za-z'.-]*|\d+{ORDINAL})\s+){{1,3}}{STREET_SUFFIX}"), "[address]"),
    # Greedy runs of letters, digits and dashes, judged by a function: linear time, however long the text.
    (re.compile(r"[A-Za-z\d-]+"), _digits_heavy_token),
    (re.compile(rf"{TITLE}\s+{NAME_WORD}(?:\s+{NAME_WORD})?"), "[name]"),  # "Mrs. Jones", "Dr Ann Lee"
    (re.compile(r"\b((?i:my name is|my name's))\s+([A-Za-z][a-z'-]*)(?:\s+([A-Za-z][a-z'-]*))?"), _name_after_my_name_is),
    (re.compile(rf"\b({NAME_CUE})\s+({NAME_WORD}(?:\s+{NAME_WORD})?)"), _name_after_cue),
]


def redact(text: str) -> str:
    """Replaces e-mails, phones, dates, names, addresses, IDs and link paths with placeholders."""
    for pattern, replacement in RULES:
        text = pattern.sub(replacement, text)
    return text


def normalise_question(text: str, limit: int | None = 500) -> str:
    """Whitespace collapsed to single spaces, ends stripped, at most `limit` characters."""
    return re.sub(r"\s+", " ", text).strip()[:limit]


def redact_question(text: str, limit: int = 500) -> str:
    """What may be stored of a question: normalised, redacted, then capped.

    The cap comes last: capping first could cut an e-mail or phone number in half and
    leave a fragment no rule recognises any more.
    """
    return normalise_question(redact(normalise_question(text, limit=None)), limit)
