from pathlib import Path

import pytest

from clinicbot import settings
from clinicbot.cli import cli

README = (Path(__file__).resolve().parents[1] / "README.md").read_text()


def test_readme_documents_every_setting_as_in_the_table():
    assert settings.markdown_table() in README


def test_cli_help_shows_each_settings_variable():
    from click.testing import CliRunner

    help_text = CliRunner().invoke(cli, ["build", "--help"]).output
    assert "CLINICBOT_INDEX" in help_text and "CLINICBOT_CORPUS" in help_text


def test_defaults_then_file_then_environment_then_options(tmp_path):
    config = tmp_path / "clinicbot.toml"
    config.write_text('index = "/from/file"\nanswer_threshold = 0.5\nretention_days = 30\n')
    values = settings.load(config, environ={"CLINICBOT_INDEX": "/from/env", "CLINICBOT_RETENTION_DAYS": "7"})
    assert values["corpus"] == "corpus"              # default
    assert values["answer_threshold"] == 0.5         # file
    assert values["index"] == "/from/env"            # environment beats file
    assert values["retention_days"] == 7             # and is converted to the setting's type
    assert settings.load(config, environ={}, index="/from/option")["index"] == "/from/option"


def test_bad_settings_are_clear_errors(tmp_path):
    with pytest.raises(settings.SettingsError, match="CLINICBOT_RETENTION_DAYS must be a whole number"):
        settings.load(environ={"CLINICBOT_RETENTION_DAYS": "soon"})
    config = tmp_path / "c.toml"
    config.write_text("colour = 'blue'\n")
    with pytest.raises(settings.SettingsError, match="unknown settings.*colour"):
        settings.load(config, environ={})
