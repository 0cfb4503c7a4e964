"""Demo conversations in Indonesian (see storedesk.demo.data for the scenario format)."""

from __future__ import annotations

from typing import Any

SCENARIOS: list[dict[str, Any]] = [
    {
        "key": "id-di-mana-pesanan", "inbox": "email", "language": "id", "hours_ago": 50,
        "shopper": {"id": "dewi.lestari@id.example", "name": "Dewi Lestari",
                    "email": "dewi.lestari@id.example"},
        "subject": "Di mana pesanan saya?",
        "steps": [
            {"at": 0, "in": "Halo, pesanan saya LL-10450 belum sampai padahal sudah lewat "
                            "seminggu. Bisa tolong dicek di mana paketnya?"},
            {"at": 28, "reply": "Halo Kak Dewi, paket Kakak sudah tiba di gudang JNE Jakarta "
                                "Selatan dan dijadwalkan diantar besok. Nomor resinya "
                                "JNE0012345678.", "by": "putri"},
            {"at": 900, "in": "Sudah sampai, terima kasih banyak!"},
        ],
        "assignee": "putri", "team": "Support", "tags": ["where-is-my-order"],
        "priority": "normal", "status": "resolved",
    },
    {
        "key": "id-pengembalian", "inbox": "chat", "language": "id", "hours_ago": 7,
        "shopper": {"id": "visitor-id-2290", "name": "Rizky", "email": "rizky.pratama@example.com"},
        "steps": [
            {"at": 0, "in": "Saya mau mengembalikan sarung bantal, warnanya beda dengan di foto. "
                            "Bagaimana caranya?"},
            {"at": 4, "reply": "Halo Kak Rizky, bisa kok! Label pengembalian gratis sudah kami "
                               "kirim ke email Kakak. Silakan kirim barangnya dalam 30 hari.",
             "by": "putri"},
            {"at": 7, "in": "Apakah ongkos kirimnya ditanggung toko?"},
        ],
        "assignee": "putri", "team": "Returns", "tags": ["return"], "priority": "normal",
        "status": "open",
    },
    {
        "key": "id-batalkan-pesanan", "inbox": "chat", "language": "id", "hours_ago": 80,
        "shopper": {"id": "visitor-id-6612", "name": "Siti", "email": ""},
        "steps": [
            {"at": 0, "in": "Tolong batalkan pesanan LL-10410, saya salah pilih ukuran seprai."},
            {"at": 3, "reply": "Baik Kak Siti, pesanan LL-10410 sudah kami batalkan. Dana akan "
                               "dikembalikan dalam 3-5 hari kerja.", "by": "putri"},
        ],
        "assignee": "putri", "tags": ["cancellation"], "priority": "normal",
        "status": "resolved",
    },
    {
        "key": "id-ganti-alamat", "inbox": "email", "language": "id", "hours_ago": 2,
        "shopper": {"id": "agus.santoso@id.example", "name": "Agus Santoso",
                    "email": "agus.santoso@id.example"},
        "subject": "Ganti alamat pengiriman LL-10605",
        "steps": [
            {"at": 0, "in": "Selamat siang, mohon alamat pengiriman pesanan LL-10605 diganti ke "
                            "Jl. Melati No. 8, Bandung 40115. Paketnya belum dikirim, kan?"},
            {"at": 12, "note": "Gudang sedang mengemas LL-10605. @alex bisa tahan pengiriman "
                               "sampai alamat diperbarui?", "by": "putri"},
        ],
        "assignee": "putri", "tags": ["address-change"], "priority": "urgent", "status": "open",
    },
    {
        "key": "id-ongkos-kirim", "inbox": "api", "language": "id", "hours_ago": 12,
        "shopper": {"id": "customer-5178", "name": "Wulan Sari", "email": "wulan.sari@example.com"},
        "steps": [
            {"at": 0, "in": "Berapa ongkos kirim ke Surabaya untuk dua set handuk?"},
        ],
        "tags": ["shipping"], "priority": "low", "status": "open",
    },
    {
        "key": "id-pujian", "inbox": "chat", "language": "id", "hours_ago": 104,
        "shopper": {"id": "visitor-id-9001", "name": "Nadia", "email": "nadia.h@example.com"},
        "steps": [
            {"at": 0, "in": "Selimutnya lembut sekali dan pengirimannya cepat. Terima kasih, "
                            "Lumen & Loom!"},
            {"at": 10, "reply": "Terima kasih banyak, Kak Nadia! Senang sekali Kakak suka "
                                "selimutnya.", "by": "putri"},
        ],
        "assignee": "putri", "tags": ["compliment"], "priority": "low", "status": "closed",
    },
]
