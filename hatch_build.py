"""Wheel build hook: ship the release of this version inside the package.

``releases/eastasia-data-<version>/`` (written by ``eastasia-data build``) goes into the
wheel as ``eastasia_data/release/``, so ``eastasia_data.load()`` works offline. The older
releases that ``src/eastasia_data/registry.json`` marks ``shipped`` (those that fit the size
budget, see ``eastasia_data.releases``) go in as ``eastasia_data/releases/eastasia-data-<v>/``.
A wheel of a version that has not been built is refused rather than shipped empty.
"""

from __future__ import annotations

import json
from pathlib import Path

from hatchling.builders.hooks.plugin.interface import BuildHookInterface


class ReleaseBuildHook(BuildHookInterface):
    PLUGIN_NAME = "custom"

    def initialize(self, version: str, build_data: dict) -> None:
        if self.target_name != "wheel" or version == "editable":
            return
        data_version = self.metadata.version
        release = Path(self.root) / "releases" / f"eastasia-data-{data_version}"
        if not (release / "datapackage.json").is_file():
            raise RuntimeError(
                f"{release} does not exist: run `eastasia-data build` before building the wheel"
            )
        for path in sorted(release.iterdir()):
            build_data["force_include"][str(path)] = f"eastasia_data/release/{path.name}"
        registry_path = Path(self.root) / "src" / "eastasia_data" / "registry.json"
        if not registry_path.is_file():
            raise RuntimeError(f"{registry_path} does not exist: run `eastasia-data generate` before building the wheel")
        registry = json.loads(registry_path.read_text(encoding="utf-8"))
        for entry in registry["releases"]:
            if not entry["shipped"] or entry["version"] == data_version:
                continue
            older = Path(self.root) / "releases" / f"eastasia-data-{entry['version']}"
            for name in entry["files"]:  # exactly the files the registry lists (and hashes)
                build_data["force_include"][str(older / name)] = f"eastasia_data/releases/{older.name}/{name}"
