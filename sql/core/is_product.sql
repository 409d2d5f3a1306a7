-- Non-products (docs/metrics.md#shared-rules; the operators' rules): shopping bags, hangers, paper bags,
-- thermal rolls, Luca boxes, gifts with purchase. `article` falls back on `nama_barang` so that a
-- code missing from kodemix is judged by its name, never dropped.
create or replace function core.is_product(article text, nama_barang text, kode_besar text)
returns boolean
language sql immutable parallel safe
return not (
    coalesce(upper(coalesce(article, nama_barang)), '')
        ~ '(SHOPPING BAG|HANGER|PAPER BAG|THERMAL|BOX LUCA)'
    or coalesce(lower(trim(kode_besar)), '') ~ '^(gwp|hanger|paperbag|shopbag)'
);
