"""`clinicbot` commands: a thin shell over the modules; every setting documented in settings.py."""

from __future__ import annotations

import json
from pathlib import Path

import click

from . import publish
from . import settings as settings_module
from .build import CorpusError
from .clinic import ClinicError

HELP = {s.name: f"{s.help} [env {s.env}; default {s.default!r}]" for s in settings_module.SETTINGS}
config_option = click.option("--config", type=click.Path(dir_okay=False), help="TOML settings file [env CLINICBOT_CONFIG].")
index_option = click.option("--index", help=HELP["index"])
corpus_option = click.option("--corpus", help=HELP["corpus"])


def load_settings(**options) -> dict:
    try:
        return settings_module.load(options.pop("config", None), **options)
    except settings_module.SettingsError as err:
        raise click.ClickException(str(err)) from None


def bot_or_exit(settings: dict, mode: str = "hybrid"):
    """The Bot, or a one-line error that names the fix."""
    from .bot import NoIndex, open_bot
    from .index import IndexLoadError

    try:
        return open_bot(settings, mode)
    except (NoIndex, IndexLoadError, ClinicError) as err:
        raise click.ClickException(str(err)) from None


@click.group(help="Answers patients' questions from a clinic's own articles.")
@click.version_option(package_name="clinicbot")
def cli():
    pass


@cli.command(help="Build the index from the corpus, check it, and publish it (the running bot picks it up).")
@corpus_option
@index_option
@config_option
@click.option("--force", is_flag=True, help="Publish even if a labelled question that passed before now fails.")
def build(corpus, index, config, force):
    from .release import GateFailed, release

    settings = load_settings(config=config, corpus=corpus, index=index)
    try:
        done = release(settings, force, progress=lambda line: click.echo(f"  {line}"))
    except GateFailed as err:
        for line in err.changed:
            click.echo(f"  answer changed: {line}")
        for line in err.regressions:
            click.echo(f"  now fails: {line}", err=True)
        raise click.ClickException(str(err)) from None
    except (CorpusError, ClinicError, publish.PublishError) as err:
        raise click.ClickException(str(err)) from None
    for line in done.changed:
        click.echo(f"  answer changed: {line}")
    for line in done.forced:
        click.echo(f"  published although it now fails (--force): {line}")
    for name, reason in done.report.skipped:
        click.echo(f"  skipped {name}: {reason}")
    click.echo(f"checked {done.questions} labelled questions: {done.passed} pass")
    click.echo(f"published {done.folder.name}: {done.report.summary()}")


@cli.command(help="Serve the API, the widget and the demo page (gunicorn).")
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8000, show_default=True, type=int)
@click.option("--workers", default=1, show_default=True, type=click.IntRange(1, 64), help="Worker processes.")
@index_option
@corpus_option
@config_option
def serve(host, port, workers, index, corpus, config):
    import os

    from gunicorn.app.base import BaseApplication

    settings = load_settings(config=config, index=index, corpus=corpus)
    if publish.current(settings["index"]) is None:
        raise click.ClickException(f"no index at {settings['index']}: run `clinicbot build` first (or `make run`)")
    # Workers build the app from the environment, so pass the command-line choices through it.
    for name in ("index", "corpus"):
        os.environ[settings_module.BY_NAME[name].env] = str(settings[name])
    if config:
        os.environ["CLINICBOT_CONFIG"] = config

    class Server(BaseApplication):
        def load_config(self):
            for key, value in {"bind": f"{host}:{port}", "workers": workers, "worker_class": "gthread",
                               "threads": 4, "timeout": 60, "keepalive": 5, "accesslog": None}.items():
                self.cfg.set(key, value)

        def load(self):
            from .app import create_app

            return create_app()

    click.echo(f"serving on http://{host}:{port} with {workers} worker(s); Ctrl+C stops")
    Server().run()


@cli.command(help="Ask one question, as a patient would.")
@click.argument("question")
@click.option("--json", "as_json", is_flag=True, help="Print the full reply as JSON.")
@index_option
@corpus_option
@config_option
def ask(question, as_json, index, corpus, config):
    reply = bot_or_exit(load_settings(config=config, index=index, corpus=corpus)).ask(question)
    if as_json:
        click.echo(json.dumps(reply.as_dict(), indent=2, ensure_ascii=False))
    else:
        click.echo(f"[{reply.status}]\n{reply.answer}")


