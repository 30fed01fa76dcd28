"""Fetch Kafka and Apicurio Registry from Maven Central, once, into the cache directory.

Maven does the downloading (it honours the user's ``~/.m2/settings.xml``:
mirrors, proxies) with ``deploy/local/pom.xml``; this module only decides
whether a fetch is needed, runs it in a scratch directory and moves the result
into place atomically, writing a marker file last. A half-finished fetch
therefore never looks complete, and two processes fetching at once are
serialised by a lock file.
"""

from __future__ import annotations

import fcntl
import shutil
import subprocess
import tarfile
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

from deploy.local.errors import ArtifactFetchError
from deploy.local.settings import StackSettings

#: Written into an artifact directory once it is complete.
MARKER = ".casebridge-complete"

#: Runs a command in a directory and returns (exit code, combined output): the seam for tests.
CommandRunner = Callable[[Sequence[str], Path], tuple[int, str]]

_TAIL_LINES = 25
_COPY_PLUGIN = "2.8"


def run_command(argv: Sequence[str], cwd: Path) -> tuple[int, str]:
    """Run ``argv`` in ``cwd``; return its exit code and its stdout+stderr."""
    completed = subprocess.run(
        list(argv),
        cwd=cwd,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        check=False,
    )
    return completed.returncode, completed.stdout


def tail(text: str, lines: int = _TAIL_LINES) -> str:
    """The last ``lines`` non-empty lines of ``text``."""
    kept = [line for line in text.splitlines() if line.strip()]
    return "\n".join(kept[-lines:])


@dataclass(frozen=True)
class Artifacts:
    """The fetched, ready-to-run artifacts of one stack."""

    kafka_libs: Path
    registry_jar: Path

    @property
    def kafka_classpath(self) -> str:
        """The broker's classpath: every jar in the libs directory (a JVM wildcard)."""
        return f"{self.kafka_libs}/*"


