"""The `dbguard` console script: a click group whose commands live one per module.

Errors are handled in exactly one place, `main`: a DbguardError or a click
usage error becomes one line `dbguard: error: …` and exit 2; anything else is a
bug and keeps its traceback. Command modules must import heavy libraries
(Great Expectations, pandas, SQLAlchemy, rich, matplotlib) inside their
functions, so that `dbguard health --quick` stays fast.
"""

from __future__ import annotations

import sys

import click

from dbguard import __version__
from dbguard.cli import backup as backup_commands
from dbguard.cli import baseline, check, demo, health, lint, replica, replicate, report, schedule
from dbguard.errors import DbguardError, ExitCode


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
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


cli.add_command(demo.demo)
cli.add_command(backup_commands.backup)
cli.add_command(check.check)
cli.add_command(baseline.baseline)
cli.add_command(lint.lint)
cli.add_command(schedule.schedule)
cli.add_command(health.health)
cli.add_command(report.report)
cli.add_command(replicate.replicate)
cli.add_command(replica.replica)


# Options of the `dbguard` group itself, which people also try after the subcommand.
GLOBAL_OPTIONS = {"--config": "--config FILE", "--traceback": "--traceback"}


def main(argv: list[str] | None = None) -> int:
    """Run the CLI; return (and exit with) a code from ExitCode or, for health, NagiosCode."""
    args = sys.argv[1:] if argv is None else argv
    wants_traceback = "--traceback" in args
    try:
        result = cli.main(args=args, prog_name="dbguard", standalone_mode=False)
    except click.exceptions.Abort:
        click.echo("dbguard: aborted", err=True)
        code = int(ExitCode.FAILED)
    except click.exceptions.Exit as done:
        code = done.exit_code
    except click.UsageError as error:
        code = _usage_error(error, args)
    except click.ClickException as error:
        click.echo(f"dbguard: error: {error.format_message()}", err=True)
        code = int(ExitCode.USAGE)
    except DbguardError as error:
        if wants_traceback:
            raise
        click.echo(f"dbguard: error: {error.one_line()}", err=True)
        code = _error_code(args)
    except OSError as error:
        # A file or folder the command needed (an unwritable reports folder, a full disk):
        # the user's to fix, so one line, not a traceback.
        if wants_traceback:
            raise
        where = f": {error.filename}" if error.filename else ""
        message = f"{error.strerror or error}{where}"
        hint = "check that the path exists and is writable, or rerun with --traceback"
        click.echo(f"dbguard: error: {' '.join(message.split())} ({hint})", err=True)
        code = _error_code(args)
    except Exception as error:
        # A bug. The user still gets one line; --traceback shows where it happened.
        if wants_traceback:
            raise
        from dbguard.redact import mask_secrets

        text = mask_secrets(f"internal error: {type(error).__name__}: {error}")
        message = " ".join(text.split())
        hint = "rerun with --traceback and report it"
        click.echo(f"dbguard: error: {message} ({hint})", err=True)
        code = _error_code(args)
    else:
        code = int(result or 0)
    if argv is None:
        sys.exit(code)
    return code


def _usage_error(error: click.UsageError, args: list[str]) -> int:
    command = error.ctx.command_path if error.ctx else "dbguard"
    hint = f"see '{command} --help'"
    misplaced = next((name for name in GLOBAL_OPTIONS if name in error.format_message()), None)
    if misplaced and command != "dbguard":
        usage = GLOBAL_OPTIONS[misplaced]
        hint = f"{misplaced} goes before the command: dbguard {usage} {command.removeprefix('dbguard ')}"
    click.echo(f"dbguard: error: {error.format_message()} ({hint})", err=True)
    return _error_code(args)


def _error_code(args: list[str]) -> int:
    """Input errors exit 2, except under `health`, where Nagios wants 3 (UNKNOWN)."""
    from dbguard.errors import NagiosCode

    command = next((arg for arg in args if arg in cli.commands), None)
    return int(NagiosCode.UNKNOWN if command == "health" else ExitCode.USAGE)
