"""The loopback guard in every Python process a test starts (tests/helpers/network_guard.py).

Python imports `sitecustomize` at start-up from the path; the test session puts this folder
first on PYTHONPATH (`network_guard.child_environment`), so a CLI, a bot process or a nested
pytest a test starts refuses a connection outside loopback too, and writes where it tried to
go to OPSBOT_TEST_OUTSIDE_LOG, which the session reads after each test. Outside a test session
(the variables unset) it does nothing.
"""

import importlib.util
import os
from pathlib import Path

if os.environ.get("OPSBOT_TEST_OUTSIDE_LOG"):
    _spec = importlib.util.spec_from_file_location(
        "_opsbot_network_guard", Path(__file__).resolve().parent.parent / "network_guard.py"
    )
    if _spec is not None and _spec.loader is not None:
        _guard = importlib.util.module_from_spec(_spec)
        _spec.loader.exec_module(_guard)
        _guard.guard_this_process()
