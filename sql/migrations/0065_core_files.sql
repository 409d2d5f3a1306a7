-- The core layer lives in sql/core/<object>.sql from here on (docs/howto/change-a-core-view.md):
-- ops/migrations.py re-applies those files after the migrations, in dependency order, in one
-- transaction, and records each file's checksum here so `opsbot db status` can tell whether the
-- database has the files' current version. No migration after this one creates or replaces a
-- core view or function (tests/ops/test_core_files.py checks it).
create table ops.core_files (
    name        text primary key,         -- file name under sql/core/, e.g. dim_store.sql
    checksum    text not null,            -- SHA-256 of the file as applied (hex)
    applied_at  timestamptz not null default now()
);
