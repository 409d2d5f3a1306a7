-- The openclaw_ops layout (DOMAIN.md §2.1, §2.2, §2.4) plus opsbot's own state in `ops`.
-- Names are the operators' own; do not rename a column without a new migration.

create schema if not exists portal;
create schema if not exists raw;
create schema if not exists core;
create schema if not exists mart;
create schema if not exists ops;

-- ---------------------------------------------------------------- portal (Google Sheets CSV)

create table portal.store (
    nama_accurate        text,
    nama_department_old  text,
    branch               text,
    area                 text,
    category             text,
    stock_filter         text,
    as_name              text,
    bm_name              text
);
create index store_nama_accurate_idx on portal.store (lower(trim(nama_accurate)));
create index store_nama_department_old_idx on portal.store (lower(trim(nama_department_old)));

create table portal.kodemix (
    no_urut              integer,
    kode_besar           text,
    kode                 text,
    kode_mix             text,
    kode_mix_size        text,
    article              text,
    version              text,
    tipe                 text,
    gender               text,
    series               text,
    color                text,
    group_warna          text,
    size                 text,
    nama_variant         text,
    assortment           text,
    count_by_assortment  integer,
    status               text,
    tier_lama            text,
    tier_baru            text
);
create index kodemix_kode_besar_idx on portal.kodemix (lower(trim(kode_besar)), no_urut);

create table portal.hpprsp (
    kode        text,
    harga_beli  numeric(18, 2),   -- rupiah, used as cost of goods
    price_taq   numeric(18, 2),   -- rupiah, tag price
    rsp         numeric(18, 2)    -- rupiah, retail price
);

create table portal.stock_capacity (
    stock_location  text,
    branch          text,
    area            text,
    category        text,
    max_display     integer,
    max_stock       integer,
    storage         integer
);

-- The size columns vary between planogram versions; the portal import recreates this table
-- with the columns of the CSV it loads. Consumers detect them by name (DOMAIN.md §2.1).
create table portal.planogram (
    store_name   text,
    article_mix  text,
    area         text,
    gender       text,
    series       text,
    article      text,
    tier         text,
    size_18_19 numeric, size_20_21 numeric, size_22_23 numeric, size_24_25 numeric,
    size_25_26 numeric, size_27_28 numeric, size_29_30 numeric, size_31_32 numeric,
    size_33_34 numeric, size_35_36 numeric, size_36 numeric, size_37 numeric,
    size_38 numeric, size_39 numeric, size_39_40 numeric, size_40 numeric,
    size_41 numeric, size_41_42 numeric, size_42 numeric, size_43 numeric,
    size_43_44 numeric, size_44 numeric, size_45_46 numeric
);

create table portal.store_name_map (
    planogram_name     text primary key,
    stock_nama_gudang  text not null,
    branch             text,
    match_method       text not null check (match_method in ('manual', 'auto_exact', 'auto_fuzzy')),
    updated_at         timestamptz not null default now()
);

-- ---------------------------------------------------------------- raw (landing)

create table raw.load_history (
    id             bigserial primary key,
    source         text not null,
    entity         text,
    data_type      text not null,
    table_name     text not null,
    batch_id       uuid not null,
    date_from      date,
    date_to        date,
    rows_loaded    bigint,
    started_at     timestamptz not null default now(),
    finished_at    timestamptz,
    status         text not null check (status in ('running', 'success', 'failed')),
    error_message  text
);
create index load_history_recent_idx on raw.load_history (data_type, entity, started_at desc);

create table raw.iseller_sales (
    id                 bigserial,
    tanggal_pesanan    date not null,
    nomor_pesanan      text not null,
    kasir              text,
    toko               text,
    sku                text,
    barcode            text,
    nama_produk        text,
    jumlah             numeric(18, 4),
    harga              numeric(18, 2),
    diskon             numeric(18, 2),
    subtotal           numeric(18, 2),
    status_pembayaran  text,
    line_number        integer not null,
    source_file        text not null,
    source_line        integer not null,
    loaded_at          timestamptz not null default now(),
    load_batch_id      uuid,
    unique (nomor_pesanan, line_number)
);

