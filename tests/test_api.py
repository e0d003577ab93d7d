"""The HTTP API: answers, and a clear JSON error with the right 4xx for every kind of bad input."""

import json

import pytest

DRY_NEEDLING = "https://www.example.com/blog/who-can-benefit-from-dry-needling"


def ask(client, question):
    return client.post("/api/v1/ask", json={"question": question})


def test_article_answer_has_every_field(client, clinic):
    response = ask(client, "does dry needling hurt?")
    assert response.status_code == 200
    reply = response.get_json()
    assert reply["status"] == "answered"
    assert reply["sources"][0]["url"] == DRY_NEEDLING
    assert set(reply["sources"][0]) == {"title", "url", "snippet", "score"}
    assert reply["booking_url"] == clinic.booking_url and reply["phone"] == clinic.phone
    assert DRY_NEEDLING in reply["answer"] and clinic.booking_url in reply["answer"]
    assert "not medical advice" in reply["answer"]
    assert isinstance(reply["suggestions"], list) and reply["suggestions"]


def test_answer_quotes_one_to_three_consecutive_sentences_of_a_chunk(client, bot):
    snippet = ask(client, "does dry needling hurt?").get_json()["sources"][0]["snippet"]
    quoted = [c for c in bot.index.chunks if c.url == DRY_NEEDLING and snippet in c.text]
    assert quoted, "the snippet is not taken from the article"
    sentences = quoted[0].sentences
    runs = [" ".join(sentences[i:i + n]) for n in (1, 2, 3) for i in range(len(sentences))]
    assert snippet in runs


def test_no_answer_and_emergency_carry_contacts(client, clinic):
    none = ask(client, "What is the capital of France?").get_json()
    assert none["status"] == "no_answer" and none["sources"] == []
    assert clinic.phone in none["answer"] and clinic.booking_url in none["answer"]
    alarm = ask(client, "I have crushing chest pain").get_json()
    assert alarm["status"] == "emergency" and "911" in alarm["answer"] and alarm["sources"] == []


def test_health_reports_the_index(client, index):
    health = client.get("/api/v1/health").get_json()
    assert health["status"] == "ok"
    assert health["index"]["version"] == index.version
    assert health["index"]["counts"]["articles"] == 7


def test_openapi_describes_the_endpoints(client):
    spec = client.get("/api/v1/openapi.json").get_json()
    assert spec["openapi"].startswith("3.")
    assert {"/api/v1/ask", "/api/v1/feedback", "/api/v1/health"} <= set(spec["paths"])


BAD_REQUESTS = [
    # (description, kwargs for client.open, status, error code)
    ("missing question", dict(json={}), 400, "missing_question"),
    ("empty question", dict(json={"question": ""}), 400, "empty_question"),
    ("blank question", dict(json={"question": " \n\t "}), 400, "empty_question"),
    ("number", dict(json={"question": 42}), 400, "invalid_question"),
    ("null", dict(json={"question": None}), 400, "missing_question"),
    ("list", dict(json={"question": ["a"]}), 400, "invalid_question"),
    ("over 500 characters", dict(json={"question": "a" * 501}), 400, "question_too_long"),
    ("invalid JSON", dict(data="{not json", content_type="application/json"), 400, "invalid_json"),
    ("invalid UTF-8", dict(data=b'{"question": "\xff\xfe"}', content_type="application/json"), 400, "invalid_encoding"),
    ("JSON array", dict(json=["does it hurt?"]), 400, "invalid_body"),
    ("JSON string", dict(json="does it hurt?"), 400, "invalid_body"),
    ("form post", dict(data={"question": "hi"}), 415, "unsupported_media_type"),
    ("text/plain", dict(data="does it hurt?", content_type="text/plain"), 415, "unsupported_media_type"),
    ("no body", dict(), 415, "unsupported_media_type"),
    ("oversized body", dict(data=json.dumps({"question": "a" * 40000}), content_type="application/json"), 413, "body_too_large"),
]


@pytest.mark.parametrize("kwargs, status, code", [b[1:] for b in BAD_REQUESTS], ids=[b[0] for b in BAD_REQUESTS])
def test_bad_input_gets_a_json_error(client, kwargs, status, code):
    response = client.post("/api/v1/ask", **kwargs)
    assert response.status_code == status
    error = response.get_json()["error"]
    assert error["code"] == code and error["message"]
    assert ask(client, "does dry needling hurt?").status_code == 200  # and the service keeps answering


