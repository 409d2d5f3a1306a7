"""The catalogue of what a person reads (ops/catalogue.py) and the errors' one root."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from jobs.accurate.errors import AccurateError, AuthRejected, RateLimited, Transient
from jobs.csv_values import CsvRejected
from jobs.refusals import InputRefused
from ops.catalogue import LANGUAGES, catalogue, fields, say
from ops.errors import ConfigError, OpsError, PersonError
from ops.formats import format_date, format_rupiah, gender_word


def test_both_languages_have_the_same_codes_with_the_same_fields():
    indonesian, english = catalogue("id"), catalogue("en")
    assert set(indonesian) == set(english)
    for code, text in indonesian.items():
        assert fields(text) == fields(english[code]), code


def test_say_fills_the_fields_and_refuses_an_unknown_language():
    assert say("run.failed_title", "id", name="Tarik stok DDD") == "Tarik stok DDD gagal"
    assert say("run.failed_title", "en", name="Stock pull DDD") == "Stock pull DDD failed"
    with pytest.raises(KeyError):
        say("run.failed_title", "en")  # a field missing
    with pytest.raises(ValueError, match="no catalogue for language 'fr'"):
        say("run.failed_title", "fr", name="x")
    assert LANGUAGES == ("id", "en")


@pytest.mark.parametrize(
    ("error", "code", "indonesian", "english"),
    [
        (
            AuthRejected("MBB", "Invalid or Revoked API Token"),
            "error.accurate_auth",
            "Accurate menolak token API MBB; perlu token baru (lihat alert)",
            "Accurate refused the API token of MBB; a new token is needed (see the alert)",
        ),
        (
            RateLimited("DDD", "HTTP 429", retry_after=2),
            "error.accurate_rate",
            "Accurate membatasi jumlah permintaan DDD (HTTP 429), juga setelah dicoba ulang",
            "Accurate limited the requests of DDD (HTTP 429), also after retrying",
        ),
        (
            Transient("UBB", "HTTP 502", status=502),
            "error.accurate_transient",
            "Accurate UBB tidak menjawab dengan benar",
            "Accurate UBB did not answer properly",
        ),
        (
            CsvRejected(Path("x/store.csv"), ["line 3: a quote is left open"]),
            "error.csv",
            "store.csv tidak diimpor: line 3: a quote is left open.",
            "store.csv was not imported: line 3: a quote is left open.",
        ),
    ],
)
def test_errors_share_one_root_with_a_code_and_data(error, code, indonesian, english):
    assert isinstance(error, PersonError) and error.code == code
    assert error.sentence("id").startswith(indonesian)
    assert error.sentence("en").startswith(english)
    assert error.sentence("id") != str(error)  # the raw text is the log's


def test_the_log_text_is_kept_and_ops_errors_say_their_sentence():
    error = AuthRejected("MBB", "Invalid or Revoked API Token")
    assert str(error) == "MBB: Invalid or Revoked API Token"
    assert error.data == {"entity": "MBB", "message": "Invalid or Revoked API Token"}
    assert isinstance(error, AccurateError) and not isinstance(error, OpsError)
    config = ConfigError("DATABASE_URL is malformed: the port must be 1-65535.")
    assert isinstance(config, PersonError) and config.code == "error.ops"
    assert config.sentence("en") == str(config)
    refused = InputRefused(Path("a.csv"), ["line 2: repeated"], forceable=True)
    assert isinstance(refused, PersonError)
    assert refused.sentence("en") == str(refused) and "--force" in str(refused)


def test_the_names_in_dates_and_numbers_are_complete_lists():
    for language in LANGUAGES:
        assert len(say("date.months", language).split()) == 12
        assert len(say("date.months_short", language).split()) == 12
        assert len(say("date.weekdays", language).split()) == 7
    day = date(2026, 5, 4)
    assert format_date(day, "id", "long") == "Senin, 4 Mei 2026"
    assert format_date(day, "en", "long") == "Monday, 4 May 2026"
    assert format_date(date(2026, 8, 1), "id") == "1 Agu 2026"
    assert format_rupiah(12_345_678, "id") == "Rp 12,3 jt"
    assert format_rupiah(12_345_678, "en") == "Rp 12.3M"
    assert format_rupiah(2_500_000_000, "id") == "Rp 2,50 M"
    assert format_rupiah(2_500_000_000, "en") == "Rp 2.50B"
    assert (gender_word("BABY & KIDS", "id", capital=True), gender_word("LADIES", "en")) == (
        "Bayi & anak",
        "ladies",
    )
    assert gender_word("UNISEX", "en") is None
