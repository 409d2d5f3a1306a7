"""/reload end to end: the real chain pulls from the Accurate emulator, one progress message is
edited as steps finish, and overlapping reloads are refused."""

from collections.abc import AsyncIterator
from datetime import timedelta

import asyncpg
import pytest
from pydantic import SecretStr

from bot.telegram.handlers.reload import resolve_job
from jobs.runs import RUN_LOCK_CLASS, recorded_run, run_key
from sandbox.accurate_emulator import AccurateEmulator
from sandbox.dataset import generate
from sandbox.telegram_emulator import StoredMessage, check_html
from tests.bot.conftest import ADMIN, LEAD_BALI, TODAY, VIEWER, BotHarness

JOBS = (
    "backup, stock, ff_fa_fs, store_stock, stock_vs_capacity, transfers, sales, so_l2,"
    " sales_daily, tier_summary, depth_alert, control_stock, health"
)


@pytest.fixture
async def accurate(bot: BotHarness) -> AsyncIterator[AccurateEmulator]:
    """The Accurate emulator serving a small world up to TODAY; the bot's settings point at it."""
    async with AccurateEmulator(generate(7, days=2, end=TODAY)) as emulator:
        env = emulator.settings_env()
        update: dict[str, object] = {"accurate_account_url": env.pop("ACCURATE_ACCOUNT_URL")}
        update |= {key.lower(): SecretStr(value) for key, value in env.items()}
        settings = bot.app.bot_data.settings
        bot.app.bot_data.settings = settings.model_copy(update=update)
        yield emulator


async def reload(bot: BotHarness, text: str, *, steps: int) -> StoredMessage:
    """Send `/reload ...` as the admin; return its progress message once every step is shown.

    A reload of n steps edits its message n times: after each step but the last, and once
    more with the outcome.
    """
    edits = len(bot.emu.calls("editMessageText"))
    [progress] = await bot.ask(ADMIN, text)
    await bot.emu.wait_for_calls("editMessageText", edits + steps, timeout=30)
    [shown] = [m for m in bot.emu.messages(ADMIN) if m.message_id == progress.message_id]
    return shown


async def runs(pool: asyncpg.Pool, job: str) -> list[tuple[object, ...]]:
    rows = await pool.fetch(
        "select entity, status, triggered_by from ops.job_runs"
        " where job = $1 and business_date = $2 order by entity nulls first",
        job,
        TODAY,
    )
    return [tuple(r) for r in rows]


async def test_reload_pulls_over_http_and_edits_one_message(
    bot: BotHarness, accurate: AccurateEmulator
):
    before = len([m for m in bot.emu.messages(ADMIN) if m.from_bot])
    shown = await reload(bot, "/reload transfers", steps=1)
    body = shown.body
    assert body.startswith("🔄 Reload Tarik transfer · 16 Feb 2026")
    assert "Diminta oleh" in body
    assert "✅ Tarik transfer: sukses · " in body and " baris · " in body and " dtk" in body
    assert "DDD " in body and "LJBB 0" in body and "UBB 0" in body
    assert "✅ Selesai dalam" in body
    check_html(shown.source or "")
    assert shown.edit_count == 1
    assert len([m for m in bot.emu.messages(ADMIN) if m.from_bot]) == before + 1  # one message
    assert accurate.stats.calls["item-transfer/list"] == 4  # the chain really pulled
    assert await runs(bot.pool, "transfers") == [
        (entity, "success", f"bot:{ADMIN}") for entity in ("DDD", "LJBB", "MBB", "UBB")
    ]
    assert (await bot.audit())[-1]["command"] == "reload"


async def test_a_job_runs_with_what_follows_it(bot: BotHarness, accurate: AccurateEmulator):
    shown = await reload(bot, "/reload stok 2026-02-16", steps=4)
    body = shown.body
    assert body.startswith("🔄 Reload Tarik stok · 16 Feb 2026")
    assert body.index("Tarik stok: sukses") < body.index("Hitung FF/FA/FS:")
    assert body.index("Hitung FF/FA/FS:") < body.index("Ringkas stok toko: sukses")
    assert "Selesai" in body
    assert body.index("Ringkas stok toko: sukses") < body.index("Hitung kapasitas: sukses")
    assert shown.edit_count == 4  # after each of the first three steps, then with the outcome
    assert [r[1] for r in await runs(bot.pool, "stock")] == ["success"] * 4
    assert len(await runs(bot.pool, "ff_fa_fs")) == 1
    assert await runs(bot.pool, "store_stock") == [(None, "success", f"bot:{ADMIN}")]
    # every edit was valid HTML that the emulator accepted
    assert all(c.ok for c in bot.emu.calls("editMessageText"))