-- One set of tables per Accurate entity, identical in shape.
do $$
declare
    e text;
begin
    foreach e in array array['ddd', 'ljbb', 'mbb', 'ubb'] loop
        -- Daily snapshots, one list partition per snapshot_date, swapped in atomically.
        execute format($f$
            create table raw.accurate_stock_%1$s (
                id             bigserial,
                kode_barang    text not null,
                nama_barang    text,
                nama_gudang    text not null,
                kuantitas      numeric(18, 4) not null,   -- pairs, may be negative
                unit_price     numeric(18, 2),            -- rupiah
                vendor_price   numeric(18, 2),            -- rupiah
                snapshot_date  date not null,
                loaded_at      timestamptz not null default now(),
                load_batch_id  uuid
            ) partition by list (snapshot_date)$f$, e);
        execute format(
            'create index accurate_stock_%1$s_gudang_idx on raw.accurate_stock_%1$s '
            '(snapshot_date, lower(trim(nama_gudang)))', e);

        execute format($f$
            create table raw.accurate_item_transfer_%1$s (
                id               bigserial primary key,
                trans_date       date not null,
                transfer_number  text not null,
                from_warehouse   text,
                to_warehouse     text,
                item_code        text not null,
                item_name        text,
                quantity         numeric(18, 4) not null,   -- pairs
                line_number      integer not null,
                snapshot_date    date not null,
                loaded_at        timestamptz not null default now(),
                load_batch_id    uuid,
                unique (transfer_number, item_code, line_number)
            )$f$, e);
        execute format(
            'create index accurate_item_transfer_%1$s_date_idx on raw.accurate_item_transfer_%1$s '
            '(trans_date, lower(trim(to_warehouse)))', e);
    end loop;

    foreach e in array array['ddd', 'mbb', 'ubb'] loop
        execute format($f$
            create table raw.accurate_sales_%1$s (
                id               bigserial primary key,
                tanggal          date not null,
                nama_departemen  text,
                nama_pelanggan   text,
                nomor_invoice    text not null,
                kode_produk      text not null,
                nama_barang      text,
                satuan           text,
                kuantitas        numeric(18, 4) not null,   -- pairs
                harga_satuan     numeric(18, 2),            -- rupiah
                total_harga      numeric(18, 2),            -- rupiah
                bpp              numeric(18, 2) default 0,  -- cost; 0 from the API
                nama_gudang      text,
                vendor_price     numeric(18, 2),
                dpp_amount       numeric(18, 2),
                tax_amount       numeric(18, 2),
                line_number      integer not null,
                snapshot_date    date not null,
                loaded_at        timestamptz not null default now(),
                load_batch_id    uuid,
                unique (nomor_invoice, kode_produk, tanggal, snapshot_date, line_number)
            )$f$, e);
        execute format(
            'create index accurate_sales_%1$s_tanggal_idx on raw.accurate_sales_%1$s '
            '(tanggal, lower(trim(nama_departemen)))', e);
    end loop;
end
$$;

-- ---------------------------------------------------------------- mart (report tables)

create table mart.ff_fa_fs_daily (
    report_date    date not null,
    branch         text,
    store_label    text not null,               -- planogram store name
    store_db_name  text not null,               -- stock warehouse name (nama_gudang)
    ff             numeric(6, 4) not null,      -- 0.6809 = 68.09 %
    fa             numeric(6, 4) not null,
    fs             numeric(10, 4) not null,     -- not capped: > 1 is overstock
    calculated_at  timestamptz not null default now(),
    primary key (report_date, store_db_name)
);