class ArtifactCache:
    """Knows where each artifact version lives in the cache and fetches what is missing."""

    def __init__(
        self,
        settings: StackSettings,
        *,
        runner: CommandRunner = run_command,
        mvn: str | None = None,
        report: Callable[[str], None] = lambda _message: None,
    ) -> None:
        """Use ``settings``' cache dir and versions; ``runner``/``mvn`` are seams for tests."""
        self._settings = settings
        self._cache_dir = settings.cache_dir.expanduser().resolve()
        self._runner = runner
        self._mvn = mvn
        self._report = report

    @property
    def kafka_home(self) -> Path:
        """``<cache_dir>/kafka-<version>``."""
        return self._cache_dir / f"kafka-{self._settings.kafka_version}"

    @property
    def registry_home(self) -> Path:
        """``<cache_dir>/apicurio-<version>``."""
        return self._cache_dir / f"apicurio-{self._settings.apicurio_version}"

    @property
    def registry_jar(self) -> Path:
        """The Quarkus runner jar inside the unpacked Apicurio distribution."""
        version = self._settings.apicurio_version
        return self.registry_home / f"apicurio-registry-app-{version}-runner.jar"

    def is_complete(self, home: Path) -> bool:
        """Whether ``home`` holds a finished fetch."""
        return (home / MARKER).is_file()

    def ensure(self) -> Artifacts:
        """Fetch whatever is missing and return the paths to run."""
        self.ensure_kafka()
        self.ensure_registry()
        return Artifacts(kafka_libs=self.kafka_home / "libs", registry_jar=self.registry_jar)

    def ensure_kafka(self) -> Path:
        """Fetch ``kafka_2.13`` and its logging jars unless cached; return the libs dir."""
        home = self.kafka_home
        version = self._settings.kafka_version
        with self._locked(home):
            if not self.is_complete(home):
                self._report(f"fetching Apache Kafka {version} from Maven Central ...")
                with self._scratch(home) as scratch:
                    self._mvn_run(
                        scratch,
                        "dependency:copy-dependencies",
                        f"-Dkafka.version={version}",
                        f"-DoutputDirectory={scratch / 'libs'}",
                        what=f"Apache Kafka {version}",
                    )
                    if not any((scratch / "libs").glob(f"kafka_2.13-{version}.jar")):
                        raise ArtifactFetchError(
                            f"Maven finished but kafka_2.13-{version}.jar is not in {scratch}"
                        )
                    self._install(scratch / "libs", home, keep_as="libs")
                self._report(f"fetched Apache Kafka {version}: {_size(home)} in {home}")
            else:
                self._report(f"Apache Kafka {version}: cached, {_size(home)} in {home}")
        return home / "libs"

    def ensure_registry(self) -> Path:
        """Fetch and unpack ``apicurio-registry-app`` unless cached; return the runner jar."""
        home = self.registry_home
        version = self._settings.apicurio_version
        with self._locked(home):
            if not self.is_complete(home):
                self._report(f"fetching Apicurio Registry {version} from Maven Central ...")
                with self._scratch(home) as scratch:
                    download = scratch / "download"
                    self._mvn_run(
                        scratch,
                        # Plugin 3.x reads the artifact's descriptor, whose parent pom
                        # (io.apicurio:apicurio-registry) is not on Maven Central, and
                        # fails; 2.8 copies the file without it.
                        f"org.apache.maven.plugins:maven-dependency-plugin:{_COPY_PLUGIN}:copy",
                        f"-Dartifact=io.apicurio:apicurio-registry-app:{version}:tar.gz:all",
                        f"-DoutputDirectory={download}",
                        what=f"Apicurio Registry {version}",
                    )
                    archives = sorted(download.glob("*.tar.gz"))
                    if not archives:
                        raise ArtifactFetchError(f"Maven finished but no .tar.gz is in {download}")
                    unpacked = scratch / "home"
                    _unpack(archives[0], unpacked)
                    jar = unpacked / self.registry_jar.name
                    if not jar.is_file():
                        raise ArtifactFetchError(
                            f"{archives[0].name} has no {jar.name}; is {version} a 3.0.x release?"
                        )
                    # The archive stays in ~/.m2; the cache keeps only the unpacked tree.
                    shutil.rmtree(download)
                    self._install(unpacked, home)
                self._report(f"fetched Apicurio Registry {version}: {_size(home)} in {home}")
            else:
                self._report(f"Apicurio Registry {version}: cached, {_size(home)} in {home}")
        return self.registry_jar

    def _mvn_run(self, scratch: Path, goal: str, *properties: str, what: str) -> None:
        mvn = self._mvn or shutil.which("mvn")
        if mvn is None:
            raise ArtifactFetchError(
                f"cannot fetch {what}: Maven ('mvn') is not on PATH; "
                "install Maven 3.6+ (e.g. apt-get install maven)"
            )
        pom = scratch / "pom.xml"
        # A copy, so Maven never writes into the installed package (it may be read-only).
        pom.write_text(resources.files("deploy.local").joinpath("pom.xml").read_text())
        argv = [mvn, "-q", "-B", "-Dstyle.color=never", "-f", str(pom), goal, *properties]
        try:
            code, output = self._runner(argv, scratch)
        except OSError as exc:
            raise ArtifactFetchError(f"cannot fetch {what}: running {mvn} failed: {exc}") from exc
        if code != 0:
            short_goal = "dependency:" + goal.rpartition(":")[2]
            raise ArtifactFetchError(
                f"cannot fetch {what}: mvn {short_goal} exited with {code}\n{tail(output)}"
            )

    @contextmanager
    def _locked(self, home: Path) -> Iterator[None]:
        self._cache_dir.mkdir(parents=True, exist_ok=True)
        lock_path = self._cache_dir / f".{home.name}.lock"
        with lock_path.open("a") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(lock, fcntl.LOCK_UN)

    @contextmanager
    def _scratch(self, home: Path) -> Iterator[Path]:
        scratch = home.with_name(f"{home.name}.partial")
        shutil.rmtree(scratch, ignore_errors=True)
        scratch.mkdir(parents=True)
        try:
            yield scratch
        finally:
            shutil.rmtree(scratch, ignore_errors=True)

    @staticmethod
    def _install(source: Path, home: Path, *, keep_as: str | None = None) -> None:
        """Move ``source`` to ``home`` (or ``home/keep_as``) and mark it complete, last."""
        shutil.rmtree(home, ignore_errors=True)
        if keep_as is None:
            source.rename(home)
        else:
            home.mkdir(parents=True)
            source.rename(home / keep_as)
        (home / MARKER).write_text("fetched by casebridge (deploy/local/artifacts.py)\n")


def _size(home: Path) -> str:
    """The size of the files under ``home``, for progress lines ("123.4 MB")."""
    total = sum(f.stat().st_size for f in home.rglob("*") if f.is_file())
    return f"{total / 1e6:.1f} MB"


def _unpack(archive: Path, target: Path) -> None:
    target.mkdir(parents=True)
    try:
        with tarfile.open(archive, "r:gz") as tar:
            # The "data" filter refuses absolute paths, links out of the tree and devices.
            tar.extractall(target, filter="data")
    except (tarfile.TarError, OSError) as exc:
        raise ArtifactFetchError(f"cannot unpack {archive.name}: {exc}") from exc
