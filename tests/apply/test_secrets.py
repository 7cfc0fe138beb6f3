"""No secret appears in output, plans, journals, history, logs, crash logs or errors.

Secrets are scrubbed by value (reconciler/secrets.py): tokens of any shape, in any encoding,
and the credentials of a URL; stores that echo them back or redirect elsewhere are covered.
"""

from __future__ import annotations

import json
import logging
import urllib.parse
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from reconciler.cli import main
from reconciler.secrets import Secret, redact
from tests.apply.conftest import MANIFEST
from tests.conftest import Store
from tests.shopify.hostile import Seen, graphql_answer, serve

TOKEN = "shpat_" + "7f3a" * 8  # shaped like a real Admin API token; valid only in the sandbox
SHAPELESS = ["plain-token-nothing-like-shopify", "tok/en+with=spe&cial%chars;x"]


def _everything_written(root: Path) -> str:
    return "\n".join(p.read_text(errors="replace") for p in root.rglob("*") if p.is_file())


def _forms(secret: str) -> list[str]:
    return [
        secret,
        urllib.parse.quote(secret, safe=""),
        urllib.parse.quote_plus(secret),
        json.dumps(secret)[1:-1],
    ]


@pytest.fixture
def manifests(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "inventory.yaml").write_text(MANIFEST)
    return tmp_path


def _plan_against(url: str, token: str) -> Result:
    env = {"SHOPIFY_STORE": url, "SHOPIFY_ACCESS_TOKEN": token}
    return CliRunner().invoke(main, ["plan", "inventory.yaml"], env=env)


def _assert_nowhere(secret: str, *texts: str) -> None:
    for text in texts:
        for form in _forms(secret):
            assert form not in text, f"{form!r} leaked"


@pytest.mark.parametrize(
    ("version", "token"),
    [("2025-01", TOKEN), ("2026-10", TOKEN), *(("2026-10", t) for t in SHAPELESS)],
)
def test_a_full_run_never_writes_the_token(
    store: Store, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, version: str, token: str
) -> None:
    """A token of any shape: scrubbed by value, in every encoding, from output and files."""
    monkeypatch.chdir(tmp_path)
    store.control("POST", "tokens", {"token": token})
    env = {
        "SHOPIFY_STORE": store.url,
        "SHOPIFY_ACCESS_TOKEN": token,
        "SHOPIFY_API_VERSION": version,
    }
    (tmp_path / "inventory.yaml").write_text(MANIFEST)
    runner = CliRunner()
    outputs = []
    for args in (
        ["plan", "inventory.yaml", "--out", "plan.json"],
        ["plan", "inventory.yaml", "--format", "json"],
        ["plan", "inventory.yaml", "--format", "markdown"],
        ["apply", "plan.json", "--format", "json"],
        ["history", "--format", "json"],
        ["history", "verify"],
    ):
        result = runner.invoke(main, args, env=env)
        outputs.append(result.output)
        assert result.exit_code == 0, result.output
    _assert_nowhere(token, *outputs, _everything_written(tmp_path))
    assert json.loads((tmp_path / "plan.json").read_text())["plan_id"]


def test_a_refused_token_is_not_echoed(
    store: Store, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "inventory.yaml").write_text(MANIFEST)
    env = {"SHOPIFY_STORE": store.url, "SHOPIFY_ACCESS_TOKEN": TOKEN}
    result = CliRunner().invoke(main, ["plan", "inventory.yaml"], env=env)
    assert result.exit_code == 1
    assert "the access token was refused" in result.output
    assert TOKEN not in result.output
    assert TOKEN not in _everything_written(tmp_path)


def test_secret_and_redact() -> None:
    secret = Secret("my-private-token-123")
    assert "my-private" not in repr(secret) and "my-private" not in str(secret)
    assert (
        redact("failed with my-private-token-123 in it", secret) == "failed with [REDACTED] in it"
    )
    assert redact(f"header {TOKEN}") == "header [REDACTED]"
    with pytest.raises(TypeError):
        import pickle

        pickle.dumps(secret)


