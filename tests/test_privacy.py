import pytest

from clinicbot.privacy import normalise_question, redact, redact_question

REDACTED = [
    # names after a cue, after a title, or after a relative
    ("my name is Jane Doe and my knee hurts", "my name is [name] and my knee hurts"),
    ("my name is jane doe", "my name is [name]"),
    ("my name is jane and my knee hurts", "my name is [name] and my knee hurts"),
    ("I'm John and my back hurts", "I'm [name] and my back hurts"),
    ("Hi, I'm Sarah O'Brien", "Hi, I'm [name]"),
    ("this is Maria Lopez calling about my son", "this is [name] calling about my son"),
    ("I am Dr. Smith's patient", "I am [name]'s patient"),
    ("my son Tommy fell off his bike", "my son [name] fell off his bike"),
    ("my 7 year old daughter Emma has flat feet", "my 7 year old daughter [name] has flat feet"),
    ("Mrs. Jones sent me here", "[name] sent me here"),
    ("Dr. Smith said I need PT", "[name] said I need PT"),
    ("thanks, Bob", "thanks, [name]"),
    ("signed, Bob", "signed, [name]"),
    # e-mails and phones
    ("email me at jane.doe+pt@gmail.com", "email me at [email]"),
    ("call (203) 555-0142", "call [phone]"),
    ("call 203-555-0142 or 203.555.0199", "call [phone] or [phone]"),
    ("my cell is +1 203 555 0142", "my cell is [phone]"),
    ("2035550142", "[phone]"),
    # dates
    ("born 3/14/1962", "born [date]"),
    ("born 03-14-62", "born [date]"),
    ("on 1962-03-14 I fell", "on [date] I fell"),
    ("on March 14, 1962 I fell", "on [date] I fell"),
    ("since 14 March 1962", "since [date]"),
    ("surgery on Mar 14th", "surgery on [date]"),
    ("surgery on the 14th of march", "surgery on the [date]"),
    ("born in March 1962", "born in [date]"),
    # addresses
    ("I live at 123 Main Street", "I live at [address]"),
    ("I live at 42 north oak ave.", "I live at [address]"),
    # IDs: SSN, member IDs, card numbers
    ("SSN 123-45-6789", "SSN [number]"),
    ("member id 998877665", "member id [number]"),
    ("my Aetna ID is W123456789", "my Aetna ID is [number]"),
    ("card 4111 1111 1111 1111", "card [number]"),
    ("card 4111-1111-1111-1111 exp soon", "card [number] exp soon"),
    # links keep their scheme and host only
    ("see https://portal.example.org/me?id=77&token=abc", "see https://portal.example.org"),
    ("see http://example.org/p?u=jane.", "see http://example.org."),
]

UNCHANGED = [
    "Does dry needling hurt?",
    "I'm worried about my back",
    "I'm Worried About My Back",
    "I am 45 and my knee hurts",
    "I'm 72, is it too late for PT?",
    "About 400,000 surgeries a year",
    "Is Dr. appointment needed",
    "Is a Dr. referral needed?",
    "how often should i do my exercises, 3 times a week?",
    "MY BACK HURTS",
    "my son has carpal tunnel",
    "Can I come in May?",
    "I may need surgery",
    "I decided 3 weeks ago to stop running",
    "I was marching 5 miles a day",
    "I walk 2 blocks down the road",
    "10 reps each way",
    "Thanks So much!",
    "This is Really painful",
    "I had COVID-19 last year",
    "Is 1 session per week enough?",
    "Since 2019 my shoulder clicks",
    "I read https://www.example.com about it",
]


@pytest.mark.parametrize("text, expected", REDACTED)
def test_personal_details_are_replaced(text, expected):
    assert redact(text) == expected


@pytest.mark.parametrize("text", UNCHANGED)
def test_ordinary_questions_are_left_alone(text):
    assert redact(text) == text


def test_normalise_question_collapses_whitespace_and_caps_length():
    assert normalise_question("  does\n\tit   hurt?  ") == "does it hurt?"
    assert len(normalise_question("x" * 600)) == 500


def test_the_cap_comes_after_redaction():
    # capped first, the address would be cut to "jane.doe@exam", which no rule recognises
    text = "a" * 480 + " jane.doe@example.org"
    stored = redact_question(text)
    assert "jane" not in stored and len(stored) <= 500
