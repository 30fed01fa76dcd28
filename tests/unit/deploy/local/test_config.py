"""Rendering of the broker configuration and the stack's file layout."""

from __future__ import annotations

import base64
from pathlib import Path

import pytest

from deploy.local.config import (
    StackPaths,
    log4j_config_text,
    new_cluster_id,
    render_server_properties,
    write_kafka_config,
)
from deploy.local.settings import StackSettings


def _properties(text: str) -> dict[str, str]:
    pairs = (line.split("=", 1) for line in text.splitlines() if line and not line.startswith("#"))
    return {key.strip(): value.strip() for key, value in pairs}


def test_paths_derive_run_dir_beside_data_dir(stack_settings: StackSettings) -> None:
    paths = StackPaths.from_settings(stack_settings)

    assert paths.run_dir == paths.data_dir.parent / "data.run"
    assert paths.kafka_log_dirs == paths.data_dir / "kafka"
    assert paths.meta_properties == paths.data_dir / "kafka" / "meta.properties"
    assert paths.pid_file("kafka") == paths.run_dir / "kafka.pid"
    assert paths.log_file("registry") == paths.log_dir / "registry.log"


def test_stacks_with_sibling_data_dirs_do_not_share_a_run_dir(
    stack_settings: StackSettings, tmp_path: Path
) -> None:
    other = stack_settings.model_copy(update={"data_dir": tmp_path / "stack" / "data2"})

    first, second = StackPaths.from_settings(stack_settings), StackPaths.from_settings(other)

    assert first.run_dir != second.run_dir
    assert first.pid_file("kafka") != second.pid_file("kafka")
    assert not first.run_dir.is_relative_to(first.data_dir)


def test_paths_are_absolute_even_for_relative_settings(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.chdir(tmp_path)
    settings = StackSettings(data_dir=Path("rel/data"), log_dir=Path("rel/logs"))

    paths = StackPaths.from_settings(settings)

    assert paths.data_dir == tmp_path / "rel" / "data"
    assert paths.log_dir.is_absolute()


def test_server_properties_carry_ports_dirs_and_single_node_settings(
    stack_settings: StackSettings,
) -> None:
    paths = StackPaths.from_settings(stack_settings)

    props = _properties(render_server_properties(stack_settings, paths, num_partitions=3))

    assert props["process.roles"] == "broker,controller"
    assert props["node.id"] == "1"
    assert props["controller.quorum.bootstrap.servers"] == "127.0.0.1:39093"
    assert props["listeners"] == "PLAINTEXT://127.0.0.1:39092,CONTROLLER://127.0.0.1:39093"
    assert props["advertised.listeners"] == "PLAINTEXT://127.0.0.1:39092"
    assert props["controller.listener.names"] == "CONTROLLER"
    assert props["listener.security.protocol.map"] == "CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT"
    assert props["log.dirs"] == str(paths.kafka_log_dirs)
    assert props["num.partitions"] == "3"
    for key in (
        "offsets.topic.replication.factor",
        "transaction.state.log.replication.factor",
        "transaction.state.log.min.isr",
        "share.coordinator.state.topic.replication.factor",
        "share.coordinator.state.topic.min.isr",
    ):
        assert props[key] == "1", key
    assert props["group.initial.rebalance.delay.ms"] == "0"
    assert props["auto.create.topics.enable"] == "true"


def test_no_listener_binds_beyond_loopback(stack_settings: StackSettings) -> None:
    text = render_server_properties(
        stack_settings, StackPaths.from_settings(stack_settings), num_partitions=1
    )

    assert "0.0.0.0" not in text
    assert "localhost" not in text


def test_backslashes_in_paths_are_escaped_for_java_properties(tmp_path: Path) -> None:
    settings = StackSettings(data_dir=tmp_path / "odd\\name" / "data")

    text = render_server_properties(settings, StackPaths.from_settings(settings), num_partitions=1)

    assert "odd\\\\name" in _properties(text)["log.dirs"]


def test_num_partitions_must_be_positive(stack_settings: StackSettings) -> None:
    with pytest.raises(ValueError, match="num_partitions"):
        render_server_properties(
            stack_settings, StackPaths.from_settings(stack_settings), num_partitions=0
        )


def test_write_kafka_config_writes_both_files(stack_settings: StackSettings) -> None:
    paths = StackPaths.from_settings(stack_settings)

    write_kafka_config(stack_settings, paths, num_partitions=6)

    assert "num.partitions=6" in paths.server_properties.read_text()
    assert paths.log4j_config.read_text() == log4j_config_text()
    assert "rootLogger.level = INFO" in log4j_config_text()


def test_cluster_id_is_a_kafka_style_uuid() -> None:
    ids = {new_cluster_id() for _ in range(200)}

    assert len(ids) == 200
    for cluster_id in ids:
        assert len(cluster_id) == 22
        assert not cluster_id.startswith("-")
        assert len(base64.urlsafe_b64decode(cluster_id + "==")) == 16
