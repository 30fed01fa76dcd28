"""load_settings: environment variables, one-line errors naming the variable, no secret echo."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from connectors.errors import CasebridgeError
from streams.settings import KafkaSettings, SettingsError, load_settings


@pytest.fixture(autouse=True)
def clean_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """No CASEBRIDGE_* variable or .env file of the developer's leaks in."""
    for name in list(os.environ):
        if name.upper().startswith("CASEBRIDGE_"):
            monkeypatch.delenv(name)
    monkeypatch.chdir(tmp_path)


def error_of(monkeypatch: pytest.MonkeyPatch, **env: str) -> str:
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    with pytest.raises(SettingsError) as caught:
        load_settings()
    message = str(caught.value)
    assert "\n" not in message
    assert isinstance(caught.value, CasebridgeError)
    return message


def test_defaults_are_valid() -> None:
    settings = load_settings()
    assert settings.kafka.bootstrap_servers == "127.0.0.1:19092"
    assert settings.web_port == 6066
    assert settings.kafka.confluent_config() == {
        "bootstrap.servers": "127.0.0.1:19092",
        "security.protocol": "PLAINTEXT",
    }


def test_reads_nested_variables(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CASEBRIDGE_KAFKA__BOOTSTRAP_SERVERS", "k1:9092,k2:9092")
    monkeypatch.setenv("CASEBRIDGE_KAFKA__DEFAULT_PARTITIONS", "12")
    monkeypatch.setenv("CASEBRIDGE_WEB_PORT", "7000")
    monkeypatch.setenv("CASEBRIDGE_INGRESS__WEBHOOK_SECRETS", '["new", "old"]')
    settings = load_settings()
    assert settings.kafka.bootstrap_servers == "k1:9092,k2:9092"
    assert settings.kafka.default_partitions == 12
    assert settings.web_port == 7000
    assert [s.get_secret_value() for s in settings.ingress.webhook_secrets] == ["new", "old"]


def test_reads_a_dotenv_file(tmp_path: Path) -> None:
    (tmp_path / ".env").write_text("CASEBRIDGE_KAFKA__BOOTSTRAP_SERVERS=fromfile:9092\n")
    assert load_settings().kafka.bootstrap_servers == "fromfile:9092"


def test_overrides_win() -> None:
    assert load_settings(web_port=7001).web_port == 7001


def test_invalid_port_names_the_variable(monkeypatch: pytest.MonkeyPatch) -> None:
    message = error_of(monkeypatch, CASEBRIDGE_WEB_PORT="notaport")
    assert message.startswith("invalid setting CASEBRIDGE_WEB_PORT:")
    assert "'notaport'" in message


def test_port_out_of_range(monkeypatch: pytest.MonkeyPatch) -> None:
    assert "CASEBRIDGE_WEB_PORT" in error_of(monkeypatch, CASEBRIDGE_WEB_PORT="70000")


@pytest.mark.parametrize("servers", ["nohostport", "host:", ":9092", "a:1,b", "h:port"])
def test_invalid_bootstrap_servers_names_the_variable(
    monkeypatch: pytest.MonkeyPatch, servers: str
) -> None:
    message = error_of(monkeypatch, CASEBRIDGE_KAFKA__BOOTSTRAP_SERVERS=servers)
    assert message.startswith("invalid setting CASEBRIDGE_KAFKA__BOOTSTRAP_SERVERS:")
    assert "host:port" in message
    assert message.count(repr(servers)) == 1  # the value is quoted once, not twice


def test_invalid_literal_names_the_variable(monkeypatch: pytest.MonkeyPatch) -> None:
    message = error_of(monkeypatch, CASEBRIDGE_KAFKA__SECURITY_PROTOCOL="TLS")
    assert "CASEBRIDGE_KAFKA__SECURITY_PROTOCOL" in message
    assert "SASL_SSL" in message


def test_several_errors_are_summarised_on_one_line(monkeypatch: pytest.MonkeyPatch) -> None:
    message = error_of(
        monkeypatch, CASEBRIDGE_WEB_PORT="x", CASEBRIDGE_KAFKA__BOOTSTRAP_SERVERS="y"
    )
    assert "(+1 more)" in message


def test_list_setting_that_is_not_json_names_the_section(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # pydantic-settings raises its own error (not a ValidationError) here.
    message = error_of(monkeypatch, CASEBRIDGE_INGRESS__WEBHOOK_SECRETS="sekrit-1,sekrit-2")
    assert "CASEBRIDGE_INGRESS" in message
    assert "JSON" in message
    assert "sekrit" not in message


@pytest.mark.parametrize(
    "env",
    [
        {"CASEBRIDGE_KAFKA": '{"sasl_password": ["hunter2-password"]}'},
        {"CASEBRIDGE_REGISTRY": '{"password": {"v": "hunter2-password"}}'},
        {"CASEBRIDGE_OPENTEXT": '{"client_secret": ["hunter2-password"]}'},
        {"CASEBRIDGE_SHOPIFY": '{"access_token": ["hunter2-password"]}'},
        {"CASEBRIDGE_INGRESS": '{"webhook_secrets": ["ok", ["hunter2-password"]]}'},
    ],
    ids=["kafka", "registry", "opentext", "shopify-token", "webhook-secrets"],
)
def test_secret_values_are_never_echoed(
    monkeypatch: pytest.MonkeyPatch, env: dict[str, str]
) -> None:
    message = error_of(monkeypatch, **env)
    assert message.startswith("invalid setting CASEBRIDGE_")
    assert "hunter2" not in message


def test_valid_password_is_hidden_in_repr(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CASEBRIDGE_KAFKA__SASL_PASSWORD", "hunter2")
    settings = load_settings()
    assert "hunter2" not in repr(settings)
    assert settings.kafka.confluent_config()["sasl.password"] == "hunter2"


def test_confluent_config_passes_sasl_and_ssl_through(tmp_path: Path) -> None:
    kafka = KafkaSettings(
        bootstrap_servers="broker:9093",
        security_protocol="SASL_SSL",
        sasl_mechanism="SCRAM-SHA-512",
        sasl_username="casebridge",
        sasl_password="s3cret",  # type: ignore[arg-type]
        ssl_cafile=tmp_path / "ca.pem",
        ssl_certfile=tmp_path / "client.pem",
        ssl_keyfile=tmp_path / "client.key",
    )
    assert kafka.confluent_config() == {
        "bootstrap.servers": "broker:9093",
        "security.protocol": "SASL_SSL",
        "sasl.mechanism": "SCRAM-SHA-512",
        "sasl.username": "casebridge",
        "sasl.password": "s3cret",
        "ssl.ca.location": str(tmp_path / "ca.pem"),
        "ssl.certificate.location": str(tmp_path / "client.pem"),
        "ssl.key.location": str(tmp_path / "client.key"),
    }


def test_confluent_config_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CASEBRIDGE_KAFKA__SECURITY_PROTOCOL", "SASL_PLAINTEXT")
    monkeypatch.setenv("CASEBRIDGE_KAFKA__SASL_MECHANISM", "PLAIN")
    monkeypatch.setenv("CASEBRIDGE_KAFKA__SASL_USERNAME", "u")
    monkeypatch.setenv("CASEBRIDGE_KAFKA__SASL_PASSWORD", "p")
    config = load_settings().kafka.confluent_config()
    assert config["security.protocol"] == "SASL_PLAINTEXT"
    assert config["sasl.mechanism"] == "PLAIN"
    assert (config["sasl.username"], config["sasl.password"]) == ("u", "p")
    assert "ssl.ca.location" not in config


def test_registry_url_is_normalised(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CASEBRIDGE_REGISTRY__URL", "https://registry.example/apis/ccompat/v7/")
    assert load_settings().registry.url == "https://registry.example/apis/ccompat/v7"
    monkeypatch.setenv("CASEBRIDGE_REGISTRY__URL", "registry.example")
    assert "CASEBRIDGE_REGISTRY__URL" in error_of(monkeypatch)


def test_secrets_can_come_from_files(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    token = tmp_path / "token"
    token.write_text("shpat_from_file\n")
    monkeypatch.setenv("CASEBRIDGE_SHOPIFY__ACCESS_TOKEN_FILE", str(token))
    monkeypatch.setenv("CASEBRIDGE_SHOPIFY__SHOP_DOMAIN", "file.myshopify.com")
    settings = load_settings()
    assert settings.shopify.access_token.get_secret_value() == "shpat_from_file"
    assert settings.shopify.shop_domain == "file.myshopify.com"


def test_a_variable_set_directly_beats_its_file(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    secret = tmp_path / "secret"
    secret.write_text("from-file")
    monkeypatch.setenv("CASEBRIDGE_OPENTEXT__CLIENT_SECRET_FILE", str(secret))
    monkeypatch.setenv("CASEBRIDGE_OPENTEXT__CLIENT_SECRET", "direct")
    assert load_settings().opentext.client_secret.get_secret_value() == "direct"


def test_an_unreadable_secret_file_is_one_clear_error(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CASEBRIDGE_KAFKA__SASL_PASSWORD_FILE", "/no/such/file")
    with pytest.raises(SettingsError, match="CASEBRIDGE_KAFKA__SASL_PASSWORD_FILE"):
        load_settings()


def test_a_path_setting_ending_in_file_is_not_read_as_a_secret(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    # CASEBRIDGE_SHOPS_FILE is the registry's path, read (and watched) by the workers.
    monkeypatch.setenv("CASEBRIDGE_SHOPS_FILE", str(tmp_path / "not-yet-mounted.yaml"))

    settings = load_settings()

    assert settings.shops_file == tmp_path / "not-yet-mounted.yaml"


def test_each_stage_section_is_set_by_its_variables(monkeypatch: pytest.MonkeyPatch) -> None:
    # The names the deploy manifests and docs use: CASEBRIDGE_<SECTION>__<FIELD>.
    env = {
        "CASEBRIDGE_ENRICH__HISTORY_ORDERS": "20",
        "CASEBRIDGE_RECONCILE__OVERLAP_S": "30",
        "CASEBRIDGE_WRITER__CONCURRENCY": "4",
        "CASEBRIDGE_WRITER__OUTAGE__MAX_S": "60",
        "CASEBRIDGE_WRITER__RETRY__ATTEMPTS": "6",
        "CASEBRIDGE_SINK__OUTAGE__INITIAL_S": "2",
        "CASEBRIDGE_SINK_CONCURRENCY": "8",
        "CASEBRIDGE_CLASSIFY_CONCURRENCY": "9",
        "CASEBRIDGE_ESCALATION__MAX_LEVEL": "3",
        "CASEBRIDGE_LAG__WINDOW": "5",
    }
    for name, value in env.items():
        monkeypatch.setenv(name, value)

    settings = load_settings()

    assert settings.enrich.history_orders == 20
    assert settings.reconcile.overlap.total_seconds() == 30
    assert (settings.writer.concurrency, settings.writer.outage.max_s) == (4, 60)
    assert settings.writer.retry.policy().maximum_attempts == 6
    assert settings.sink.outage.initial_s == 2 and settings.sink_concurrency == 8
    assert settings.classify_concurrency == 9
    assert settings.escalation.max_level == 3 and settings.lag.window == 5


def test_a_stage_section_is_validated_at_start(monkeypatch: pytest.MonkeyPatch) -> None:
    message = error_of(monkeypatch, CASEBRIDGE_WRITER__LINES_FIRST="500")
    assert message.startswith("invalid setting CASEBRIDGE_WRITER__LINES_FIRST:")
    message = error_of(monkeypatch, CASEBRIDGE_SINK__OUTAGE__MAX_S="-1")
    assert message.startswith("invalid setting CASEBRIDGE_SINK__OUTAGE__MAX_S:")


def test_the_sections_are_frozen() -> None:
    settings = load_settings()
    with pytest.raises(ValueError, match="frozen"):
        settings.writer.concurrency = 2  # type: ignore[misc]
