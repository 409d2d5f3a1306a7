"""`opsbot run` as a real process for the end-to-end tests: `python -m tests.e2e.botproc`.

Settings come from the environment exactly as for `opsbot run`. OPSBOT_E2E_NOW (ISO 8601,
aware) sets the bot's clock: the process runs as if it had been started at that instant (the
schedule included), so a test can start it "at 04:59:52 WIB" whatever the hour.
"""

from __future__ import annotations

import asyncio
import logging
import os
import sys
from datetime import datetime, timedelta

from bot.runtime import serve
from ops.clock import utc_now
from ops.settings import load_settings


def main() -> None:
    """Run the bot until SIGTERM; SIGKILL is how the tests crash it."""
    logging.basicConfig(
        level=logging.INFO,
        stream=sys.stderr,
        format="%(asctime)s %(process)d %(levelname)s %(name)s: %(message)s",
    )
    for noisy in ("httpx", "apscheduler"):
        logging.getLogger(noisy).setLevel(logging.WARNING)
    start = os.environ.get("OPSBOT_E2E_NOW")
    shift = datetime.fromisoformat(start) - utc_now() if start else timedelta(0)
    asyncio.run(serve(load_settings(), shift=shift))


if __name__ == "__main__":
    main()
