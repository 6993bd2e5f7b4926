"""Wheel build hook: ship the release of this version inside the package.

``releases/eastasia-data-<version>/`` (written by ``eastasia-data build``) goes into the
wheel as ``eastasia_data/release/``, so ``eastasia_data.load()`` works offline.
A wheel of a version that has not been built is refused rather than shipped empty.
"""

from __future__ import annotations

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
