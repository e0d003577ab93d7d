"""Every setting in one table: the CLI help, the README and the app read it from here.

Values come from the defaults, then a TOML file (``CLINICBOT_CONFIG`` or ``--config``),
then ``CLINICBOT_<NAME>`` environment variables, then command-line options.
"""

from __future__ import annotations

import os
import tomllib
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Setting:
    name: str
    default: object
    help: str

    @property
    def env(self) -> str:
        return f"CLINICBOT_{self.name.upper()}"


SETTINGS = [
    Setting("corpus", "corpus", "Folder of articles (.html, .md, .txt) and clinic.toml."),
    Setting("index", "var/index", "Folder holding the published index versions."),
    Setting("model", "", "Folder of a local sentence-transformers model; empty means the bundled all-MiniLM-L6-v2."),
    Setting("backend", "onnx", "Encoder runtime: onnx (fast) or torch."),
    Setting("model_cache", "var/model-cache", "Where the ONNX export of the model is kept."),
    Setting("templates", "", "Folder of answer templates overriding the built-in ones."),
    Setting("answer_threshold", 0.45, "Lowest retrieval score that answers from an article; below it the bot says it has no article."),
    Setting("emergency_threshold", 0.68, "Lowest similarity to an emergency example that triggers the 911/988 reply."),
    Setting("allowed_origins", "", "Comma-separated origins allowed to call the API from a browser (CORS); the bot's own origin always is."),
    Setting("db", "var/clinicbot.sqlite3", "SQLite file for ratings and unanswered questions (redacted, no IPs)."),
    Setting("retention_days", 90, "Days to keep unanswered questions and ratings."),
    Setting("admin_token", "", "Token for /api/v1/admin/report; empty disables the endpoint."),
    Setting("reload_seconds", 2.0, "How often a running server checks for a newly published index."),
    Setting("keep_versions", 3, "How many published index versions to keep for rollback."),
]

BY_NAME = {s.name: s for s in SETTINGS}


class SettingsError(ValueError):
    pass


def _coerce(setting: Setting, value: object) -> object:
    kind = type(setting.default)
    if isinstance(value, kind):
        return value
    try:
        return kind(value)
    except (TypeError, ValueError):
        kind_name = {int: "a whole number", float: "a number"}.get(kind, "text")
        raise SettingsError(f"{setting.env} must be {kind_name}, got {value!r}") from None


def load(config_file: str | Path | None = None, environ: dict | None = None, **overrides) -> dict:
    """Defaults, then the TOML file, then the environment, then non-None overrides."""
    environ = os.environ if environ is None else environ
    values = {s.name: s.default for s in SETTINGS}
    config_file = config_file or environ.get("CLINICBOT_CONFIG")
    if config_file:
        try:
            data = tomllib.loads(Path(config_file).read_text(encoding="utf-8"))
        except (OSError, tomllib.TOMLDecodeError) as err:
            raise SettingsError(f"cannot read settings file {config_file}: {err}") from None
        unknown = set(data) - set(BY_NAME)
        if unknown:
            raise SettingsError(f"unknown settings in {config_file}: {', '.join(sorted(unknown))}")
        values.update(data)
    for s in SETTINGS:
        if s.env in environ:
            values[s.name] = environ[s.env]
    values.update({k: v for k, v in overrides.items() if v is not None})
    return {name: _coerce(BY_NAME[name], value) for name, value in values.items()}


def markdown_table() -> str:
    """The settings table as it appears in the README (a test keeps the two in step)."""
    rows = ["| Setting | Environment variable | Default | What it does |", "|---|---|---|---|"]
    for s in SETTINGS:
        rows.append(f"| `{s.name}` | `{s.env}` | `{s.default!r}` | {s.help} |")
    return "\n".join(rows)
