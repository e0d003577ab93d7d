"""Redaction: personal-looking details are replaced before anything a patient typed is written.

Conservative by design: it is better to blank a harmless word than to keep a name. Each
rule is a regular expression and a placeholder; they run in order (e-mails before phone
numbers, so the digits in an address are not taken for a phone number).
"""

from __future__ import annotations

import re

MONTH = r"(?:jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec)[a-z]*\.?"
# Capitalised words that commonly follow "I'm" / "this is" and are not names.
NOT_NAMES = frozenset("""I Im Dr Mr Mrs Ms The A An Not So Very Really Just Still Also Here Back Sorry
Worried Scared Afraid Confused Tired Sore Happy Sad Pregnant Diabetic Older Young New Old Curious
Having Going Trying Looking Wondering Calling Asking Writing Feeling Getting Interested""".split())

RULES: list[tuple[re.Pattern, str]] = [
    (re.compile(r"\b[\w.+-]+@[\w-]+(?:\.[\w-]+)+\b"), "[email]"),
    (re.compile(r"\bhttps?://([^\s/?#]+)[^\s]*", re.I), r"https://\1"),  # keep only scheme + host
    (re.compile(r"\b\d{3}-\d{2}-\d{4}\b"), "[number]"),  # SSN
    (re.compile(r"(?<!\w)(?:\+?1[\s.-]?)?\(?\d{3}\)?[\s.-]?\d{3}[\s.-]?\d{4}(?!\w)"), "[phone]"),
    (re.compile(r"\b\d{1,4}[/-]\d{1,2}[/-]\d{2,4}\b"), "[date]"),
    (re.compile(rf"\b{MONTH}\s+\d{{1,2}}(?:st|nd|rd|th)?(?:,?\s+\d{{4}})?\b", re.I), "[date]"),
    (re.compile(rf"\b\d{{1,2}}(?:st|nd|rd|th)?\s+(?:of\s+)?{MONTH}(?:,?\s+\d{{4}})?\b", re.I), "[date]"),
    (re.compile(r"\b\d{1,5}\s+(?:[A-Z][a-z]+\s+){1,3}(?:Street|St|Avenue|Ave|Road|Rd|Lane|Ln|Drive|Dr|Court|Ct|Boulevard|Blvd|Way|Place|Pl)\b\.?"), "[address]"),
    (re.compile(r"\b\d{6,}\b|\b(?:\d[ -]?){12,19}\b"), "[number]"),  # IDs, card numbers
    (re.compile(r"\b(?:Mr|Mrs|Ms|Miss|Dr)\.?\s+[A-Z][a-z]+(?:\s+[A-Z][a-z]+)?"), "[name]"),
    # A capitalised word or two after a cue ("my name is", "I'm", "my son"); the cue ignores case, the name does not.
    (re.compile(r"\b((?i:my name is|name's|this is|i am|i'm|im|signed,?|regards,?|thanks,?|my (?:son|daughter|husband|wife|mom|mother|dad|father|partner|friend|kid|child|grandson|granddaughter)))\s+([A-Z][a-z]+(?:\s+[A-Z][a-z]+)?)"), None),
]


def _name_after_cue(match: re.Match) -> str:
    cue, name = match.group(1), match.group(2)
    if name.split()[0] in NOT_NAMES:
        return match.group(0)
    return f"{cue} [name]"


def redact(text: str) -> str:
    for pattern, placeholder in RULES:
        text = pattern.sub(placeholder if placeholder is not None else _name_after_cue, text)
    return text


def normalise_question(text: str, limit: int = 500) -> str:
    return re.sub(r"\s+", " ", text).strip()[:limit]
