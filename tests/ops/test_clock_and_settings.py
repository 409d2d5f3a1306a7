import re
from datetime import UTC, date, datetime, timedelta, timezone
from pathlib import Path

import pytest

from ops.clock import wib_at, wib_today, wib_yesterday
from ops.errors import ConfigError
from ops.settings import Settings, load_settings


@pytest.mark.parametrize(
    ("instant", "today"),
    [
        (datetime(2026, 11, 20, 14, 0, tzinfo=UTC), date(2026, 11, 20)),  # 21:00 WIB
        (datetime(2026, 11, 20, 17, 0, tzinfo=UTC), date(2026, 11, 21)),  # 00:00 WIB next day
        (datetime(2026, 11, 21, 0, 30, tzinfo=timezone(timedelta(hours=9))), date(2026, 11, 20)),
    ],
)
def test_business_dates_are_wib_whatever_the_server_clock(instant, today):
    assert wib_today(instant) == today
    assert wib_yesterday(instant) == today - timedelta(days=1)


def test_naive_datetimes_are_refused():
    with pytest.raises(ValueError, match="naive"):
        wib_today(datetime(2026, 11, 20, 6, 0))  # noqa: DTZ001 - the point of the test


def test_wib_at_is_aware():
    six = wib_at(date(2026, 11, 20), datetime.min.time().replace(hour=6))
    assert six.astimezone(UTC) == datetime(2026, 11, 19, 23, 0, tzinfo=UTC)


def test_env_example_documents_every_setting():
    text = (Path(__file__).resolve().parents[2] / ".env.example").read_text()
    documented = set(re.findall(r"^# ?([A-Z][A-Z0-9_]+)=", text, flags=re.M))
    assert {name.upper() for name in Settings.model_fields} == documented


def test_secrets_never_show_in_repr(monkeypatch):
    monkeypatch.setenv("TELEGRAM_BOT_TOKEN", "123:very-secret")
    settings = Settings(_env_file=None)
    assert "very-secret" not in repr(settings)


def test_missing_accurate_credentials_name_the_variables():
    with pytest.raises(ConfigError, match="ACCURATE_MBB_API_TOKEN"):
        Settings(_env_file=None).accurate_credentials("MBB")


def test_invalid_values_are_one_sentence(monkeypatch):
    monkeypatch.setenv("ACCURATE_CALLS_PER_SECOND", "20")
    with pytest.raises(ConfigError, match="ACCURATE_CALLS_PER_SECOND"):
        load_settings(_env_file=None)
