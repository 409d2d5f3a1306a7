"""Response bodies of the emulator's endpoints, as pure functions of records and parameters."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import date
from typing import Any, Literal

from sandbox.accurate_emulator.auth import Credential
from sandbox.accurate_emulator.listing import Params, Row, first, list_envelope, parse_fields
from sandbox.accurate_emulator.records import EntityRecords

NOT_FOUND = {
    "sales-invoice": "Faktur Penjualan tidak tepat",
    "item-transfer": "Pemindahan Barang tidak tepat",
}
WAREHOUSE_NOT_FOUND = "Gudang tidak tepat"
DETAIL = "detailWarehouseData"
# How a list answer is built from its rows (AnswerBook.envelope plays wrong answers through it).
Envelope = Callable[[Sequence[Row], Params, int], dict[str, Any]]
OPEN_DB_MESSAGE = (
    "API Token ini sudah termasuk Sesi Database, Anda tidak perlu melakukan open-db.do lagi"
)


def api_token_body(
    credential: Credential,
    alias: str,
    host: str,
    host_key: Literal["database", "data usaha"],
) -> dict[str, Any]:
    """api-token.do success body (docs/accurate-api.md#host-discovery) with the database under
    `host_key`."""
    return {
        "s": True,
        "d": {
            host_key: {
                "id": credential.db_id,
                "alias": alias,
                "host": host,
                "admin": True,
                "license": {"licenseEnd": "31/12/2099", "trial": False},
            },
            "application": {"name": "opsbot", "appKey": f"emulator-{credential.db_id}"},
            "user": {"id": 36000, "email": "ops@zuma.example", "fullName": "Zuma Ops"},
            "tokenType": "api",
        },
    }


def data_body(
    records: EntityRecords,
    endpoint: str,
    params: Params,
    business_date: date,
    max_page_size: int,
    envelope: Envelope = list_envelope,
    *,
    item_detail_warehouses: bool | Literal["partial"] = True,
) -> dict[str, Any]:
    """The body of a data-layer call `endpoint` (e.g. `item/list-stock`) for one entity.

    `envelope` builds list answers (default: the right one). `item_detail_warehouses`:
    whether item/list.do honours `fields=detailWarehouseData` (docs/accurate-api.md#corrections
    leaves it open; when it does not, the name is silently dropped; "partial": honoured, but only
    every other warehouse of an item is listed, so its balances do not add up to list-stock's
    total).

    Raises:
        ListError: on a list request Accurate would refuse (unknown filter operator).
    """
    module, _, action = endpoint.partition("/")
    if action == "list":
        rows = {
            "warehouse": records.warehouse_rows,
            "item": records.item_rows,
            "sales-invoice": records.invoice_rows,
            "item-transfer": records.transfer_rows,
        }.get(module)
        if rows is not None:
            body = envelope(rows, params, max_page_size)
            if module == "item" and item_detail_warehouses and DETAIL in parse_fields(params):
                _add_balances(records, body["d"], business_date, item_detail_warehouses)
            return body
    if endpoint == "item/list-stock":
        return _list_stock(records, params, business_date, max_page_size, envelope)
    if action == "detail" and module in NOT_FOUND:
        return _detail(records, module, params)
    return {"s": False, "d": [f"Halaman {endpoint}.do tidak ditemukan"]}


def _add_balances(
    records: EntityRecords, page: list[dict[str, Any]], day: date, mode: bool | str
) -> None:
    """Give each item row of `page` its `detailWarehouseData` on `day` (by id)."""
    for row in page:
        item = records.items_by_id.get(row.get("id"))  # type: ignore[arg-type]
        entries = records.warehouse_balances(day, item.no) if item else []
        row[DETAIL] = entries[::2] if mode == "partial" else entries


def _detail(records: EntityRecords, module: str, params: Params) -> dict[str, Any]:
    raw_id, number = first(params, "id"), first(params, "number")
    found = None
    find = records.invoice if module == "sales-invoice" else records.transfer
    if raw_id is not None:
        if raw_id.strip().isdigit():
            found = find(int(raw_id), None)
    elif number:
        found = find(None, number)
    if found is None:
        return {"s": False, "d": [NOT_FOUND[module]]}
    return {"s": True, "d": found}


def _list_stock(
    records: EntityRecords,
    params: Params,
    business_date: date,
    max_page_size: int,
    envelope: Envelope,
) -> dict[str, Any]:
    """list-stock rows of one warehouse (`warehouseId` or `warehouseName`) or totals."""
    raw_id, name = first(params, "warehouseId"), first(params, "warehouseName")
    warehouse_id: int | None = None
    if raw_id is not None:
        found = records.warehouses_by_id.get(int(raw_id)) if raw_id.isdigit() else None
        if found is None:
            return {"s": False, "d": [WAREHOUSE_NOT_FOUND]}
        warehouse_id = found.id
    elif name is not None:
        by_name = records.warehouses_by_name.get(name)
        if by_name is None:
            return {"s": False, "d": [WAREHOUSE_NOT_FOUND]}
        warehouse_id = by_name.id
    rows = records.stock_rows(business_date, warehouse_id)
    return envelope(rows, params, max_page_size)
