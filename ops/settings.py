"""opsbot's settings: one pydantic-settings class read from the environment and `.env`.

Every setting is documented in `.env.example`. Unknown keys in `.env` are refused so a typo is
loud; secrets are `SecretStr` so they never reach a repr or a log line.
"""

from __future__ import annotations

from datetime import time
from decimal import Decimal
from pathlib import Path
from typing import Literal
from urllib.parse import urlsplit

from pydantic import Field, SecretStr, create_model, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from ops import entities
from ops.dsn import remember
from ops.errors import ConfigError

ENTITY_CODES = entities.ENTITY_CODES  # the entity registry's (ops/entities.py)


# The credentials of every entity of the registry (ops/entities.py), as settings
# ACCURATE_<CODE>_API_TOKEN and ACCURATE_<CODE>_SIGNATURE_SECRET (SecretStr, unset: None).
_EntityCredentials: type[BaseSettings] = create_model(
    "_EntityCredentials",
    __base__=BaseSettings,
    **{  # type: ignore[call-overload]
        f"accurate_{code.lower()}_{kind}": (SecretStr | None, None)
        for code in entities.ENTITY_CODES
        for kind in ("api_token", "signature_secret")
    },
)


class Settings(_EntityCredentials):  # type: ignore[misc,valid-type]
    """All of opsbot's configuration (see `.env.example` for what each setting means)."""

    model_config = SettingsConfigDict(
        env_file=".env",
        env_file_encoding="utf-8",
        extra="forbid",
        case_sensitive=False,
        secrets_dir=None,
    )

    # Database: unset means "start the embedded PostgreSQL in pg_data_dir".
    database_url: SecretStr | None = None
    pg_data_dir: Path = Path("var/pg")
    database_name: str = "openclaw_ops"

    # Accurate Online (docs/accurate-api.md).
    accurate_account_url: str = "https://account.accurate.id"
    # accurate_<code>_api_token, accurate_<code>_signature_secret: one pair per entity of the
    # registry, from _EntityCredentials
    accurate_calls_per_second: float = Field(default=8, gt=0, le=8)
    accurate_max_in_flight: int = Field(default=8, ge=1, le=8)
    # Rows per list page asked (docs/accurate-api.md#corrections: clients ask 1,000); the echoed
    # size is trusted and a page that times out is halved (jobs/accurate/client.py).
    accurate_page_size: int = Field(default=1000, ge=1, le=1000)
    accurate_timeout_seconds: float = Field(default=30, gt=0)
    sales_window_days: int = Field(default=3, ge=1, le=31)
    stock_retention_days: int = Field(default=60, ge=2)
    # Data contracts (docs/data-contracts.md): a stock snapshot below this share of the median of
    # the last 7 kept is refused; a sales/transfer window below it is a warning.
    snapshot_min_ratio: Decimal = Field(default=Decimal("0.5"), gt=0, le=1)

    # Telegram (docs/telegram.md#lifecycle).
    telegram_bot_token: SecretStr | None = None
    telegram_base_url: str = "https://api.telegram.org/bot"
    telegram_base_file_url: str = "https://api.telegram.org/file/bot"
    report_chat_id: int | None = None
    alert_chat_id: int | None = None
    admin_user_ids: list[int] = Field(default_factory=list)
    report_language: Literal["id", "en"] = "id"
    # Updates handled at once, one at a time per chat (bot/telegram/updates.py); 1 = PTB's one by
    # one.
    # 16: one slow answer (a report, /reload) never holds up the others (bench/bot.py).
    bot_concurrent_updates: int = Field(default=16, ge=1, le=256)
    # Alert lifecycle (bot/service/alert_notifier.py); 0 turns the repeat or the escalation off.
    alert_repeat_minutes: int = Field(default=240, ge=0)
    alert_escalate_minutes: int = Field(default=30, ge=0)
    # Monitors (docs/monitors.md): each query's statement timeout; a monitor whose precision over
    # 30 days is below the minimum with at least MONITOR_MIN_ANSWERS answers is named in the
    # morning report (reports/morning_data.py load_alerts, via BusinessTargets).
    monitor_timeout_seconds: float = Field(default=10, gt=0, le=300)
    monitor_min_precision: Decimal = Field(default=Decimal("0.5"), ge=0, le=1)
    monitor_min_answers: int = Field(default=5, ge=1)

    # Data contracts (docs/data-contracts.md): a portal file with fewer rows than this share of its
    # previous accepted import is refused.
    portal_min_ratio: Decimal = Field(default=Decimal("0.5"), ge=0, le=1)

    # Backups (docs/data-flow.md#the-daily-chain-wib).
    backup_dir: Path = Path("var/backups")
    backup_keep: int = Field(default=7, ge=1)
    backup_timeout_seconds: float = Field(default=3600, gt=0)
    pg_bin_dir: Path | None = None

    # Health check thresholds (docs/alerts.md#the-health-check-rules).
    health_ff_max_age_days: int = Field(default=1, ge=0)
    health_so_l2_min_stores: int = Field(default=50, ge=0)
    health_selisih_widespread_ratio: Decimal = Field(default=Decimal("0.5"), ge=0, le=1)
    health_shrinkage_pairs: Decimal = Field(default=Decimal(5), gt=0)
    health_shrinkage_pct: Decimal = Field(default=Decimal(2), ge=0)
    health_sanity_min_avg: Decimal = Field(default=Decimal("0.5"), ge=0)
    health_sanity_max_fs: Decimal = Field(default=Decimal(2), gt=0)
    health_sales_max_lag_days: int = Field(default=1, ge=0)
    health_backup_max_age_hours: float = Field(default=26, gt=0)

    # Business marts (docs/metrics.md#business-marts): thresholds of the five report_* marts, never
    # literals.
    mart_ff_target: Decimal = Field(default=Decimal("0.70"), ge=0)
    mart_ff_red: Decimal = Field(default=Decimal("0.60"), ge=0)
    mart_fa_target: Decimal = Field(default=Decimal("0.90"), ge=0)
    mart_fs_target: Decimal = Field(default=Decimal("0.80"), ge=0)
    mart_fs_overstock: Decimal = Field(default=Decimal("1.20"), gt=0)
    mart_fb_alert: Decimal = Field(default=Decimal("0.80"), ge=0)
    mart_depth_alert_days: Decimal = Field(default=Decimal(14), ge=0)
    mart_ro_box_threshold: Decimal = Field(default=Decimal("0.50"), gt=0, le=1)
    mart_wh_box_gudang: str = "warehouse pusat"
    mart_wh_protol_gudang: str = "warehouse pusat protol"
    mart_capacity_over_ratio: Decimal = Field(default=Decimal("1.00"), gt=0)
    mart_capacity_under_ratio: Decimal = Field(default=Decimal("1.00"), ge=0)
    mart_composition_t123_target: Decimal = Field(default=Decimal("0.75"), ge=0, le=1)
    mart_dead_stock_target: Decimal = Field(default=Decimal("0.18"), ge=0, le=1)
    mart_sales_pace_alert: Decimal = Field(default=Decimal("0.95"), ge=0)

    # Replicas, missed runs and catch-up (bot/service/leader.py, bot/service/watchdog.py,
    # jobs/catchup.py).
    leader_retry_seconds: float = Field(default=5, gt=0)
    leader_heartbeat_seconds: float = Field(default=5, gt=0)
    leader_stale_seconds: float = Field(default=60, gt=0)
    watchdog_interval_seconds: float = Field(default=60, gt=0)
    catchup_chain_cutoff: time = time(9, 0)
    catchup_report_cutoff: time = time(12, 0)
    catchup_late_minutes: int = Field(default=5, ge=0)
    slot_limit_minutes: dict[str, int] = Field(default_factory=dict)

    def mart_thresholds(self) -> dict[str, object]:
        """The MART_* settings without their prefix, for jobs.business_marts.MartThresholds."""
        return {
            name.removeprefix("mart_"): getattr(self, name)
            for name in type(self).model_fields
            if name.startswith("mart_")
        }

    def health_thresholds(self) -> dict[str, object]:
        """The HEALTH_* settings without their prefix, for jobs.health_check.HealthThresholds."""
        return {
            name.removeprefix("health_"): getattr(self, name)
            for name in type(self).model_fields
            if name.startswith("health_")
        }

    @field_validator("database_url")
    @classmethod
    def _postgres_url(cls, value: SecretStr | None) -> SecretStr | None:
        if value is None or not value.get_secret_value().strip():
            return None
        parts = urlsplit(value.get_secret_value())
        if parts.scheme not in ("postgres", "postgresql"):
            raise ValueError("must start with postgresql:// (e.g. postgresql://user:pw@host/db)")
        if not parts.hostname and "host=" not in parts.query:
            raise ValueError(
                "names no host (e.g. postgresql://user:pw@db.example:5432/openclaw_ops)"
            )
        return value

    def accurate_credentials(self, entity: str) -> tuple[SecretStr, SecretStr]:
        """Return (API token, signature secret) of `entity` (DDD, LJBB, MBB or UBB).

        Raises:
            ConfigError: when either setting is missing, naming the environment variables.
        """
        code = entity.lower()
        token = getattr(self, f"accurate_{code}_api_token", None)
        secret = getattr(self, f"accurate_{code}_signature_secret", None)
        if token is None or secret is None:
            raise ConfigError(
                f"Accurate credentials for {entity.upper()} are missing: set ACCURATE_"
                f"{entity.upper()}_API_TOKEN and ACCURATE_{entity.upper()}_SIGNATURE_SECRET."
            )
        return token, secret


