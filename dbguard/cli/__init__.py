"""The `dbguard` console script: a click group whose commands live one per module.

Errors are handled in exactly one place, `main`: a DbguardError or a click
usage error becomes one line `dbguard: error: …` and exit 2; anything else is a
bug and keeps its traceback. Command modules must import heavy libraries
(Great Expectations, pandas, SQLAlchemy, rich) inside their
functions, so that `dbguard health --quick` stays fast.
"""

from __future__ import annotations

import importlib
import sys

import click

from dbguard import __version__
from dbguard.errors import DbguardError, ExitCode, NagiosCode

# Each command's module is imported when that command runs (or `--help` lists them all):
# `dbguard health --quick`, every five minutes, loads none of the others.
COMMANDS = {
    "alert": "dbguard.cli.alert:alert",
    "backup": "dbguard.cli.backup:backup",
    "baseline": "dbguard.cli.baseline:baseline",
    "check": "dbguard.cli.check:check",
    "demo": "dbguard.cli.demo:demo",
    "health": "dbguard.cli.health:health",
    "incident": "dbguard.cli.incident:incident",
    "init": "dbguard.cli.init:init",
    "lint": "dbguard.cli.lint:lint",
    "replica": "dbguard.cli.replica:replica",
    "replicate": "dbguard.cli.replicate:replicate",
    "report": "dbguard.cli.report:report",
    "schedule": "dbguard.cli.schedule:schedule",
    "serve": "dbguard.cli.serve:serve",
    "suggest": "dbguard.cli.suggest:suggest",
}


class LazyGroup(click.Group):
    """A click group whose subcommands are named in COMMANDS and imported on first use."""

    def list_commands(self, context: click.Context) -> list[str]:
        return sorted(COMMANDS)

    def get_command(self, context: click.Context, name: str) -> click.Command | None:
        target = COMMANDS.get(name)
        if target is None:
            return None
        module, _, attribute = target.partition(":")
        command: click.Command = getattr(importlib.import_module(module), attribute)
        return command


@click.group(cls=LazyGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="dbguard")
@click.option(
    "--config",
    "config_path",
    type=click.Path(dir_okay=False),
    default=None,
    help="dbguard.toml to read (default: $DBGUARD_CONFIG, then ./dbguard.toml).",
)
@click.option("--traceback", is_flag=True, help="Show the full traceback of an error.")
@click.pass_context
def cli(context: click.Context, config_path: str | None, traceback: bool) -> None:
    """Trustworthy backups and data-quality checks for a live SQLite database."""
    context.ensure_object(dict)
    context.obj["config_path"] = config_path
    context.obj["traceback"] = traceback


# Commands that exit with Nagios's codes (0 OK, 1 WARNING, 2 CRITICAL, 3 UNKNOWN), so an error
# is UNKNOWN (3) there, never 2 (which a monitor reads as CRITICAL). `health` also prints
# Nagios's status line.
NAGIOS_COMMANDS = ("health", "replica")

# Options of the `dbguard` group itself, which people also try after the subcommand.
GLOBAL_OPTIONS = {"--config": "--config FILE", "--traceback": "--traceback"}


def main(argv: list[str] | None = None) -> int:
    """Run the CLI; return (and exit with) a code from ExitCode or, for health, NagiosCode."""
    args = sys.argv[1:] if argv is None else argv
    try:
        result = cli.main(args=args, prog_name="dbguard", standalone_mode=False)
        code = int(result or 0)
    except click.exceptions.Exit as done:
        code = done.exit_code
    except Exception as error:
        if "--traceback" in args and not isinstance(
            error, click.ClickException | click.exceptions.Abort
        ):
            raise
        code = _report_error(error, args)
    if argv is None:
        sys.exit(code)
    return code


def _report_error(error: Exception, args: list[str]) -> int:
    """The one place an error becomes a line on stderr and an exit code: UNKNOWN (3) for the
    NAGIOS_COMMANDS (for `health`, also Nagios's status line on stdout, where Nagios reads it)."""
    message, code = _describe(error, args)
    click.echo(f"dbguard: error: {' '.join(message.split())}", err=True)
    command = _command(args)
    if command == "health":
        from dbguard.health.nagios import status_line

        click.echo(status_line(NagiosCode.UNKNOWN, message))
    if command in NAGIOS_COMMANDS:
        return int(NagiosCode.UNKNOWN)
    return code


def _describe(error: Exception, args: list[str]) -> tuple[str, int]:
    if isinstance(error, click.exceptions.Abort):
        return "aborted", int(ExitCode.FAILED)
    if isinstance(error, click.UsageError):
        return f"{error.format_message()} ({_usage_hint(error)})", int(ExitCode.USAGE)
    if isinstance(error, click.ClickException):
        return error.format_message(), int(ExitCode.USAGE)
    if isinstance(error, DbguardError):
        return error.one_line(), int(error.exit_code)
    if isinstance(error, OSError):
        # A file or folder the command needed (an unwritable reports folder, a full disk):
        # the user's to fix, so one line, not a traceback.
        where = f": {error.filename}" if error.filename else ""
        hint = "check that the path exists and is writable, or rerun with --traceback"
        return f"{error.strerror or error}{where} ({hint})", int(ExitCode.USAGE)
    # A bug. The user still gets one line; --traceback shows where it happened.
    from dbguard.redact import mask_secrets

    text = mask_secrets(f"internal error: {type(error).__name__}: {error}")
    return f"{text} (rerun with --traceback and report it)", int(ExitCode.USAGE)


def _usage_hint(error: click.UsageError) -> str:
    command = error.ctx.command_path if error.ctx else "dbguard"
    misplaced = next((name for name in GLOBAL_OPTIONS if name in error.format_message()), None)
    if misplaced and command != "dbguard":
        usage = GLOBAL_OPTIONS[misplaced]
        return f"{misplaced} goes before the command: dbguard {usage} {command.removeprefix('dbguard ')}"
    return f"see '{command} --help'"


def _command(args: list[str]) -> str | None:
    return next((arg for arg in args if arg in COMMANDS), None)