create table mart.stock_opname_l2_daily (
    snapshot_date       date not null,
    store_name          text not null,          -- lower-case nama_accurate
    gender_group        text not null check (gender_group in ('MEN', 'LADIES', 'BABY & KIDS')),
    branch              text,
    stock_qty           numeric(18, 4) not null,   -- pairs
    sales_qty           numeric(18, 4) not null,
    mutasi_in           numeric(18, 4) not null,
    prev_stock_qty      numeric(18, 4),
    expected_stock_qty  numeric(18, 4),
    selisih             numeric(18, 4),
    selisih_pct         numeric(10, 2),
    calculated_at       timestamptz not null default now(),
    primary key (snapshot_date, store_name, gender_group)
);
create index stock_opname_l2_store_idx on mart.stock_opname_l2_daily (store_name, snapshot_date desc);

-- ---------------------------------------------------------------- ops (opsbot's own state)

create table ops.job_runs (
    id             bigserial primary key,
    run_key        text not null unique,        -- "<job>:<business_date>[:<entity>]": one run per slot
    job            text not null,
    entity         text,
    business_date  date not null,               -- WIB date
    scheduled_for  timestamptz,
    started_at     timestamptz not null default now(),
    finished_at    timestamptz,
    status         text not null check (status in ('running', 'success', 'failed', 'skipped')),
    rows           bigint,
    error          text,
    triggered_by   text not null default 'schedule',
    attempt        integer not null default 1
);
create index job_runs_job_idx on ops.job_runs (job, business_date desc);

create table ops.alerts (
    id               bigserial primary key,
    key              text not null unique,
    severity         text not null check (severity in ('critical', 'warning', 'info')),
    title            text not null,
    detail           text,
    state            text not null check (state in ('open', 'acknowledged', 'muted', 'resolved')),
    first_seen       timestamptz not null default now(),
    last_seen        timestamptz not null default now(),
    count            integer not null default 1,
    acknowledged_by  text,
    acknowledged_at  timestamptz,
    muted_until      timestamptz,
    resolved_at      timestamptz,
    last_notified_at timestamptz,
    chat_id          bigint,
    message_id       bigint
);
create index alerts_open_idx on ops.alerts (state) where state <> 'resolved';

create table ops.alert_transitions (
    id            bigserial primary key,
    alert_id      bigint not null references ops.alerts (id),
    old_state     text,
    new_state     text not null,
    reason        text,
    created_at    timestamptz not null default now(),
    processed_at  timestamptz
);
create index alert_transitions_unprocessed_idx on ops.alert_transitions (id) where processed_at is null;

create table ops.bot_users (
    user_id     bigint primary key,
    name        text,
    role        text not null check (role in ('admin', 'lead', 'viewer')),
    branch      text,
    stores      text[] not null default '{}',   -- lower-case nama_accurate
    active      boolean not null default true,
    created_at  timestamptz not null default now()
);

create table ops.audit_log (
    id        bigserial primary key,
    at        timestamptz not null default now(),
    user_id   bigint,
    chat_id   bigint,
    command   text not null,
    args      text,
    outcome   text not null
);
create index audit_log_at_idx on ops.audit_log (at desc);

create table ops.outbox (
    id                bigserial primary key,
    idempotency_key   text not null unique,     -- what, for which date, to which chat
    chat_id           bigint not null,
    kind              text not null check (kind in ('text', 'photo', 'media_group')),
    payload           jsonb not null,           -- text / caption / parse mode
    status            text not null default 'pending'
                      check (status in ('pending', 'sending', 'sent', 'failed')),
    attempts          integer not null default 0,
    next_attempt_at   timestamptz not null default now(),
    last_error        text,
    message_ids       bigint[] not null default '{}',
    created_at        timestamptz not null default now(),
    sent_at           timestamptz
);
create index outbox_due_idx on ops.outbox (next_attempt_at) where status in ('pending', 'sending');

create table ops.outbox_attachments (
    outbox_id  bigint not null references ops.outbox (id) on delete cascade,
    position   integer not null,
    filename   text not null,
    content    bytea not null,
    primary key (outbox_id, position)
);
