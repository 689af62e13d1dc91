"""`{{ cookiecutter.package_name }} serve`: uvicorn takes its proxy trust from the settings only."""

import pytest
import uvicorn

from {{ cookiecutter.package_name }} import __main__ as command_line
from {{ cookiecutter.package_name }}.core.config import Settings

SECRET = "unit-test-secret-9f2Kq7Lm3Xw8Rt5Zb1Nc6Vd4"


def served_config(
    monkeypatch: pytest.MonkeyPatch, settings: Settings, *argv: str
) -> uvicorn.Config:
    """The uvicorn Config `serve` runs, built from its arguments as uvicorn.run builds it."""
    configs: list[uvicorn.Config] = []
    monkeypatch.setattr(command_line, "settings_or_exit", lambda: settings)
    monkeypatch.setattr(
        uvicorn, "run", lambda app, **options: configs.append(uvicorn.Config(app, **options))
    )

    assert command_line.main(["serve", *argv]) == 0
    [config] = configs
    return config


@pytest.mark.parametrize("environment_value", ["127.0.0.1", "*"])
def test_serve_trusts_no_proxy_when_the_setting_is_empty(
    monkeypatch: pytest.MonkeyPatch, environment_value: str
):
    """An empty FORWARDED_ALLOW_IPS setting means no X-Forwarded-For is believed, whatever
    uvicorn would read from the environment on its own."""
    monkeypatch.setenv("FORWARDED_ALLOW_IPS", environment_value)
    settings = Settings(secret_key=SECRET, forwarded_allow_ips=[], _env_file=None)

    config = served_config(monkeypatch, settings)

    assert config.proxy_headers is False
    assert config.forwarded_allow_ips == ""


def test_serve_trusts_exactly_the_configured_proxies(monkeypatch: pytest.MonkeyPatch):
    """The proxies listed in the settings are the only peers believed, not the environment's."""
    monkeypatch.setenv("FORWARDED_ALLOW_IPS", "*")
    settings = Settings(
        secret_key=SECRET, forwarded_allow_ips=["10.0.0.5", "10.0.0.6"], _env_file=None
    )

    config = served_config(monkeypatch, settings)

    assert config.proxy_headers is True
    assert config.forwarded_allow_ips == "10.0.0.5,10.0.0.6"


def test_serve_takes_its_defaults_from_settings_and_its_options_over_them(
    monkeypatch: pytest.MonkeyPatch,
):
    """HOST, PORT and WORKERS are the defaults; --host, --port and --workers win over them;
    SHUTDOWN_TIMEOUT bounds the wait for requests in flight after SIGTERM."""
    settings = Settings(
        secret_key=SECRET,
        host="0.0.0.0",  # noqa: S104
        port=9000,
        workers=3,
        shutdown_timeout=7,
        _env_file=None,
    )

    defaults = served_config(monkeypatch, settings)
    given = served_config(
        monkeypatch, settings, "--host", "127.0.0.2", "--port", "9001", "--workers", "2"
    )

    assert (defaults.host, defaults.port, defaults.workers) == ("0.0.0.0", 9000, 3)  # noqa: S104
    assert (given.host, given.port, given.workers) == ("127.0.0.2", 9001, 2)
    assert defaults.server_header is False
    assert defaults.timeout_graceful_shutdown == 7
    assert defaults.access_log is False
{%- if cookiecutter.use_auth and not cookiecutter.use_redis %}


@pytest.mark.parametrize("argv", [[], ["--workers", "2"]])
def test_serve_refuses_several_workers_in_production_with_memory_counters(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], argv: list[str]
):
    """Rate-limit counters in process memory: several workers would multiply every limit, so
    production refuses them (from WORKERS or --workers) with one line saying what to do."""
    settings = Settings(secret_key=SECRET, workers=1 if argv else 4, _env_file=None)
    settings = settings.model_copy(update={"environment": "production"})
    monkeypatch.setattr(command_line, "settings_or_exit", lambda: settings)
    monkeypatch.setattr(uvicorn, "run", lambda *args, **options: pytest.fail("server started"))

    assert command_line.main(["serve", *argv]) == 2
    [line] = capsys.readouterr().err.splitlines()
    assert "workers refused in production" in line
    assert "use_redis=true" in line


def test_serve_allows_several_workers_outside_production(monkeypatch: pytest.MonkeyPatch):
    settings = Settings(secret_key=SECRET, workers=4, _env_file=None)
    assert served_config(monkeypatch, settings).workers == 4
{%- endif %}
