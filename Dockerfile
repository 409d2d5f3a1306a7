# opsbot: the bot and its scheduler. Settings come from the environment (see .env.example).
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PIP_NO_CACHE_DIR=1
RUN useradd --create-home --uid 10001 opsbot
WORKDIR /app
COPY pyproject.toml README.md requirements.lock ./
RUN pip install --require-hashes -r requirements.lock
COPY bot bot
COPY jobs jobs
COPY reports reports
COPY ops ops
COPY sandbox sandbox
COPY sql sql
COPY templates templates
RUN pip install --no-deps -e . && pip check && chown -R opsbot /app
USER opsbot

# `opsbot status`: database, migrations, a fresh leader heartbeat (any replica), no missed or
# interrupted run, no open critical alert; exit 0 or 1. An orchestrator that restarts unhealthy
# containers should use `opsbot status --liveness` instead (bad data is not cured by a restart).
HEALTHCHECK --interval=60s --timeout=20s --start-period=60s --retries=3 \
    CMD ["opsbot", "status"]
CMD ["opsbot", "run"]
