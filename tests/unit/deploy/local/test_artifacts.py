"""The Maven fetch and the artifact cache, with Maven replaced by a fake runner."""

from __future__ import annotations

import io
import tarfile
from collections.abc import Sequence
from pathlib import Path

import pytest

from deploy.local.artifacts import MARKER, ArtifactCache
from deploy.local.errors import ArtifactFetchError
from deploy.local.settings import StackSettings


def _prop(argv: Sequence[str], name: str) -> str:
    prefix = f"-D{name}="
    return next(arg[len(prefix) :] for arg in argv if arg.startswith(prefix))


class FakeMaven:
    """Plays Maven: "downloads" by writing files where -DoutputDirectory says."""

    def __init__(self, *, jar_in_archive: bool = True, exit_code: int = 0) -> None:
        self.calls: list[list[str]] = []
        self.jar_in_archive = jar_in_archive
        self.exit_code = exit_code

    def __call__(self, argv: Sequence[str], cwd: Path) -> tuple[int, str]:
        self.calls.append(list(argv))
        assert Path(argv[argv.index("-f") + 1]).read_text().startswith("<?xml")
        if self.exit_code:
            lines = [f"[INFO] line {n}" for n in range(40)] + ["[ERROR] Could not resolve"]
            return self.exit_code, "\n".join(lines)
        out = Path(_prop(argv, "outputDirectory"))
        out.mkdir(parents=True, exist_ok=True)
        if argv[-3].endswith("copy-dependencies"):
            version = _prop(argv, "kafka.version")
            for name in (f"kafka_2.13-{version}.jar", "slf4j-api-2.0.17.jar"):
                (out / name).write_bytes(b"PK")
        else:
            version = _prop(argv, "artifact").split(":")[2]
            archive = out / f"apicurio-registry-app-{version}-all.tar.gz"
            with tarfile.open(archive, "w:gz") as tar:
                names = ["lib/a.jar"]
                if self.jar_in_archive:
                    names.append(f"apicurio-registry-app-{version}-runner.jar")
                for name in names:
                    info = tarfile.TarInfo(name)
                    info.size = 2
                    tar.addfile(info, io.BytesIO(b"PK"))
        return 0, ""


def _cache(settings: StackSettings, maven: FakeMaven) -> ArtifactCache:
    return ArtifactCache(settings, runner=maven, mvn="/usr/bin/mvn")


def test_fetches_kafka_once_with_versions_from_settings(stack_settings: StackSettings) -> None:
    maven = FakeMaven()
    cache = _cache(stack_settings.model_copy(update={"kafka_version": "4.3.1"}), maven)

    libs = cache.ensure_kafka()
    again = cache.ensure_kafka()

    assert libs == again == stack_settings.cache_dir / "kafka-4.3.1" / "libs"
    assert (libs / "kafka_2.13-4.3.1.jar").is_file()
    assert (libs.parent / MARKER).is_file()
    assert len(maven.calls) == 1
    argv = maven.calls[0]
    assert argv[:3] == ["/usr/bin/mvn", "-q", "-B"]
    assert "dependency:copy-dependencies" in argv
    assert "-Dkafka.version=4.3.1" in argv


def test_fetches_and_unpacks_apicurio_once(stack_settings: StackSettings) -> None:
    maven = FakeMaven()
    cache = _cache(stack_settings, maven)

    jar = cache.ensure_registry()
    cache.ensure_registry()

    assert (
        jar
        == stack_settings.cache_dir / "apicurio-3.0.9" / "apicurio-registry-app-3.0.9-runner.jar"
    )
    assert jar.is_file()
    assert (jar.parent / "lib" / "a.jar").is_file()
    assert not list(jar.parent.glob("*.tar.gz"))  # the archive is not kept twice
    assert len(maven.calls) == 1
    assert "-Dartifact=io.apicurio:apicurio-registry-app:3.0.9:tar.gz:all" in maven.calls[0]


def test_ensure_returns_both_paths(stack_settings: StackSettings) -> None:
    artifacts = _cache(stack_settings, FakeMaven()).ensure()

    assert artifacts.kafka_classpath == f"{stack_settings.cache_dir / 'kafka-4.4.0' / 'libs'}/*"
    assert artifacts.registry_jar.name == "apicurio-registry-app-3.0.9-runner.jar"


def test_an_interrupted_fetch_is_redone(stack_settings: StackSettings) -> None:
    maven = FakeMaven()
    home = stack_settings.cache_dir / "kafka-4.4.0"
    (home / "libs").mkdir(parents=True)  # left behind without the marker

    _cache(stack_settings, maven).ensure_kafka()

    assert len(maven.calls) == 1
    assert not (home.parent / "kafka-4.4.0.partial").exists()


def test_maven_failure_reports_the_output_tail(stack_settings: StackSettings) -> None:
    with pytest.raises(ArtifactFetchError) as caught:
        _cache(stack_settings, FakeMaven(exit_code=1)).ensure_kafka()

    message = str(caught.value)
    assert message.splitlines()[0] == (
        "cannot fetch Apache Kafka 4.4.0: mvn dependency:copy-dependencies exited with 1"
    )
    assert "[ERROR] Could not resolve" in message
    assert "line 0" not in message  # only the tail
    assert not (stack_settings.cache_dir / "kafka-4.4.0").exists()


def test_missing_maven_is_a_clear_error(
    stack_settings: StackSettings, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PATH", "/nonexistent")

    with pytest.raises(ArtifactFetchError, match=r"Maven \('mvn'\) is not on PATH"):
        ArtifactCache(stack_settings, runner=FakeMaven()).ensure_kafka()


def test_archive_without_runner_jar_is_rejected(stack_settings: StackSettings) -> None:
    with pytest.raises(
        ArtifactFetchError, match=r"has no apicurio-registry-app-3\.0\.9-runner\.jar"
    ):
        _cache(stack_settings, FakeMaven(jar_in_archive=False)).ensure_registry()

    assert not (stack_settings.cache_dir / "apicurio-3.0.9").exists()
