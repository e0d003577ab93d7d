import pytest

from clinicbot.privacy import redact

CASES = [
    ("my name is Jane Doe and my knee hurts", "my name is [name] and my knee hurts"),
    ("I'm John and my back hurts", "I'm [name] and my back hurts"),
    ("this is Maria Lopez calling about my son", "this is [name] calling about my son"),
    ("my son Tommy fell off his bike", "my son [name] fell off his bike"),
    ("Mrs. Jones sent me here", "[name] sent me here"),
    ("Dr. Smith said I need PT", "[name] said I need PT"),
    ("thanks, Bob", "thanks, [name]"),
    ("email me at jane.doe+pt@gmail.com", "email me at [email]"),
    ("call (203) 555-0142", "call [phone]"),
    ("call 203-555-0142 or 203.555.0199", "call [phone] or [phone]"),
    ("my cell is +1 203 555 0142", "my cell is [phone]"),
    ("2035550142", "[phone]"),
    ("born 3/14/1962", "born [date]"),
    ("born 03-14-62", "born [date]"),
    ("on 1962-03-14 I fell", "on [date] I fell"),
    ("on March 14, 1962 I fell", "on [date] I fell"),
    ("since 14 March 1962", "since [date]"),
    ("surgery on Mar 14th", "surgery on [date]"),
    ("I live at 123 Main Street", "I live at [address]"),
    ("SSN 123-45-6789", "SSN [number]"),
    ("member id 998877665", "member id [number]"),
    ("card 4111 1111 1111 1111", "card [number]"),
    ("see https://portal.example.org/me?id=77&token=abc", "see https://portal.example.org"),
]
UNCHANGED = [
    "Does dry needling hurt?",
    "I'm worried about my back",
    "I am 45 and my knee hurts",
    "About 400,000 surgeries a year",
    "Is a Dr. referral needed?",
    "I'm Worried About My Back",
    "how often should i do my exercises, 3 times a week?",
    "MY BACK HURTS",
    "my son has carpal tunnel",
    "Can I come in May?",
    "I may need surgery",
]


@pytest.mark.parametrize("text, expected", CASES)
def test_personal_details_are_replaced(text, expected):
    assert redact(text) == expected


@pytest.mark.parametrize("text", UNCHANGED)
def test_ordinary_questions_are_left_alone(text):
    assert redact(text) == text
