"""requirements.lock (what `make serve-prod` installs) pins every runtime dependency within pyproject.toml's
range, each with hashes: a range changed without `make lock` fails here, not on a server."""

import re
import tomllib
from pathlib import Path

from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

ROOT = Path(__file__).resolve().parents[2]
PIN = re.compile(r"^([A-Za-z0-9._-]+)==([^\s;\\]+)")


def locked() -> dict[str, list[tuple[str, bool]]]:
    """name -> [(version, has hashes)] (a universal lock may pin two versions under different markers)."""
    pins: dict[str, list[tuple[str, bool]]] = {}
    entries = re.split(r"\n(?=\S)", (ROOT / "requirements.lock").read_text())
    for entry in entries:
        if match := PIN.match(entry):
            pins.setdefault(canonicalize_name(match[1]), []).append((match[2], "--hash=sha256:" in entry))
    return pins


def test_every_runtime_dependency_is_pinned_within_its_range_with_hashes():
    pins = locked()
    for spec in tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["dependencies"]:
        requirement = Requirement(spec)
        versions = pins.get(canonicalize_name(requirement.name))
        assert versions, f"{requirement.name} is missing from requirements.lock: run make lock"
        for version, hashed in versions:
            assert requirement.specifier.contains(version, prereleases=True), (
                f"requirements.lock pins {requirement.name}=={version}, outside {spec!r}: run make lock"
            )
            assert hashed, f"{requirement.name}=={version} has no hash in requirements.lock"
    assert all(hashed for versions in pins.values() for _, hashed in versions)
