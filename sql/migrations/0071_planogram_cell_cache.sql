-- The planned size slots of the mapped planogram stores (sql/marts/report_planogram_cells.sql),
-- kept between builds: they depend on portal.planogram and portal.store_name_map only, not on
-- the day, so the four stock marts copy them instead of unfolding ~10 k planogram rows x every
-- size column each (jobs/plan_cells.py). mart.planogram_cell_state holds a content hash of the
-- two portal tables when the slots were unfolded; another hash unfolds them again.

create table mart.planogram_cell (
    gudang_key     text not null,
    store_label    text,
    store_db_name  text,
    article_key    text,
    kode_mix       text,
    plan_tier      text,
    gender         text,
    series         text,
    article        text,
    size_column    text,
    size_label     text,
    size_keys      text[],
    size_order     integer,
    plan_qty       numeric
);

create table mart.planogram_cell_state (
    only_row    boolean primary key default true check (only_row),
    signature   text not null,
    built_at    timestamptz not null default now()
);

comment on column mart.planogram_cell.gudang_key is 'location key of the mapped planogram store: core.store_key(stock_nama_gudang)';
comment on column mart.planogram_cell.store_label is 'the planogram''s store name (trimmed)';
comment on column mart.planogram_cell.store_db_name is 'the stock warehouse name the store maps to (trimmed)';
comment on column mart.planogram_cell.article_key is 'article_mix key (lower, trimmed); NULL on the row of a store with nothing planned';
comment on column mart.planogram_cell.kode_mix is 'article_mix as the planogram spells it';
comment on column mart.planogram_cell.plan_tier is 'the planogram''s tier of the article';
comment on column mart.planogram_cell.gender is 'the planogram''s gender of the article';
comment on column mart.planogram_cell.series is 'the planogram''s series of the article';
comment on column mart.planogram_cell.article is 'the planogram''s article name';
comment on column mart.planogram_cell.size_column is 'planogram size column (size_42, size_39_40); NULL on the row of a store with nothing planned';
comment on column mart.planogram_cell.size_label is 'the size as printed: 42, 39/40';
comment on column mart.planogram_cell.size_keys is 'the stock size keys the slot covers (a paired column: 39/40, 39, 40)';
comment on column mart.planogram_cell.size_order is 'first number of the size, for ordering';
comment on column mart.planogram_cell.plan_qty is 'planned pairs of the slot, rounded half up, > 0 (docs/metrics.md)';
comment on column mart.planogram_cell_state.only_row is 'always true: one row';
comment on column mart.planogram_cell_state.signature is 'content hash of portal.planogram and portal.store_name_map when the slots were unfolded';
comment on column mart.planogram_cell_state.built_at is 'when the slots were unfolded';

do $$
begin
    if exists (select from pg_roles where rolname = 'opsbot_reader') then
        grant select on mart.planogram_cell, mart.planogram_cell_state to opsbot_reader;
    end if;
    if exists (select from pg_roles where rolname = 'opsbot_writer') then
        grant select, insert, update, delete on mart.planogram_cell, mart.planogram_cell_state
            to opsbot_writer;
    end if;
end
$$;
