"""A runtime install (`pip install .`, no extras) must be able to load every module of gov3.

The test environment has the dev extras installed, which once hid a module-level import of the
optional `python-pkcs11` package: `make demo` failed on a fresh clone while `make test` passed.
Here a child process refuses to import any package that only the extras bring in, then imports
every module under `src/gov3` — what `gov3 <command>` and the web app load — except those that
exist to use an extra.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
import tomllib
from importlib.metadata import packages_distributions
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SRC = ROOT / "src" / "gov3"

# Modules whose whole purpose is an optional extra; the application imports them only when a
# deployment configures that extra (GOV3_KEY_STORE=pkcs11 → `pip install gov3[hsm]`).
OPTIONAL_MODULES = {"gov3.documents.core.keys_pkcs11"}

_CHILD = r"""
import importlib, importlib.abc, json, os, sys

blocked = set(json.loads(sys.argv[1]))
modules = json.loads(sys.argv[2])


class RefuseExtras(importlib.abc.MetaPathFinder):
    def find_spec(self, name, path=None, target=None):
        if name.split(".")[0] in blocked:
            raise ModuleNotFoundError(f"No module named {name!r} (only in an extra)", name=name)
        return None


sys.meta_path.insert(0, RefuseExtras())
os.environ["DJANGO_SETTINGS_MODULE"] = "gov3.settings"
import django

django.setup()
failures = {}
for module in modules:
    try:
        importlib.import_module(module)
    except Exception as error:  # report every module, not only the first
        failures[module] = f"{type(error).__name__}: {error}"
print(json.dumps(failures))
"""


def _distribution_name(requirement: str) -> str:
    return re.split(r"[\s\[<>=!~;]", requirement, maxsplit=1)[0].lower().replace("_", "-")


def _extras_only_packages() -> set[str]:
    """Top-level import names of the distributions the extras add to the runtime ones."""
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    runtime = {_distribution_name(r) for r in project["dependencies"]}
    extras = {
        _distribution_name(r)
        for requirements in project["optional-dependencies"].values()
        for r in requirements
    }
    only_extras = extras - runtime
    return {
        module
        for module, distributions in packages_distributions().items()
        if {d.lower().replace("_", "-") for d in distributions} <= only_extras
        and not module.startswith("_")
    }


def _every_module() -> list[str]:
    names = []
    for path in sorted(SRC.rglob("*.py")):
        parts = path.relative_to(SRC.parent).with_suffix("").parts
        if "migrations" in parts:
            continue
        name = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
        if name not in OPTIONAL_MODULES:
            names.append(name)
    return names


def test_the_extras_are_known_to_the_check() -> None:
    blocked = _extras_only_packages()
    # If these were missing the test below would prove nothing.
    assert {"pkcs11", "pytest", "hypothesis", "playwright", "pypdf"} <= blocked
    assert not blocked & {"django", "cryptography", "numpy", "pyhanko", "gov3"}


def _import_without_extras(modules: list[str], tmp_path: Path) -> dict[str, str]:
    """Import `modules` in a child process that refuses the extras; {module: error} for failures."""
    result = subprocess.run(
        [
            sys.executable,
            "-c",
            _CHILD,
            json.dumps(sorted(_extras_only_packages())),
            json.dumps(modules),
        ],
        capture_output=True,
        text=True,
        check=False,
        cwd=tmp_path,
        timeout=300,
        env={
            "PATH": "/usr/bin:/bin",
            "DATABASE_URL": f"sqlite:///{tmp_path}/db.sqlite3",
            "GOV3_VAR_DIR": str(tmp_path),
        },
    )
    assert result.returncode == 0, result.stderr[-3000:]
    failures: dict[str, str] = json.loads(result.stdout.strip().splitlines()[-1])
    return failures


def test_every_module_imports_without_the_extras(tmp_path: Path) -> None:
    modules = _every_module()
    assert len(modules) > 150
    assert _import_without_extras(modules, tmp_path) == {}


def test_the_check_notices_a_module_level_import_of_an_extra(tmp_path: Path) -> None:
    """The guard itself: importing the PKCS#11 store, as `issuers` once did, is reported."""
    failures = _import_without_extras(["gov3.documents.core.keys_pkcs11"], tmp_path)
    assert "pkcs11" in failures["gov3.documents.core.keys_pkcs11"]