@pytest.mark.parametrize("method, path, status, code", [
    ("GET", "/api/v1/ask", 405, "method_not_allowed"),
    ("PUT", "/api/v1/ask", 405, "method_not_allowed"),
    ("DELETE", "/api/v1/health", 405, "method_not_allowed"),
    ("GET", "/api/v1/nothing-here", 404, "not_found"),
    ("POST", "/wp-login.php", 404, "not_found"),
])
def test_wrong_method_or_path(client, method, path, status, code):
    response = client.open(path, method=method)
    assert response.status_code == status
    assert response.get_json()["error"]["code"] == code


def test_a_question_of_exactly_500_characters_is_accepted(client):
    question = ("does dry needling hurt " * 30)[:500]
    assert ask(client, question).status_code == 200


def test_odd_but_valid_questions_are_answered(client):
    for question in ["\x00\x01 does it hurt", "🙂🙂🙂", "<img src=x onerror=alert(1)>", "'; DROP TABLE x; --",
                     "ä" * 500, "?", "\u202e reversed"]:
        response = ask(client, question)
        assert response.status_code == 200, question
        assert response.get_json()["status"] in ("answered", "no_answer", "emergency")


def test_cors_allows_only_listed_origins(index_root, tmp_path):
    from clinicbot.app import create_app
    from support import CORPUS, MODEL_CACHE

    app = create_app({"index": str(index_root), "corpus": str(CORPUS), "model_cache": MODEL_CACHE,
                      "db": str(tmp_path / "db.sqlite3"), "allowed_origins": "https://www.example.com, https://x.test"})
    client = app.test_client()
    allowed = client.options("/api/v1/ask", headers={"Origin": "https://www.example.com",
                                                     "Access-Control-Request-Method": "POST"})
    assert allowed.headers["Access-Control-Allow-Origin"] == "https://www.example.com"
    assert "Content-Type" in allowed.headers["Access-Control-Allow-Headers"]
    other = client.post("/api/v1/ask", json={"question": "hi"}, headers={"Origin": "https://evil.test"})
    assert "Access-Control-Allow-Origin" not in other.headers
    own = client.post("/api/v1/ask", json={"question": "hi"}, headers={"Origin": "http://localhost"})
    assert own.headers["Access-Control-Allow-Origin"] == "http://localhost"


def test_feedback_is_validated_and_stored(client, app):
    ok = client.post("/api/v1/feedback", json={"rating": "down", "status": "answered", "article_url": DRY_NEEDLING,
                                               "question": "does it hurt? email me at jane@example.org"})
    assert ok.status_code == 201 and ok.get_json() == {"ok": True}
    for bad, code in [({"rating": "meh"}, "invalid_rating"), ({"rating": "up", "status": "lost"}, "invalid_status"),
                      ({"rating": "up", "question": 5}, "invalid_question")]:
        response = client.post("/api/v1/feedback", json=bad)
        assert response.status_code == 400 and response.get_json()["error"]["code"] == code
    raw = open(app.config["CLINICBOT"]["db"], "rb").read()
    assert b"jane@example.org" not in raw


def test_unanswered_questions_are_recorded_redacted(client, app):
    from clinicbot.gaps import GapStore

    assert ask(client, "Do you treat horses? Call me on 203-555-0199").get_json()["status"] == "no_answer"
    settings = app.config["CLINICBOT"]
    questions = [g.question for g in GapStore(settings["db"]).unanswered()]
    assert questions == ["Do you treat horses? Call me on [phone]"]
    assert not any("555-0199" in q for q in questions)


def test_admin_report_needs_the_token(index_root, tmp_path):
    from clinicbot.app import create_app
    from support import CORPUS, MODEL_CACHE

    config = {"index": str(index_root), "corpus": str(CORPUS), "model_cache": MODEL_CACHE,
              "db": str(tmp_path / "db.sqlite3")}
    assert create_app(config).test_client().get("/api/v1/admin/report").status_code == 404
    client = create_app({**config, "admin_token": "s3cret"}).test_client()
    for q in ["do you treat horses", "can you treat my horse", "what is the capital of France"]:
        ask(client, q)
    assert client.get("/api/v1/admin/report").status_code == 401
    assert client.get("/api/v1/admin/report", headers={"Authorization": "Bearer wrong"}).status_code == 401
    report = client.get("/api/v1/admin/report", headers={"Authorization": "Bearer s3cret"}).get_json()
    assert report["groups"][0]["count"] == 2


def test_widget_and_demo_are_served(client, clinic):
    page = client.get("/")
    assert page.status_code == 200 and b"/widget.js" in page.data and clinic.name.encode() in page.data.replace(b"&amp;", b"&")
    assert client.get("/widget.js").status_code == 200
    assert client.get("/widget.css").status_code == 200
