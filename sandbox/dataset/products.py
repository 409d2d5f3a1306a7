"""The product catalog: articles, sizes and versions, as `portal.kodemix` and `portal.hpprsp`.

Codes follow the real scheme: kode besar `M1CA32Z42` = gender letter, version digit, series
code, article number (the kode, `M1CA32`), then `Z` and the size's first number. `kode_mix` is
the version-independent article code (the V1 kode); a second version `M2CA32` shares it.
Prices are whole rupiah.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field

from sandbox.dataset.common import Scale, gender_group, sub_rng

_MEN = [str(n) for n in range(39, 45)]
_LADIES = [str(n) for n in range(36, 41)]
_LADIES_JEPIT = ["35/36", "37/38", "39/40"]
_KIDS = ["27/28", "29/30", "31/32", "33/34"]
_JUNIOR = ["33/34", "35/36", "37/38"]
_BABY = ["19/20", "21/22", "23/24", "25/26"]

# series -> (code, tipe, base rsp)
_SERIES = {
    "Classic": ("CA", "Jepit", 79000),
    "Stripe": ("ST", "Jepit", 89000),
    "Blackseries": ("BS", "Jepit", 99000),
    "Slide": ("SL", "Fashion", 149000),
    "Airmove": ("AM", "Fashion", 229000),
    "Wedges": ("WD", "Fashion", 199000),
    "Luna": ("LU", "Fashion", 169000),
    "Dallas": ("DL", "Fashion", 189000),
    "Strappy": ("SP", "Fashion", 89000),
}
# gender -> (letter, casings seen on the sheet, series it comes in)
_GENDERS = {
    "Men": ("M", ("Men", "MEN"), ("Classic", "Stripe", "Blackseries", "Slide", "Airmove", "Dallas")),  # noqa: E501
    "Ladies": ("L", ("Ladies", "LADIES"), ("Classic", "Stripe", "Slide", "Airmove", "Wedges", "Luna")),  # noqa: E501
    "Baby": ("B", ("Baby", "BABY"), ("Classic", "Strappy")),
    "Boys": ("Y", ("Boys", "BOYS"), ("Classic", "Slide")),
    "Girls": ("G", ("Girls",), ("Classic", "Luna")),
    "Junior": ("J", ("Junior", "JUNIOR"), ("Classic", "Stripe")),
    "Kids": ("K", ("Kids", "KIDS", "kids"), ("Classic", "Strappy")),
}  # fmt: skip
_DEMO_COUNTS = {"Men": 10, "Ladies": 10, "Baby": 2, "Boys": 2, "Girls": 2, "Junior": 2, "Kids": 2}
_FULL_COUNTS = {
    "Men": 350, "Ladies": 350, "Baby": 60, "Boys": 60, "Girls": 60, "Junior": 60, "Kids": 60,
}  # fmt: skip
_COLORS = {
    "JET BLACK": "BLACK", "NAVY": "BLUE", "SKY BLUE": "BLUE", "OLIVE": "GREEN",
    "ARMY": "GREEN", "TOSCA": "GREEN", "MOCHA": "BROWN", "SAND": "BROWN", "WHITE": "WHITE",
    "CREAM": "WHITE", "GREY": "GREY", "RED": "RED", "MAROON": "RED", "PINK": "PINK",
    "LILAC": "PURPLE", "YELLOW": "YELLOW", "ORANGE": "ORANGE",
}  # fmt: skip
_TIERS = (("1", 10), ("2", 20), ("3", 35), ("4", 20), ("5", 10), ("8", 5))
_ASSORTMENT = {3: "4-4-4", 4: "3-3-3-3", 5: "2-2-3-3-2", 6: "1-2-3-3-2-1"}

UNKNOWN_ITEM = ("M1NW01Z41", "MEN NEW LAUNCH SAMPLE 41", 199000, 90000)

KODEMIX_HEADER = [
    "no_urut", "kode_besar", "kode", "kode_mix", "kode_mix_size", "article", "version", "tipe",
    "gender", "series", "color", "group_warna", "size", "nama_variant", "assortment",
    "count_by_assortment", "status", "tier_lama", "tier_baru",
]  # fmt: skip
HPPRSP_HEADER = ["kode", "harga_beli", "price_taq", "rsp"]


@dataclass(frozen=True)
class Sku:
    """One kode besar (article + size + version) with its master data; prices in rupiah."""

    kode_besar: str
    kode: str
    kode_mix: str
    size: str
    version: str
    gender: str
    group: str
    name: str
    rsp: int
    harga_beli: int


@dataclass
class Article:
    """One kode mix: what the planogram plans; `tier` is the effective tier."""

    kode_mix: str
    gender: str
    group: str
    series: str
    tipe: str
    article: str
    color: str
    tier: str
    sizes: list[str]
    kodes: list[str] = field(default_factory=list)


@dataclass
class Catalog:
    """Articles, their SKUs and the portal rows describing them."""

    articles: list[Article]
    skus: list[Sku]
    kodemix: list[list[str]]
    hpprsp: list[list[str]]
    duplicated: list[str]

    def by_group(self) -> dict[str, list[Sku]]:
        """SKUs per gender group, in catalog order."""
        out: dict[str, list[Sku]] = {}
        for sku in self.skus:
            out.setdefault(sku.group, []).append(sku)
        return out


def _sizes(gender: str, tipe: str) -> list[str]:
    if gender == "Men":
        return _MEN
    if gender == "Ladies":
        return _LADIES_JEPIT if tipe == "Jepit" else _LADIES
    return {"Baby": _BABY, "Junior": _JUNIOR}.get(gender, _KIDS)


def build_catalog(scale: Scale, seed: int) -> Catalog:
    """Generate the catalog for `scale` (demo ~30 articles, full ~1,000 / ~5,400 kodemix rows)."""
    rng = sub_rng(seed, "catalog")
    counts = _DEMO_COUNTS if scale == "demo" else _FULL_COUNTS
    articles: list[Article] = []
    next_no: dict[tuple[str, str], int] = {}
    for gender, count in counts.items():
        letter, _, series_list = _GENDERS[gender]
        for i in range(count):
            series = series_list[i % len(series_list)] if i < len(series_list) else None
            series = series or rng.choice(series_list)
            code, tipe, _ = _SERIES[series]
            key = (letter, code)
            next_no[key] = next_no.get(key, rng.randint(1, 20)) + 1
            kode_mix = f"{letter}1{code}{next_no[key]:02d}"
            color = rng.choice(list(_COLORS))
            tier = rng.choices([t for t, _ in _TIERS], [w for _, w in _TIERS])[0]
            word = gender.upper()
            articles.append(
                Article(
                    kode_mix,
                    gender,
                    gender_group(gender) or "",
                    series,
                    tipe,
                    f"{word} {series.upper()} {color}",
                    color,
                    tier,
                    _sizes(gender, tipe),
                )  # fmt: skip
            )
    # Second versions: the first Men and Ladies articles always, then ~12 % of the rest.
    second = {0, counts["Men"]} | {i for i in range(len(articles)) if rng.random() < 0.12}
    skus: list[Sku] = []
    kodemix: list[list[str]] = []
    hpprsp: list[list[str]] = []
    for i, art in enumerate(articles):
        letter, casings, _ = _GENDERS[art.gender]
        _, _, base = _SERIES[art.series]
        kids = art.group == "BABY & KIDS"
        rsp = base - (20000 if kids else 0) + 10000 * rng.randint(-1, 2)
        status = rng.choices(["ACTIVE", "DISCONTINUE", ""], [85, 12, 3])[0]
        tier_lama = art.tier if rng.random() < 0.7 else rng.choice(["2", "3", "4", ""])
        tier_baru = art.tier if rng.random() < 0.85 else ""
        art.tier = tier_baru or tier_lama or "3"  # coalesce(tier_baru, tier_lama, '3')
        for version in ("V1", "V2") if i in second else ("V1",):
            kode = art.kode_mix if version == "V1" else art.kode_mix.replace("1", "2", 1)
            art.kodes.append(kode)
            harga_beli = round(rsp * rng.uniform(0.38, 0.5) / 500) * 500
            hpprsp.append(_hpprsp_row(kode, harga_beli, rsp, len(hpprsp)))
            gender_text = rng.choice(casings)
            for size in art.sizes:
                kode_besar = f"{kode}Z{size.split('/')[0]}"
                sku = Sku(
                    kode_besar, kode, art.kode_mix, size, version, gender_text, art.group,
                    f"{art.article} {size}", rsp, harga_beli,
                )  # fmt: skip
                skus.append(sku)
                written = kode_besar
                if rng.random() < 0.02:  # the sheet's mixed case and stray spaces
                    written = kode_besar.lower() if rng.random() < 0.5 else kode_besar + " "
                kodemix.append(
                    [
                        str(len(kodemix) + 1),
                        written,
                        kode,
                        art.kode_mix,
                        f"{art.kode_mix}-{size}",
                        art.article,
                        version,
                        art.tipe,
                        gender_text,
                        art.series,
                        art.color,
                        _COLORS[art.color] if rng.random() > 0.03 else "",
                        size,
                        f"{art.series.upper()} {art.color}",
                        _ASSORTMENT[len(art.sizes)],
                        "12",
                        status,
                        tier_lama,
                        tier_baru,
                    ]  # fmt: skip
                )
    duplicated = _duplicate_rows(rng, kodemix, 3 if scale == "demo" else 40)
    return Catalog(articles, skus, kodemix, hpprsp, duplicated)


def _hpprsp_row(kode: str, harga_beli: int, rsp: int, index: int) -> list[str]:
    taq = rsp + (10000 if index % 5 == 0 else 0)
    # Sheets exports some currency cells formatted; one cost was never filled in.
    taq_text = f"Rp {taq:,}".replace(",", ".") if index % 17 == 3 else str(taq)
    return [kode, "" if index == 7 else str(harga_beli), taq_text, str(rsp)]


def _duplicate_rows(rng: random.Random, kodemix: list[list[str]], count: int) -> list[str]:
    """Append older-version copies of `count` rows (higher no_urut, other tier and casing)."""
    picks = rng.sample(range(len(kodemix)), count)
    duplicated = []
    base = len(kodemix)
    for n, index in enumerate(sorted(picks)):
        row = list(kodemix[index])
        duplicated.append(row[1].strip().upper())
        row[0] = str(base + 1000 + n)
        row[1] = row[1].strip().lower()
        row[6] = "V0"
        row[8] = row[8].upper() if row[8] != row[8].upper() else row[8].capitalize()
        row[16] = "DISCONTINUE"
        row[17], row[18] = "5", ""
        kodemix.append(row)
    return duplicated