async def test_a_failing_entity_is_named_plainly(bot: BotHarness, accurate: AccurateEmulator):
    accurate.inject_fault("revoke_token", entity="MBB")
    shown = await reload(bot, "/reload transfers", steps=1)
    body = shown.body
    assert "⚠️ Tarik transfer: sebagian gagal" in body
    assert "MBB gagal" in body and "DDD " in body
    # named once, in Indonesian: not "MBB: MBB: Invalid or Revoked API Token"
    assert "↳ MBB: Accurate menolak token API-nya; perlu token baru (lihat alert)" in body
    assert "MBB: MBB" not in body and "Invalid or Revoked" not in body
    assert "⚠️ Selesai dengan masalah" in body
    assert "Traceback" not in body and "Error" not in body and "select" not in body.lower()
    statuses = {r[0]: r[1] for r in await runs(bot.pool, "transfers")}
    assert statuses == {"DDD": "success", "LJBB": "success", "MBB": "failed", "UBB": "success"}


async def test_without_accurate_credentials_every_entity_fails_and_followers_are_skipped(
    bot: BotHarness,
):
    shown = await reload(bot, "/reload sales", steps=6)
    body = shown.body
    assert "❌ Tarik penjualan: gagal" in body
    assert "⚠️ Hitung SO L2: dilewati" in body
    assert "⚠️ Hitung daftar RO: dilewati" in body and "⚠️ Hitung kesehatan stok: dilewati" in body
    assert "⚠️ Selesai dengan masalah" in body


async def test_a_second_reload_of_the_same_slot_is_refused_while_the_first_runs(
    bot: BotHarness, conn: asyncpg.Connection
):
    blocker = conn.transaction()
    await blocker.start()
    # Runs cannot be recorded until this lock goes: the first reload stays in progress.
    await conn.execute("lock table ops.job_runs in share mode")
    try:
        [first] = await bot.ask(ADMIN, "/reload health")
        assert "⏳ Cek kesehatan: berjalan…" in first.body
        [second] = await bot.ask(ADMIN, "/reload Health 2026-02-16")
        assert "Reload health 2026-02-16 masih berjalan" in second.body
        [other_day] = await bot.ask(ADMIN, "/reload health kemarin")  # another slot: allowed
        assert "15 Feb 2026" in other_day.body
        [answer] = await bot.ask(VIEWER, "/whoami")  # the bot keeps answering meanwhile
        assert "Sinta" in answer.body
    finally:
        await blocker.commit()
    edits = await bot.emu.wait_for_calls("editMessageText", 2, timeout=30)
    assert {c.params["message_id"] for c in edits} == {
        str(first.message_id),
        str(other_day.message_id),
    }
    [shown] = [m for m in bot.emu.messages(ADMIN) if m.message_id == first.message_id]
    assert "Cek kesehatan: sukses" in shown.body and "Selesai" in shown.body
    assert (await runs(bot.pool, "health"))[0][1] == "success"
    [third] = await bot.ask(ADMIN, "/reload health")  # free again once finished
    assert "Cek kesehatan: berjalan" in third.body
    await bot.emu.wait_for_calls("editMessageText", 3, timeout=30)


async def test_a_slot_running_elsewhere_is_refused(bot: BotHarness):
    async with recorded_run(bot.pool, "ff_fa_fs", TODAY, triggered_by="schedule"):
        [reply] = await bot.ask(ADMIN, "/reload stock")  # stock is followed by ff_fa_fs
        assert "ff_fa_fs 2026-02-16 sedang dijalankan oleh jadwal atau proses lain" in reply.body
    assert await runs(bot.pool, "stock") == [("DDD", "success", "schedule")]  # the seed's run
    # a row left 'running' by a crashed process does not block (its lock is gone)
    await bot.pool.execute("update ops.job_runs set status = 'running' where job = 'ff_fa_fs'")
    shown = await reload(bot, "/reload ff_fa_fs", steps=1)
    assert "Hitung FF/FA/FS: dilewati" in shown.body  # stock of today did not succeed for all


