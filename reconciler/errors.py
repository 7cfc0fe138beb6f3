"""Every error reconciler reports on purpose, and the exit code each one means.

    ReconcilerError                  exit 1; a clear message, never a traceback
    ├── ConfigError                  bad options or environment (store, token, version)
    ├── ManifestError                manifests that do not validate; carries every Problem
    ├── PlanError                    a plan that cannot be made; carries every Problem
    ├── GuardrailError               a plan that breaks a guard-rail of reconciler.yaml
    ├── StalePlanError               a saved plan whose live values moved since it was made
    ├── ApplyFailed                  an apply that stopped with failures (partial or none)
    └── StoreError                   talking to the store failed
        ├── AuthenticationError      401/403: the token was refused (it is never echoed)
        ├── TransientStoreError      worth retrying: THROTTLED, 429, 5xx, network errors
        └── ResponseError            the store answered with errors we did not expect

Exit codes (the README documents them): 0 success / no changes, 1 error, 2 changes present
(``--detailed-exitcode``), 3 unexpected crash, 130 interrupted.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from reconciler.secrets import redact

EXIT_OK = 0
EXIT_ERROR = 1
EXIT_CHANGES = 2
EXIT_CRASH = 3
EXIT_INTERRUPTED = 130


@dataclass(frozen=True, slots=True)
class Problem:
    """One thing wrong with the input, located where a person can fix it."""

    message: str
    file: str | None = None
    line: int | None = None
    path: str | None = None
    column: int | None = None  # 1-based, where a column means something (a CSV cell)

    def __str__(self) -> str:
        where = ""
        if self.file:
            at = f":{self.line}" if self.line else ""
            at += f":{self.column}" if self.line and self.column else ""
            where = f"{self.file}{at}: "
        address = f"{self.path}: " if self.path else ""
        return f"{where}{address}{self.message}"

    def as_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {"file": self.file, "line": self.line, "path": self.path}
        if self.column is not None:
            out["column"] = self.column
        out["message"] = self.message
        return out


class ReconcilerError(Exception):
    """Base of every expected failure; its message is safe to show: any known secret in it
    is scrubbed whenever it is turned into text (reconciler/secrets.py)."""

    exit_code = EXIT_ERROR

    def __str__(self) -> str:
        return redact(super().__str__())


class ConfigError(ReconcilerError):
    pass


class _ProblemsError(ReconcilerError):
    def __init__(self, problems: list[Problem], headline: str) -> None:
        self.problems = problems
        super().__init__(headline + "\n" + "\n".join(f"  {p}" for p in problems))


class ManifestError(_ProblemsError):
    def __init__(self, problems: list[Problem]) -> None:
        count = len(problems)
        super().__init__(problems, f"{count} problem{'s' if count != 1 else ''} in the manifests:")


class PlanError(_ProblemsError):
    def __init__(self, problems: list[Problem]) -> None:
        count = len(problems)
        super().__init__(problems, f"cannot plan: {count} problem{'s' if count != 1 else ''}:")


class GuardrailError(_ProblemsError):
    """A plan that breaks guard-rails; names each rule and change, and how to override."""

    def __init__(self, problems: list[Problem], *, total: int, rules: tuple[str, ...]) -> None:
        self.total = total
        self.rules = rules
        allow = " ".join(f"--allow {rule}" for rule in rules)
        more = f"\n  ... and {total - len(problems)} more" if total > len(problems) else ""
        super().__init__(
            problems,
            f"this plan breaks {'a guard-rail' if len(rules) == 1 else 'guard-rails'} set in "
            f"the config ({total} violation{'s' if total != 1 else ''}); nothing was written:",
        )
        self.args = (
            f"{self.args[0]}{more}\nTo go ahead anyway, override "
            f"{'the rule' if len(rules) == 1 else 'each rule'} for this plan (recorded in the "
            f'plan and its history entry): {allow} --justification "why"',
        )


class StalePlanError(ReconcilerError):
    pass


class ApplyFailed(ReconcilerError):
    pass


class StoreError(ReconcilerError):
    pass


class AuthenticationError(StoreError):
    pass


class TransientStoreError(StoreError):
    """Retrying later may succeed (throttling, 429/5xx, lost connections)."""

    def __init__(self, message: str, retry_after: float | None = None) -> None:
        super().__init__(message)
        self.retry_after = retry_after


class ResponseError(StoreError):
    def __init__(self, message: str, errors: list[dict[str, Any]] | None = None) -> None:
        super().__init__(message)
        self.errors = errors or []
