"""The job and entity registries (ops/registry.py, ops/entities.py) are whole and consistent,
and what used to be written in seven places now reads them."""

from __future__ import annotations

import inspect
from datetime import timedelta

import pytest

from bot.telegram.handlers.reload import ALIASES, JOBS, resolve_job
from jobs import catchup, chain, wording
from jobs.schedule import DAILY_SCHEDULE
from ops import entities, registry
from ops.settings import Settings
from reports.render import environment


def test_every_step_names_a_coroutine_the_chain_runs() -> None:
    for job in registry.steps():
        step = chain.STEPS[job.name]
        assert inspect.iscoroutinefunction(step), job.runner
        assert list(inspect.signature(step).parameters) == ["ctx", "day"], job.runner
    assert list(chain.STEPS) == [j.name for j in registry.JOBS if j.runner is not None]


def test_slots_steps_and_followers_refer_to_registered_jobs() -> None:
    names = {j.name for j in registry.JOBS}
    slot_names = {j.name for j in registry.slots()}
    for job in registry.JOBS:
        assert (job.at is None) == (job.slot is not None), job.name  # a slot, or a step of one
        assert job.slot is None or job.slot in slot_names, job.name
        assert set(job.followers) <= set(chain.STEPS), job.name
        assert job.name not in job.followers
    assert {a for j in registry.JOBS for a in j.aliases}.isdisjoint(names)
    assert len(ALIASES) == sum(len(j.aliases) for j in registry.JOBS)  # no alias twice
    for group in registry.REPORT_GROUPS.values():
        assert set(group.jobs) <= set(chain.STEPS)


def test_the_schedule_is_the_registry_s() -> None:
    assert [(s.job, s.at, s.grace) for s in DAILY_SCHEDULE] == [
        (j.name, j.at, j.grace) for j in registry.slots()
    ]
    assert DAILY_SCHEDULE[1].steps == ("stock", "ff_fa_fs", "store_stock", "stock_vs_capacity")
    assert DAILY_SCHEDULE[-1].job == "report" and DAILY_SCHEDULE[-1].steps == ()
    assert catchup.DEFAULT_LIMITS["stock"] == timedelta(minutes=60)
    assert catchup.STEP_PARTS == {
        "stock": ("DDD", "LJBB", "MBB", "UBB"),
        "transfers": ("DDD", "LJBB", "MBB", "UBB"),
        "sales": ("DDD", "MBB", "UBB"),
    }


def test_every_job_has_its_names_in_both_languages() -> None:
    for job in registry.JOBS:
        assert job.id and job.id == job.id[0].lower() + job.id[1:], job.name
        assert wording.job_name(job.name) == job.id
        assert catchup.label(job.name) == job.en
        for language in ("id", "en"):
            assert environment(language).globals["JOBS"][job.name] == job.label(language)
    assert environment("id").globals["JOBS"]["stock"] == "Tarik stok"
    assert environment("en").globals["JOBS"]["tier_summary"] == "Tier mix calculation"
    assert environment("en").globals["JOBS"]["business_marts"] == "Business report calculations"


@pytest.mark.parametrize(
    ("typed", "job"),
    [("stok", "stock"), ("FF/FA/FS", "ff_fa_fs"), ("mutasi", "transfers"), ("ro", "depth_alert")],
)
def test_reload_reads_the_registry_s_names_and_aliases(typed: str, job: str) -> None:
    assert resolve_job(typed) == job
    assert tuple(chain.FOLLOWERS) == JOBS


def test_every_entity_has_its_credential_settings() -> None:
    # generated from the registry (ops/settings.py _EntityCredentials): no entity is forgotten
    fields = Settings.model_fields
    for code in entities.ENTITY_CODES:
        for kind in ("api_token", "signature_secret"):
            assert f"accurate_{code.lower()}_{kind}" in fields, code
    assert entities.codes("sells") == ("DDD", "MBB", "UBB")
    assert entities.LEGAL_NAMES["LJBB"] == "CV Lancar Jaya Besar Bersama"


def test_an_unknown_job_is_a_typed_error() -> None:
    with pytest.raises(registry.UnknownJob) as caught:
        registry.job("stok_age")
    assert caught.value.job == "stok_age"
