"""`dbguard serve [--host 127.0.0.1] [--port 8765]`: the monitor endpoints under /tools/monitor."""

from __future__ import annotations

import click

from dbguard.cli.options import command_config


@click.command(name="serve")
@click.option("--host", default=None, help="Address to listen on (overrides [serve] host).")
@click.option(
    "--port",
    type=click.IntRange(1, 65535),
    default=None,
    help="Port to listen on (overrides [serve] port).",
)
@click.pass_context
def serve(context: click.Context, host: str | None, port: int | None) -> int:
    """Serve /tools/monitor/health/quick, /health/database, /performance/metrics,
    /status/overview and /report until stopped (Ctrl-C or SIGTERM)."""
    from dbguard.web.server import is_loopback, prepare_server

    config = command_config(context, serve__host=host, serve__port=port)
    server = prepare_server(config)
    token = "bearer token required" if config.serve.token else "no token"
    click.echo(f"serving {server.url} ({token}); stop with Ctrl-C", err=True)
    if config.source is not None:
        click.echo(
            f"reading {config.source} again whenever it changes ([serve] host and port: restart)",
            err=True,
        )
    if not is_loopback(config.serve.host) and not config.serve.token:
        click.echo(
            "dbguard: warning: listening beyond this machine without a token: set [serve] token"
            " or $DBGUARD_SERVE_TOKEN",
            err=True,
        )
    watcher = None
    if config.watch.enabled and config.database.is_spark:
        click.echo(
            "not watching: on Spark every health and check run starts a JVM and reads the"
            " lake; schedule `dbguard check` instead (dbguard schedule)",
            err=True,
        )
    elif config.watch.enabled:
        from dbguard.cli.warm_check import warm_check
        from dbguard.watch.loop import Watcher

        watcher = Watcher(config, check_job=warm_check)
        watcher.start()  # the forkserver first: before uvicorn starts its threads
        watch = config.watch
        click.echo(
            f"watching: quick health every {watch.health_interval}, the check every"
            f" {watch.rules_interval} when the data changed, the full check on"
            f" {watch.full_check!r} ([watch] enabled = false: endpoints only)",
            err=True,
        )
    if config.database.is_spark:  # the JVM starts now, not in the first request's time limit
        from dbguard.spark.session import spark_session

        click.echo(f"starting Spark ({config.database.spark.master})", err=True)
        spark_session(config.database.spark)
    try:
        server.run()
    finally:
        if watcher is not None:
            watcher.stop()
    return 0