@pytest.mark.parametrize("how", ["environment", "flag", "no scheme"])
def test_a_store_url_with_credentials_is_refused_without_repeating_them(
    store: Store, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, how: str
) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "inventory.yaml").write_text(MANIFEST)
    password = "hunter2-p@ss/word"
    userinfo = "admin:" + urllib.parse.quote(password, safe="")
    url = store.url.replace("http://", f"http://{userinfo}@")
    env = {"SHOPIFY_ACCESS_TOKEN": store.token, "SHOPIFY_STORE": url}
    args = ["plan", "inventory.yaml", "--out", "plan.json"]
    if how == "flag":
        env["SHOPIFY_STORE"], args = store.url, [*args, "--store", url]
    elif how == "no scheme":
        env["SHOPIFY_STORE"] = f"{userinfo}@my-shop.myshopify.com"
    result = CliRunner().invoke(main, args, env=env)
    assert result.exit_code == 1
    assert "carries credentials" in result.output and "***@" in result.output
    _assert_nowhere(password, result.output, _everything_written(tmp_path))
    assert "admin:" not in result.output
    assert not (tmp_path / "plan.json").exists()
    assert store.control("GET", "stats")["requests"] == 0  # refused before any request


def test_a_token_echoed_back_by_the_store_is_not_printed(manifests: Path) -> None:
    """Was printed when it did not look like shpat_…: redaction matched a shape."""
    token = SHAPELESS[0]

    def echo(seen: Seen) -> tuple[int, dict[str, str], bytes]:
        sent = seen.headers["X-Shopify-Access-Token"]
        return graphql_answer({"echo": sent}, version=sent, **{"X-Echo": sent})

    with serve(echo) as hostile:
        result = _plan_against(hostile.url, token)
    assert result.exit_code == 1
    assert "unexpected X-Shopify-API-Version header" in result.output
    _assert_nowhere(token, result.output, _everything_written(manifests))


@pytest.mark.parametrize("status", [301, 302, 307, 308])
def test_a_redirect_to_another_host_gets_no_token_and_is_an_error_naming_it(
    manifests: Path, status: int
) -> None:
    """Was followed: the token went to the other host, even over plain http."""
    with serve(lambda seen: graphql_answer({})) as elsewhere:
        target = elsewhere.url.replace("127.0.0.1", "localhost") + "/admin/api/2026-10/graphql.json"
        with serve(lambda seen: (status, {"Location": target}, b"")) as store:
            result = _plan_against(store.url, TOKEN)
    assert result.exit_code == 1
    assert f"a redirect to {target}" in result.output
    assert "never follows redirects" in result.output
    assert elsewhere.seen == []
    _assert_nowhere(TOKEN, result.output)


def test_debug_logs_and_crash_logs_are_scrubbed(
    manifests: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    token = SHAPELESS[1]
    log_file = manifests / "debug.log"
    handler = logging.FileHandler(log_file)
    root = logging.getLogger()
    root.addHandler(handler)
    previous = root.level
    root.setLevel(logging.DEBUG)
    try:
        with serve(lambda seen: graphql_answer({"echo": token}, version=token)) as hostile:
            result = _plan_against(hostile.url, token)
    finally:
        root.removeHandler(handler)
        root.setLevel(previous)
        handler.close()
    assert result.exit_code == 1
    assert "<<<" in log_file.read_text()  # gql logged the answer that echoed the token
    _assert_nowhere(token, log_file.read_text(), result.output)

    def crash(*args: object, **kwargs: object) -> None:
        raise RuntimeError(f"unexpected, with {token} in it")

    monkeypatch.setattr("reconciler.commands.plan", crash)
    crashed = _plan_against("http://127.0.0.1:9", token)
    assert crashed.exit_code == 3
    crash_log = (manifests / ".reconciler" / "crash.log").read_text()
    assert "RuntimeError: unexpected, with [REDACTED] in it" in crash_log
    _assert_nowhere(token, crashed.output, crash_log)