@cli.command("eval", help="Score labelled question files (JSON lines) and list every miss.")
@click.argument("files", nargs=-1, required=True, type=click.Path(exists=True, dir_okay=False))
@click.option("--json", "as_json", is_flag=True, help="Print metrics and misses as JSON.")
@click.option("--sweep", is_flag=True, help="Show how each answer threshold from 0.20 to 0.70 would do instead.")
@click.option("--mode", type=click.Choice(["hybrid", "dense", "bm25"]), default="hybrid", show_default=True,
              help="Retrieval to score: the product's hybrid, or a baseline.")
@index_option
@corpus_option
@config_option
def eval_(files, as_json, sweep, mode, index, corpus, config):
    from .evaluate import QuestionFileError, evaluate, load_questions, sweep as sweep_thresholds

    try:
        questions = [q for f in files for q in load_questions(Path(f))]
    except QuestionFileError as err:
        raise click.ClickException(str(err)) from None
    bot = bot_or_exit(load_settings(config=config, index=index, corpus=corpus), mode)
    if sweep:
        rows = sweep_thresholds(bot, questions, [round(0.2 + 0.025 * i, 3) for i in range(21)])
        click.echo(json.dumps(rows, indent=2) if as_json else "\n".join(
            f"{r['threshold']:.3f}: {r['correct']}/{r['of']} right, {r['answered_off_topic']} off-topic answered, "
            f"{r['refused_answerable']} answerable refused" for r in rows))
        return
    report = evaluate(bot, questions)
    misses = [{"q": o.label["q"], "problems": o.problems, "status": o.reply.status, "answer": o.reply.answer}
              for o in report.misses]
    if as_json:
        click.echo(json.dumps({"mode": mode, **report.metrics, "misses": misses}, indent=2))
        return
    for key, value in report.metrics.items():
        click.echo(f"{key:>20}: {value}")
    for miss in misses:
        click.echo(f"MISS {miss['q']!r}: {'; '.join(miss['problems'])}")


@cli.command(help="Serve the previous published index again.")
@index_option
@config_option
def rollback(index, config):
    settings = load_settings(config=config, index=index)
    try:
        folder = publish.rollback(settings["index"])
    except publish.PublishError as err:
        raise click.ClickException(str(err)) from None
    click.echo(f"now serving {folder.name}; running servers switch within {settings['reload_seconds']:g} s")


@cli.command(help="Fetch new and changed posts into the corpus: SOURCE is the website (its sitemap.xml) or a file of page URLs, one a line.")
@click.argument("source")
@corpus_option
@config_option
@click.option("--delay", default=1.0, show_default=True, help="Seconds between requests to the site.")
def crawl(source, corpus, config, delay):
    from .crawl import CrawlError, crawl as fetch, read_url_list

    settings = load_settings(config=config, corpus=corpus)
    listing = Path(source).is_file()
    try:
        sources = read_url_list(Path(source)) if listing else [source]
        result = fetch(sources, Path(settings["corpus"]), delay=delay, site=not listing,
                       progress=lambda line: click.echo(f"  {line}"))
    except (CrawlError, OSError) as err:
        raise click.ClickException(str(err)) from None
    click.echo(result.summary())
    if result.added or result.changed:
        click.echo("run `clinicbot build` to publish them")


@cli.command(help="What patients asked that no article answers, grouped by meaning.")
@click.option("--top", default=10, show_default=True)
@click.option("--json", "as_json", is_flag=True)
@config_option
def report(top, as_json, config):
    from .embed import get_embedder
    from .gaps import GapStore, report as group, report_as_dict

    settings = load_settings(config=config)
    questions = [g.question for g in GapStore(Path(settings["db"]), settings["retention_days"]).unanswered()]
    if not questions:
        click.echo("no unanswered questions recorded yet")
        return
    embedder = get_embedder(settings["model"], settings["backend"], settings["model_cache"])
    groups = group(questions, embedder.embed, top=top)
    if as_json:
        click.echo(json.dumps(report_as_dict(groups), indent=2))
        return
    for g in groups:
        click.echo(f"{g.count:>4} × {g.example}")


@cli.command(help="List every setting with its environment variable and default.")
def settings():
    click.echo(settings_module.markdown_table())
