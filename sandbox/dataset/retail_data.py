"""The retail network as the operators name it (their store list, tests/data/retail_stores.csv)."""

# The operators' store list (branch, area, nama_accurate lower-case, planogram abbreviation,
# example nama_gudang); tests check it still matches tests/data/retail_stores.csv.
RETAIL_STORES_CSV = """\
branch,area,nama_accurate_lower,planogram_abbreviation,example_nama_gudang
Jatim,Jatim,zuma city of tomorrow mall,CITO,Zuma City of Tomorrow
Jatim,Jatim,zuma galaxy mall,GM,ZUMA GALAXY MALL
Jatim,Jatim,zuma icon gresik,ICON,Zuma Icon Mall Gresik
Jatim,Jatim,zuma lippo batu,BATU,Zuma Lippo Batu
Jatim,Jatim,zuma lippo sidoarjo,SDA,Zuma Lippo Sidoarjo
Jatim,Jatim,zuma mall olympic garden,MOG,Zuma MOG
Jatim,Jatim,zuma matos,MATOS,Zuma MATOS
Jatim,Jatim,zuma ptc,PTC,Zuma PTC
Jatim,Jatim,zuma royal plaza,ROYAL,Zuma Royal Plaza
Jatim,Jatim,zuma sunrise mall,SUNRISE,Zuma Sunrise Mall Mojokerto
Jatim,Jatim,zuma tunjungan plaza,TP,Zuma Tunjungan Plaza 3
Bali,Bali 1,zuma bajra,,Zuma Bajra
Bali,Bali 2,zuma bangli,,Zuma Bangli
Bali,Bali 3,zuma batubulan,,Zuma Batubulan
Bali,Bali 1,zuma dalung,,ZUMA Dalung
Bali,Bali 2,zuma gianyar,,Zuma Gianyar
Bali,Bali 3,zuma icon bali,,Zuma Icon Bali
Bali,Bali 1,zuma jembrana,,Zuma Jembrana
Bali,Bali 2,zuma kapal,,Zuma Kapal
Bali,Bali 3,zuma karangasem,,Zuma Karangasem
Bali,Bali 1,zuma kedonganan,,Zuma Kedonganan
Bali,Bali 2,zuma kesiman,,Zuma Kesiman
Bali,Bali 3,zuma klungkung,,Zuma Klungkung
Bali,Bali 1,zuma lebah peliatan,,Zuma Lebah Peliatan
Bali,Bali 2,zuma level 21,,Zuma Level 21
Bali,Bali 3,zuma lippo bali,,Zuma Lippo Bali
Bali,Bali 1,zuma living world,,Zuma Living World
Bali,Bali 2,zuma mall bali galeria,,Zuma Mall Bali Galeria
Bali,Bali 3,zuma monang maning,,Zuma Monang Maning
Bali,Bali 1,zuma monkey forest ubud,,Zuma Monkey Forest Ubud
Bali,Bali 2,zuma panjer,,Zuma Panjer
Bali,Bali 3,zuma peguyangan,,Zuma Peguyangan
Bali,Bali 1,zuma peliatan,,Zuma Peliatan
Bali,Bali 2,zuma pemogan,,Zuma Pemogan
Bali,Bali 3,zuma penatih,,Zuma Penatih
Bali,Bali 1,zuma seminyak village,,Zuma Seminyak Village
Bali,Bali 2,zuma seririt,,Zuma Seririt
Bali,Bali 3,zuma singaraja,,Zuma Singaraja
Bali,Bali 1,zuma tabanan,,Zuma Tabanan
Bali,Bali 2,zuma tanah lot,,Zuma Tanah Lot
Bali,Bali 3,zuma tsm bali,,Zuma Tsm Bali
Bali,Bali 1,zuma uluwatu,,Zuma Uluwatu
Jakarta,Jakarta,zuma bintaro exchange,,Zuma Bintaro Xchange
Jakarta,Jakarta,zuma cinere bellevue mall,,Zuma Cinere Bellevue
Jakarta,Jakarta,zuma lippo mall puri,,Zuma Lippo Mall Puri
Jakarta,Jakarta,zuma moi,,ZUMA MALL OF INDONESIA (MOI)
Jakarta,Jakarta,zuma pluit village,,Zuma Pluit Village
Lombok,Lombok,zuma epicentrum,,Zuma Epicentrum
Lombok,Lombok,zuma mataram,,Zuma Mataram
Batam,Batam,zuma k square mall batam,,Zuma K Square Mall Batam
Batam,Batam,zuma nagoya hills,,Zuma Nagoya Hill Batam
Sumatra,Sumatra,zuma ska mall,,Zuma SKA MALL
Sulawesi,Sulawesi,zuma mega mall,,Zuma Mega Mall Manado
Online,Online,zuma online,,Zuma Online
Online,Online,online,,Online MBB
"""
