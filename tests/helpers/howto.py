"""Following a docs/howto/ page in a copy of the project (tests/test_howto*.py).

A test copies the packages to a temporary folder, makes there exactly the edits the page says,
and then asks the copy: a fresh Python process (`ask`), or pytest itself on the page's own test
step (`run_pytest`, against the outer session's PostgreSQL server).
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path
from xml.etree import ElementTree

from tests.helpers.network_guard import child_pythonpath

ROOT = Path(__file__).resolve().parents[2]
HOWTO = ROOT / "docs" / "howto"
PACKAGES = ("bot", "jobs", "ops", "reports", "sandbox", "templates", "sql", "monitors")
NESTED_TIMEOUT = 90  # seconds a nested pytest run may take before the outer test gives up


def project_copy(into: Path, *, with_tests: bool = False) -> Path:
    """The project's packages and files copied under `into` (no caches); `with_tests` adds
    tests/ and pyproject.toml (pytest's settings), so pytest runs in the copy."""
    names = (*PACKAGES, "tests") if with_tests else PACKAGES
    for name in names:
        shutil.copytree(ROOT / name, into / name, ignore=shutil.ignore_patterns("__pycache__"))
    if with_tests:
        shutil.copy(ROOT / "pyproject.toml", into / "pyproject.toml")
    return into


def replace(path: Path, old: str, new: str) -> None:
    """Replace `old` by `new` in `path`, which must hold `old` exactly once."""
    text = path.read_text(encoding="utf-8")
    assert text.count(old) == 1, f"{path.name}: the page's anchor {old!r} moved"
    path.write_text(text.replace(old, new), encoding="utf-8")


def edit(path: Path, after: str, insert: str) -> None:
    """Insert `insert` right after the first `after` in `path` (which must hold it once)."""
    replace(path, after, after + insert)


def write(path: Path, text: str) -> None:
    """A new file at `path` with `text` (dedented, one leading newline dropped)."""
    assert not path.exists(), f"{path} exists already"
    path.write_text(textwrap.dedent(text).lstrip("\n"), encoding="utf-8")


def ask(copy: Path, script: str, env: dict[str, str] | None = None) -> dict:
    """Run `script` with the copy first on the path; its last line printed, as JSON."""
    result = subprocess.run(
        [sys.executable, "-c", textwrap.dedent(script)],
        cwd=copy,
        env={**os.environ, "PYTHONPATH": child_pythonpath(copy), **(env or {})},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    answer: dict = json.loads(result.stdout.strip().splitlines()[-1])
    assert answer["file"].startswith(str(copy)), "the copy was not the code that ran"
    return answer


def run_in(copy: Path, dsn: str, *args: str) -> subprocess.CompletedProcess[str]:
    """`python *args` in the copy (the copy first on the path), TEST_DATABASE_URL = `dsn`."""
    env = {**os.environ, "PYTHONPATH": child_pythonpath(copy), "TEST_DATABASE_URL": dsn}
    env.pop("PYTEST_CURRENT_TEST", None)
    env.pop("PYTEST_ADDOPTS", None)
    return subprocess.run(
        [sys.executable, *args],
        cwd=copy,
        env=env,
        capture_output=True,
        text=True,
        timeout=NESTED_TIMEOUT,
        check=False,
    )


def run_pytest(copy: Path, dsn: str, *args: str) -> dict[str, dict[str, str]]:
    """pytest `args` in the copy on the server of `dsn` (the outer session's admin DSN).

    Asserts the run passed; returns {test id: the properties it recorded} of every test that
    ran (`record_property("code", module.__file__)` tells which files were imported).
    """
    report = copy / "nested-junit.xml"
    result = run_in(
        copy, dsn, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-o", "junit_family=xunit1",
        f"--junitxml={report}", *args,
    )  # fmt: skip
    assert result.returncode == 0, result.stdout[-6000:] + result.stderr[-3000:]
    ran: dict[str, dict[str, str]] = {}
    for case in ElementTree.parse(report).getroot().iter("testcase"):
        assert not [c.tag for c in case if c.tag in ("failure", "error", "skipped")], case.attrib
        properties = {p.get("name", ""): p.get("value", "") for p in case.iter("property")}
        ran[f"{case.get('file')}::{case.get('name')}"] = properties
    return ran


def page_code(page: str, anchor: str) -> str:
    """The page's own code for a step: the first line of `page` matching `anchor` (a regex),
    so the test types what the page says."""
    text = (HOWTO / page).read_text(encoding="utf-8")
    found = re.search(anchor, text)
    assert found, f"{page} no longer says {anchor!r}"
    return found.group(1)