def check_env_file(path: Path) -> None:
    """Refuse a `.env` that is not UTF-8 or has a line that sets nothing (no `=`).

    python-dotenv skips such a line silently, so a setting the person meant to change would
    keep its default. Blank lines and `#` comments are fine. Messages name the line but never
    quote it (it may hold a secret).

    Raises:
        ConfigError: naming the file and the line.
    """
    if not path.is_file():
        return
    try:
        text = path.read_bytes().decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = path.read_bytes()[: exc.start].count(b"\n") + 1
        raise ConfigError(
            f"{path} is not UTF-8 text (line {line}, byte {exc.start}); save it as UTF-8."
        ) from None
    for number, line_text in enumerate(text.splitlines(), start=1):
        stripped = line_text.strip()
        if stripped and not stripped.startswith("#") and "=" not in stripped:
            raise ConfigError(
                f"{path} line {number} has no '=': write it as NAME=value or start it with #."
            )


def load_settings(**overrides: object) -> Settings:
    """Read the settings from the environment and `.env`, with keyword overrides on top.

    Raises:
        ConfigError: one plain sentence per invalid setting, naming the variable; a `.env`
            that is not UTF-8 or has a line without `=` (check_env_file).
    """
    from pydantic import ValidationError
    from pydantic_settings import SettingsError

    env_file = overrides.get("_env_file", Settings.model_config.get("env_file"))
    if isinstance(env_file, (str, Path)):
        check_env_file(Path(env_file))
    try:
        settings = Settings(**overrides)
    except SettingsError as exc:
        # a list or dict setting whose text is not JSON (e.g. ADMIN_USER_IDS=not-json)
        field = str(exc).split('"')[1] if str(exc).count('"') >= 2 else "a setting"
        raise ConfigError(
            f"{field.upper()} is not valid JSON: write a list like [123456789, 987654321]"
            ' or an object like {"stock": 30}.'
        ) from None
    except ValidationError as exc:
        problems = []
        for err in exc.errors():
            name = ".".join(str(p) for p in err["loc"]).upper() or "settings"
            message = err["msg"].removeprefix("Value error, ")
            if err["type"] == "extra_forbidden":
                message = "is not a known setting (see .env.example)"
            problems.append(f"{name} {message}")
        raise ConfigError("Invalid settings: " + "; ".join(problems) + ".") from None
    if settings.database_url is not None:
        remember(settings.database_url.get_secret_value())
    return settings
