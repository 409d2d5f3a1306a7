"""What a person reads of a run's error comes from its code (ops/run_errors.py), in the chat's
language, with the short /reload forms of Accurate's errors (bot/telegram/handlers/reload.py)."""

from __future__ import annotations

import pytest

from bot.telegram.handlers.reload import part_note
from jobs.accurate.errors import AuthRejected, RateLimited, RequestRejected, Transient
from jobs.runs import error_kind
from ops.run_errors import run_error


def recorded(exc: BaseException, entity: str = "UBB", status: str = "failed") -> dict:
    """The ops.job_runs row jobs/runs.py writes for a run `exc` ended."""
    code, data = error_kind(exc)
    return {"entity": entity, "status": status, "error": str(exc), "error_code": code,
            "error_data": data}  # fmt: skip


@pytest.mark.parametrize(
    ("exc", "id_note", "en_note"),
    [
        (
            AuthRejected("UBB", "Invalid or Revoked API Token"),
            "Accurate menolak token API-nya; perlu token baru (lihat alert)",
            "Accurate rejected its API token; a new token is needed (see the alert)",
        ),
        (
            RateLimited("UBB", "Terlalu banyak request"),
            "Accurate membatasi jumlah permintaan (HTTP 429), juga setelah dicoba ulang",
            "Accurate limited the number of requests (HTTP 429), also after retries",
        ),
        (
            Transient("UBB", "HTTP 502 on /x", status=502),
            "Accurate menjawab dengan error (HTTP 502), juga setelah dicoba ulang",
            "Accurate answered with an error (HTTP 502), also after retries",
        ),
        (
            RuntimeError('relation "x" does not exist'),
            "detail teknis ada di log",
            "technical details are in the log",
        ),
    ],
)
def test_reload_says_each_error_by_its_code(exc, id_note, en_note):
    run = recorded(exc)
    assert part_note(run, "id") == id_note
    assert part_note(run, "en") == en_note


def test_no_note_names_the_entity_the_line_already_names():
    network = recorded(Transient("UBB", "connection reset"))
    assert part_note(network, "en") == (
        "Accurate did not answer properly (network or server trouble), also after retries"
    )
    refused = recorded(RequestRejected("UBB", ["Data tidak ditemukan"], status=400))
    assert part_note(refused, "id") == "Accurate menolak permintaan: Data tidak ditemukan"
    assert part_note(refused, "en") == "Accurate refused the request: Data tidak ditemukan"
    # /health, whose line names the job and entity too, says the catalogue's whole sentence
    assert "UBB" in (
        run_error("failed", "x", "error.accurate_transient", network["error_data"]) or ""
    )


def test_the_text_never_chooses_the_sentence():
    # The text of a rejected token without its code (a plain failure): the log's pointer.
    text = "UBB: Invalid or Revoked API Token"
    assert run_error("failed", text, "error.technical", None, "id") == "detail teknis ada di log"
    assert run_error("failed", text, None, None, "en") == "technical details are in the log"


def test_a_skip_reason_and_a_warning_are_shown_and_an_interruption_is_not():
    assert run_error("skipped", "stok 20 Nov belum ada\nrinci", None) == "stok 20 Nov belum ada"
    assert run_error("success", "jauh di bawah biasanya", None) == "jauh di bawah biasanya"
    assert run_error("interrupted", "Interrupted: stopped", "error.technical") is None
    assert run_error("failed", "   ", "error.technical") is None


def test_a_sentence_missing_a_field_points_to_the_log_and_a_long_one_is_cut():
    assert run_error("failed", "x", "error.accurate", '{"entity": "DDD"}', "en") == (
        "Accurate answered DDD with an error: x"  # the text fills the missing message
    )
    assert run_error("failed", "x", "error.csv", "{}", "en") == "technical details are in the log"
    long = run_error("failed", "y" * 300, "error.ops", None, "en")
    assert long is not None and len(long) == 100 and long.endswith("…")