async def test_a_step_another_run_takes_midway_shows_busy_and_stops_the_reload(
    bot: BotHarness, conn: asyncpg.Connection
):
    # Slot locks held with no running row (another run between its lock and its row): the
    # check before the start lets the reload in, the chain's run of the step is refused.
    held = [run_key("health", TODAY), run_key("so_l2", TODAY), run_key("sales", TODAY, "DDD")]
    for key in held:
        await conn.execute("select pg_advisory_lock($1, hashtext($2))", RUN_LOCK_CLASS, key)
    try:
        health = (await reload(bot, "/reload health", steps=1)).body
        # so_l2 has a failed row from the morning: that old failure is not this reload's
        so_l2 = (await reload(bot, "/reload so_l2", steps=1)).body
        sales = (await reload(bot, "/reload sales", steps=1)).body
    finally:
        for key in held:
            await conn.execute("select pg_advisory_unlock($1, hashtext($2))", RUN_LOCK_CLASS, key)
    assert "⏳ Cek kesehatan: sedang dijalankan proses lain · " in health
    assert "⏳ Berhenti" in health and "gagal" not in health and "baris" not in health
    assert "⏳ Hitung SO L2: sedang dijalankan proses lain · " in so_l2
    assert "gagal" not in so_l2 and "detail teknis" not in so_l2
    assert "⏳ Tarik penjualan: sedang dijalankan proses lain" in sales
    assert "▫️ Hitung SO L2: tidak dijalankan" in sales and "⏳ Berhenti" in sales
    assert await runs(bot.pool, "health") == []  # refused runs record nothing
    assert [r[:2] for r in await runs(bot.pool, "so_l2")] == [(None, "failed")]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "/reload",
            "Tulis job yang mau diulang, contoh: /reload stock atau /reload sales kemarin."
            f" Pilihan: {JOBS}.",
        ),
        ("/reload stcok", f"Job “stcok” tidak ada. Mungkin maksud Anda: stock? Pilihan: {JOBS}."),
        ("/reload everything", f"Job “everything” tidak ada. Pilihan: {JOBS}."),
        ("/reload stock 2026-02-17", "17 Feb 2026 belum tiba"),
        (
            "/reload stock kemarin",
            "Stok hanya bisa ditarik untuk hari ini: Accurate memberi stok saat ini, bukan stok"
            " 15 Feb 2026. Untuk menghitung ulang hari itu dari snapshot yang tersimpan:"
            " /reload ff_fa_fs 2026-02-15.",
        ),
        ("/reload stock besok", "“besok” bukan tanggal yang saya kenali"),
        ("/reload sales 2025-06-01", "Data hanya disimpan 60 hari"),
    ],
)
async def test_unknown_jobs_and_bad_dates_get_one_sentence(
    bot: BotHarness, text: str, expected: str
):
    [reply] = await bot.ask(ADMIN, text)
    assert expected in reply.body
    assert not bot.emu.calls("editMessageText")
    assert (
        await bot.pool.fetchval("select count(*) from ops.job_runs where triggered_by like 'bot%'")
        == 0
    )


@pytest.mark.parametrize("user", [VIEWER, LEAD_BALI])
async def test_only_admins_may_reload(bot: BotHarness, user: int):
    [reply] = await bot.ask(user, "/reload stock")
    assert "perintah /reload tidak tersedia untuk peran Anda" in reply.body
    assert (await bot.audit())[-1]["outcome"] == "denied"
    assert (
        await bot.pool.fetchval("select count(*) from ops.job_runs where triggered_by like 'bot%'")
        == 0
    )


def test_job_names_are_forgiving_but_never_guessed():
    assert resolve_job("FF/FA/FS") == "ff_fa_fs"
    assert resolve_job("so-l2") == "so_l2"
    assert resolve_job("SOL2") == "so_l2"
    assert resolve_job("penjualan") == "sales"
    assert resolve_job("stcok") is None  # a typo is suggested, not run
    assert resolve_job("'; drop table ops.job_runs; --") is None


async def test_progress_dates_use_the_bot_clock(bot: BotHarness):
    shown = await reload(bot, "/reload health kemarin", steps=1)
    assert "15 Feb 2026" in shown.body
    yesterday = TODAY - timedelta(days=1)
    assert (
        await bot.pool.fetchval(
            "select status from ops.job_runs where job = 'health' and business_date = $1", yesterday
        )
        == "success"
    )
