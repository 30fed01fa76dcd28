"""The watched registry file: reloaded on change, a bad reload keeps the last good one."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from streams.ops.metrics import REGISTRY
from streams.shops import RegistryWatcher, ShopRegistry, ShopRegistryError, load_registry
from tests.unit.streams.shops.test_loader import DEFAULTS

ONE = "shops: [{domain: us-store.myshopify.com, access_token: shpat_us}]\n"
TWO = (
    "shops:\n"
    "  - {domain: us-store.myshopify.com, access_token: shpat_us}\n"
    "  - {domain: eu-store.myshopify.com, access_token: shpat_eu}\n"
)


def reloads(result: str) -> float:
    value = REGISTRY.get_sample_value("casebridge_shop_registry_reloads_total", {"result": result})
    return value or 0.0


def write(path: Path, text: str, tick: int) -> None:
    # A distinct mtime per version: a ConfigMap swap always changes it, a test must say so.
    path.write_text(text)
    os.utime(path, ns=(tick * 10**9, tick * 10**9))


def watcher(path: Path) -> RegistryWatcher:
    return RegistryWatcher(path, lambda p: load_registry(p, DEFAULTS))


def test_a_changed_file_is_reloaded_and_listeners_told(tmp_path: Path) -> None:
    path = tmp_path / "shops.yaml"
    write(path, ONE, 1)
    watch = watcher(path)
    seen: list[ShopRegistry] = []
    watch.on_change(seen.append)
    before = reloads("ok")

    assert watch.check() is False  # unchanged
    write(path, TWO, 2)
    assert watch.check() is True

    assert watch.current.domains == ["us-store.myshopify.com", "eu-store.myshopify.com"]
    assert [r.domains for r in seen] == [watch.current.domains]
    assert reloads("ok") == before + 1
    assert REGISTRY.get_sample_value("casebridge_shop_registry_shops") == 2


def test_a_bad_reload_keeps_the_last_good_registry_and_is_counted(tmp_path: Path) -> None:
    path = tmp_path / "shops.yaml"
    write(path, ONE, 1)
    watch = watcher(path)
    before = reloads("error")

    write(path, "shops: [{domain: eu-store.myshopify.com}]\n", 2)
    assert watch.check() is False

    assert watch.current.domains == ["us-store.myshopify.com"]
    assert watch.last_error is not None and "access_token: missing" in watch.last_error
    assert reloads("error") == before + 1
    # The file is fixed: the next check takes it.
    write(path, ONE.replace("us-store", "eu-store"), 3)
    assert watch.check() is True
    assert watch.current.domains == ["eu-store.myshopify.com"]
    assert watch.last_error is None


def test_a_removed_file_keeps_the_registry(tmp_path: Path) -> None:
    path = tmp_path / "shops.yaml"
    write(path, ONE, 1)
    watch = watcher(path)

    path.unlink()

    assert watch.check() is False
    assert watch.current.domains == ["us-store.myshopify.com"]


def test_a_bad_file_at_start_is_fatal(tmp_path: Path) -> None:
    path = tmp_path / "shops.yaml"
    write(path, "shops: []\n", 1)

    with pytest.raises(ShopRegistryError, match="'shops' is empty"):
        watcher(path)
