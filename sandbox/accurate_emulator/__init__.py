"""Accurate Online emulator: a loopback aiohttp server playing the account layer and data hosts.

Use `async with AccurateEmulator(world) as emu:` then `emu.settings_env()` for client settings;
`emu.inject_fault(...)`, `emu.set_business_date(...)` and `emu.stats` drive and observe it.
"""

from sandbox.accurate_emulator.app import AccurateEmulator, RequestLogEntry, serve_forever
from sandbox.accurate_emulator.limits import EmulatorStats
from sandbox.accurate_emulator.sample import sample_world

__all__ = ["AccurateEmulator", "EmulatorStats", "RequestLogEntry", "sample_world", "serve_forever"]
