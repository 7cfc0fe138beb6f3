"""The `reconciler` command group, its one crash boundary and its one output boundary.

Each command lives in its own module of this package and registers itself on `main`; the
package's ``__init__`` imports them all. For the whole run, stdout and stderr pass through
`RedactingStream` and log records through the redacting record factory, with the run's
secrets registered (the token and any URL credentials in the environment or the arguments):
whatever prints, nothing prints a secret.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import click

from reconciler import __version__


class _Boundary(click.Group):
    """The one crash boundary: known errors print a clear message and exit with their code.

    Usage errors exit 1, not click's 2: exit 2 means "the plan has changes"
    (``--detailed-exitcode``), and CI must never mistake a typo for that.
    """

    def main(  # type: ignore[override]
        self, args: Sequence[str] | None = None, prog_name: str | None = None, **extra: Any
    ) -> Any:
        from reconciler.secrets import (
            RedactingStream,
            install_log_redaction,
            known,
        )
        from reconciler.shopify import deadline

        extra.pop("standalone_mode", None)
        install_log_redaction()
        streams = sys.stdout, sys.stderr
        sys.stdout, sys.stderr = RedactingStream(sys.stdout), RedactingStream(sys.stderr)
        deadline.start_run(os.environ.get(deadline.ENVIRONMENT), deadline.ENVIRONMENT)
        try:
            with known(*_run_secrets(args)):
                try:
                    return super().main(args, prog_name, standalone_mode=False, **extra)
                except click.exceptions.Exit as exc:
                    sys.exit(exc.exit_code)
                except click.ClickException as exc:
                    exc.show()
                    sys.exit(1)
                except click.Abort:
                    click.echo("Aborted.", err=True)
                    sys.exit(1)
                finally:
                    sys.stdout.flush()
                    sys.stderr.flush()
        finally:
            sys.stdout, sys.stderr = streams
            deadline.end_run()

    def invoke(self, ctx: click.Context) -> object:
        from reconciler.errors import EXIT_CRASH, EXIT_INTERRUPTED, ReconcilerError
        from reconciler.secrets import redact

        try:
            return super().invoke(ctx)
        except ReconcilerError as exc:
            click.echo(f"Error: {redact(str(exc))}", err=True)
            sys.exit(exc.exit_code)
        except KeyboardInterrupt:
            click.echo("Interrupted.", err=True)
            sys.exit(EXIT_INTERRUPTED)
        except (click.exceptions.Exit, click.ClickException, click.Abort, SystemExit):
            raise
        except Exception as exc:  # noqa: BLE001 - the last line of defence
            log = _crash_log(exc)
            click.echo(
                f"Unexpected error: {type(exc).__name__}: {redact(str(exc))}\n"
                f"This is a bug in reconciler; the details are in {log}.",
                err=True,
            )
            sys.exit(EXIT_CRASH)


def _run_secrets(args: Sequence[str] | None) -> list[str]:
    """What this run must never print: the tokens (SHOPIFY_ACCESS_TOKEN and each store's
    SHOPIFY_ACCESS_TOKEN_<NAME>; a tokenEnv variable is registered when it is read), and
    credentials in any URL it was given (the store, proxies) through the environment or the
    command line."""
    from reconciler.secrets import credentials_in

    env = os.environ
    found = [value for name, value in env.items() if name.startswith("SHOPIFY_ACCESS_TOKEN")]
    for name in ("SHOPIFY_STORE", "HTTPS_PROXY", "HTTP_PROXY", "ALL_PROXY"):
        for variant in (name, name.lower()):
            found.extend(credentials_in(env.get(variant, "")))
    for arg in sys.argv[1:] if args is None else args:
        found.extend(credentials_in(str(arg)))
    return found


def _crash_log(exc: BaseException) -> Path:
    import traceback

    from reconciler.secrets import redact

    path = Path(".reconciler") / "crash.log"
    path.parent.mkdir(parents=True, exist_ok=True)
    text = "".join(traceback.format_exception(exc))
    path.write_text(f"reconciler {__version__}\n{redact(text)}", encoding="utf-8")
    return path


@click.group(cls=_Boundary, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="reconciler")
def main() -> None:
    """Inventory-as-code for Shopify: validate, plan, apply, audit."""
