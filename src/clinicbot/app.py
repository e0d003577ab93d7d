"""The Flask app: a thin shell over Bot. Every error is JSON `{"error": {"code", "message"}}`."""

from __future__ import annotations

import hmac
import json
import logging
import time
from pathlib import Path

import jinja2
from flask import Flask, g, jsonify, request, send_from_directory
from werkzeug.exceptions import HTTPException

from . import settings as settings_module
from .bot import MAX_QUESTION_CHARS, open_bot
from .gaps import GapStore, report, report_as_dict
from .live import LiveBot
from .openapi import SPEC

WEB_DIR = Path(__file__).resolve().parents[2] / "web"
MAX_BODY_BYTES = 16 * 1024
STATUSES = ("answered", "no_answer", "emergency")


class ApiError(Exception):
    def __init__(self, status: int, code: str, message: str):
        super().__init__(message)
        self.status, self.code, self.message = status, code, message


def error_response(status: int, code: str, message: str):
    return jsonify(error={"code": code, "message": message}), status


def create_app(test_config: dict | None = None) -> Flask:
    app = Flask(__name__)
    app.config["MAX_CONTENT_LENGTH"] = MAX_BODY_BYTES
    app.json.sort_keys = False
    settings = settings_module.load()
    settings.update(test_config or {})
    app.config["CLINICBOT"] = settings
    live = LiveBot(open_bot(settings), settings["index"], settings["reload_seconds"])
    store = GapStore(Path(settings["db"]), settings["retention_days"])
    allowed_origins = {o.strip().rstrip("/") for o in settings["allowed_origins"].split(",") if o.strip()}
    pages = jinja2.Environment(loader=jinja2.FileSystemLoader(str(WEB_DIR)), autoescape=True)
    logging.basicConfig(level=logging.INFO)

    @app.errorhandler(ApiError)
    def api_error(err: ApiError):
        return error_response(err.status, err.code, err.message)

    @app.errorhandler(HTTPException)
    def http_error(err: HTTPException):
        code = {404: "not_found", 405: "method_not_allowed", 413: "body_too_large"}.get(err.code, "bad_request")
        messages = {404: f"no such endpoint: {request.path}; see /api/v1/openapi.json",
                    405: f"{request.method} is not allowed on {request.path}",
                    413: f"request body over {MAX_BODY_BYTES} bytes"}
        return error_response(err.code or 400, code, messages.get(err.code, err.description))

    @app.errorhandler(Exception)
    def unexpected(err: Exception):
        app.logger.exception("unexpected error")
        return error_response(500, "internal_error", "something went wrong on our side; please call the clinic")

    @app.before_request
    def start_timer():
        g.started = time.perf_counter()

    @app.after_request
    def server_timing(response):
        """Time spent inside the app, for developers and `make bench` (Server-Timing header)."""
        if "started" in g:
            response.headers["Server-Timing"] = f"app;dur={(time.perf_counter() - g.started) * 1000:.2f}"
        return response

    @app.after_request
    def cors(response):
        origin = request.headers.get("Origin", "").rstrip("/")
        own = request.host_url.rstrip("/")
        if request.path.startswith("/api/") and origin and (origin in allowed_origins or origin == own):
            response.headers["Access-Control-Allow-Origin"] = origin
            response.headers["Access-Control-Allow-Methods"] = "GET, POST, OPTIONS"
            response.headers["Access-Control-Allow-Headers"] = "Content-Type"
            response.headers["Access-Control-Max-Age"] = "600"
        response.vary.add("Origin")
        return response

    @app.post("/api/v1/ask")
    def ask():
        body = json_body()
        question = body.get("question")
        if question is None:
            raise ApiError(400, "missing_question", 'send {"question": "..."}')
        if not isinstance(question, str):
            raise ApiError(400, "invalid_question", '"question" must be a string')
        if not question.strip():
            raise ApiError(400, "empty_question", "the question is empty")
        if len(question) > MAX_QUESTION_CHARS:
            raise ApiError(400, "question_too_long", f"questions are limited to {MAX_QUESTION_CHARS} characters")
        reply = live.get().ask(question)
        if reply.status == "no_answer":
            store.record_unanswered(question)
        return jsonify(reply.as_dict())

    @app.post("/api/v1/feedback")
    def feedback():
        body = json_body()
        rating, status, url, question = (body.get(k) for k in ("rating", "status", "article_url", "question"))
        if rating not in ("up", "down"):
            raise ApiError(400, "invalid_rating", '"rating" must be "up" or "down"')
        if status is not None and status not in STATUSES:
            raise ApiError(400, "invalid_status", f'"status" must be one of {", ".join(STATUSES)}')
        for name, value in (("article_url", url), ("question", question)):
            if value is not None and (not isinstance(value, str) or len(value) > MAX_QUESTION_CHARS):
                raise ApiError(400, f"invalid_{name}", f'"{name}" must be a string of at most {MAX_QUESTION_CHARS} characters')
        store.record_feedback(rating, status or "", url or None, question or None)
        return jsonify(ok=True), 201

    @app.get("/api/v1/health")
    def health():
        manifest = live.get().index.manifest
        return jsonify(status="ok", index={k: manifest.get(k) for k in ("version", "built_at", "counts", "model", "corpus_hash")},
                       backend=settings["backend"])

    @app.get("/api/v1/openapi.json")
    def openapi():
        return jsonify(SPEC)

    @app.get("/api/v1/admin/report")
    def admin_report():
        token = settings["admin_token"]
        if not token:
            raise ApiError(404, "not_found", "the report endpoint is off: set CLINICBOT_ADMIN_TOKEN to turn it on")
        given = request.headers.get("Authorization", "").removeprefix("Bearer ").strip()
        if not hmac.compare_digest(given.encode(), token.encode()):
            raise ApiError(401, "unauthorized", "send the admin token as 'Authorization: Bearer <token>'")
        gaps = [g.question for g in store.unanswered()]
        return jsonify(report_as_dict(report(gaps, live.get().embedder.embed)))

    @app.get("/")
    def demo():
        return pages.get_template("demo.html").render(bot_origin=request.host_url.rstrip("/"),
                                                      clinic=live.get().clinic.as_dict())

    @app.get("/<any('widget.js', 'widget.css', 'demo.css'):name>")
    def web_file(name: str):
        return send_from_directory(WEB_DIR, name, max_age=300)

    return app


def json_body() -> dict:
    if not request.is_json:
        raise ApiError(415, "unsupported_media_type", "send the body as JSON with Content-Type: application/json")
    raw = request.get_data(cache=False)
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        raise ApiError(400, "invalid_encoding", "the body is not valid UTF-8") from None
    try:
        body = json.loads(text)
    except json.JSONDecodeError as err:
        raise ApiError(400, "invalid_json", f"the body is not valid JSON: {err.msg} at character {err.pos}") from None
    if not isinstance(body, dict):
        raise ApiError(400, "invalid_body", "the body must be a JSON object")
    return body
