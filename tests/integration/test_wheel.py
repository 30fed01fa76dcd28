"""The production wheel: the pipeline's packages, and none of the emulators.

Builds the wheel the Dockerfile builds (``pip wheel --no-deps``) from a copy of
the sources, so the checkout gets no ``build/`` or ``*.egg-info`` litter, and
reads its file list. pip takes setuptools from its cache (or the index) for the
isolated build, hence an integration test.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parents[2]
#: What the wheel is built from (the Dockerfile copies the same, plus emulators/).
SOURCES = ("pyproject.toml", "README.md", "streams", "connectors", "schemas", "deploy", "emulators")

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def wheel_files(tmp_path_factory: pytest.TempPathFactory) -> list[str]:
    source = tmp_path_factory.mktemp("source")
    for name in SOURCES:
        path = REPO_ROOT / name
        if path.is_dir():
            shutil.copytree(path, source / name, ignore=shutil.ignore_patterns("__pycache__"))
        else:
            shutil.copy2(path, source / name)
    out = tmp_path_factory.mktemp("wheel")
    done = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", "-w", str(out), str(source)],
        capture_output=True,
        text=True,
        timeout=240,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    (wheel,) = out.glob("casebridge-*.whl")
    with zipfile.ZipFile(wheel) as archive:
        return archive.namelist()


def test_the_wheel_ships_no_emulator_module(wheel_files: list[str]) -> None:
    emulator_files = [
        name
        for name in wheel_files
        if name.startswith("emulators/") or "/emulator/" in name or "emulate_cli" in name
    ]

    assert emulator_files == []


def test_the_wheel_ships_the_pipeline_and_its_data(wheel_files: list[str]) -> None:
    top_level = {name.split("/")[0] for name in wheel_files if not name.startswith("casebridge-")}

    assert top_level == {"streams", "connectors", "schemas", "deploy"}
    for expected in (
        "connectors/shopify/client.py",
        "connectors/opentext/client.py",
        "schemas/CaseOpened.avsc",
        "deploy/local/stack.py",
        "deploy/shops/shops.yaml",
    ):
        assert expected in wheel_files
    # The manifest checks are a development tool, not shipped either.
    assert not [name for name in wheel_files if name.startswith("deploy/check/")]
