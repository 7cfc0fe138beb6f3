"""The `reconciler` command group and its one crash boundary.

Each command lives in its own module of this package and registers itself on `main`; the
package's ``__init__`` imports them all.
"""

from __future__ import annotations

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
        extra.pop("standalone_mode", None)
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

    def invoke(self, ctx: click.Context) -> object:
        from reconciler.errors import EXIT_CRASH, EXIT_INTERRUPTED, ReconcilerError
        from reconciler.shopify.secrets import redact

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


def _crash_log(exc: BaseException) -> Path:
    import traceback

    from reconciler.shopify.secrets import redact

    path = Path(".reconciler") / "crash.log"
    path.parent.mkdir(parents=True, exist_ok=True)
    text = "".join(traceback.format_exception(exc))
    path.write_text(f"reconciler {__version__}\n{redact(text)}", encoding="utf-8")
    return path


@click.group(cls=_Boundary, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="reconciler")
def main() -> None:
    """Inventory-as-code for Shopify: validate, plan, apply, audit."""
