"""Config validation and YAML loading."""

from __future__ import annotations

from pathlib import Path

import pytest

from emulators.opentext.config import build_config, load_config
from emulators.opentext.errors import EmulatorConfigError


def test_defaults() -> None:
    config = build_config()
    keys = {m.key for m in config.models}
    assert "casebridge.order_review" in keys and len(keys) == 8
    groups = {g for m in config.models for s in m.steps for g in s.candidate_groups}
    assert groups == {
        "fraud",
        "finance",
        "operations",
        "customer_service",
        "warehouse",
        "logistics",
        "legal",
        "marketing",
        "merchandising",
        "sales",
    }
    assert config.decisions.mode == "manual"


def test_yaml(tmp_path: Path) -> None:
    path = tmp_path / "emulator.yaml"
    path.write_text(
        """
tenant_id: t1
token_ttl_seconds: 5
decisions:
  mode: auto
  delay_seconds: 0
  policies:
    casebridge.order_review:
      rules:
        - {variable: orderTotal, op: gt, value: 1000, outcome: rejected}
      weights: {approved: 1}
callback:
  url: http://127.0.0.1:9/cb
  auth: hmac
  hmac_secret: s3cret
"""
    )
    config = load_config(path)
    assert config.tenant_id == "t1"
    assert config.decisions.policies["casebridge.order_review"].rules[0].outcome == "rejected"


@pytest.mark.parametrize(
    "data",
    [
        {"token_ttl_seconds": 0},
        {"unknown_field": 1},
        {"decisions": {"policies": {"nope": {}}}},
        {"decisions": {"policies": {"casebridge.order_review": {"weights": {"maybe": 1}}}}},
        {"callback": {"url": "http://x", "auth": "hmac"}},
        {
            "models": [
                {
                    "key": "k",
                    "name": "n",
                    "case_type": "X",
                    "steps": [{"key": "s", "name": "s", "candidate_groups": ["g"]}],
                    "advance_outcomes": ["nope"],
                }
            ]
        },
    ],
)
def test_invalid_config_is_a_clear_error(data: dict[str, object]) -> None:
    with pytest.raises(EmulatorConfigError):
        build_config(data)


def test_bad_yaml_file(tmp_path: Path) -> None:
    path = tmp_path / "bad.yaml"
    path.write_text("- just\n- a list\n")
    with pytest.raises(EmulatorConfigError):
        load_config(path)
    with pytest.raises(EmulatorConfigError):
        load_config(tmp_path / "missing.yaml")


def test_shipped_example_file_is_valid() -> None:
    example = Path(__file__).parents[4] / "emulators/opentext/sandbox.example.yaml"
    config = load_config(example)
    assert config.decisions.mode == "auto"
    assert config.callback.auth == "hmac"
