"""The demo as plain data: Lumen & Loom, a fictional home-textiles store, and its support desk.

Adding a scenario is adding a dict to CONVERSATIONS (the loader seeds any scenario whose first
message is not in the database yet, so an existing demo picks new ones up on the next run).

A scenario:
    key          unique; the inbound messages get source_id "demo:<key>:<n>"
    inbox        a key of INBOXES ("api", "email", "chat")
    language     en, pl, tr, id, th
    hours_ago    when the shopper first wrote
    shopper      {"id": sender id on the channel, "name", "email"}
    subject      optional (email)
    steps        in time order; "at" is minutes after the first message:
                   {"at": 0, "in": "text", "attachments": ["file.png"]}   the shopper writes
                   {"at": 9, "reply": "text", "by": "kasia"}              an agent answers
                   {"at": 12, "note": "text", "by": "alex"}              a private note
    assignee     an agent key, team a team name, tags, priority, status (final state)

Replies only on the email and chat inboxes: the demo API inbox has no webhook_url, so a reply
there fails delivery by design (that is correct behaviour, not demo material).
"""

from __future__ import annotations

from typing import Any

ACCOUNT: dict[str, Any] = {
    "name": "Lumen & Loom",
    "slug": "lumen-loom",
    "languages": ["en", "pl", "tr", "id", "th"],
}

STORE: dict[str, Any] = {
    "slug": "lumen-loom",
    "name": "Lumen & Loom",
    "platform": "custom",
    "url": "https://lumenloom.example",
    "currency": "EUR",
}

OWNER_EMAIL = "admin@example.com"
PASSWORD = "storedesk-demo"  # noqa: S105 - the documented demo password

AGENTS: list[dict[str, Any]] = [
    {"key": "alex", "email": OWNER_EMAIL, "name": "Alex Morgan", "role": "owner",
     "language": "en"},
    {"key": "kasia", "email": "kasia@lumenloom.example", "name": "Kasia Nowak", "role": "agent",
     "language": "pl"},
    {"key": "emre", "email": "emre@lumenloom.example", "name": "Emre Demir", "role": "agent",
     "language": "tr"},
    {"key": "putri", "email": "putri@lumenloom.example", "name": "Putri Wulandari",
     "role": "agent", "language": "id"},
    {"key": "nok", "email": "nok@lumenloom.example", "name": "Nok Srisuk", "role": "agent",
     "language": "th"},
    {"key": "sam", "email": "sam@lumenloom.example", "name": "Sam Rivera",
     "role": "light_agent", "language": "en"},
]

TEAMS: dict[str, list[str]] = {
    "Support": ["alex", "kasia", "emre", "putri", "nok"],
    "Returns": ["kasia", "emre", "sam"],
}

INBOXES: dict[str, dict[str, Any]] = {
    "api": {"name": "Store API", "channel": "api", "config": {}},
    "email": {"name": "Support email", "channel": "email",
              "config": {"address": "support@lumenloom.example"}},
    "chat": {"name": "Website chat", "channel": "webchat",
             "config": {"greeting": "Hi! Questions about an order? We're here."}},
}

# Tag name -> colour; scenarios may use other tags too (they get the default colour).
TAGS: dict[str, str] = {
    "where-is-my-order": "#2563eb",
    "return": "#7c3aed",
    "refund": "#0d9488",
    "cancellation": "#dc2626",
    "address-change": "#d97706",
    "shipping": "#0284c7",
    "damaged": "#b91c1c",
    "replacement": "#9333ea",
    "compliment": "#16a34a",
}

# --- English --------------------------------------------------------------------------------

ENGLISH: list[dict[str, Any]] = [
    {
        "key": "en-where-is-my-order", "inbox": "email", "language": "en", "hours_ago": 76,
        "shopper": {"id": "maya.chen@example.net", "name": "Maya Chen",
                    "email": "maya.chen@example.net"},
        "subject": "Where is my order LL-10421?",
        "steps": [
            {"at": 0, "in": "Hi, I ordered the sage linen duvet set (order LL-10421) eight days "
                            "ago and the tracking page hasn't moved since Monday. Is it lost?"},
            {"at": 22, "reply": "Hi Maya, thanks for your patience! The parcel is at the DPD depot "
                                "in Leipzig and is scheduled for delivery tomorrow between 10:00 "
                                "and 14:00. You'll get a text from DPD in the morning.",
             "by": "alex"},
            {"at": 1460, "in": "It arrived, and it's gorgeous. Thank you!"},
        ],
        "assignee": "alex", "team": "Support", "tags": ["where-is-my-order"],
        "priority": "normal", "status": "resolved",
    },
    {
        "key": "en-damaged-throw", "inbox": "email", "language": "en", "hours_ago": 5,
        "shopper": {"id": "oliver.grant@example.org", "name": "Oliver Grant",
                    "email": "oliver.grant@example.org"},
        "subject": "Wool throw arrived torn",
        "steps": [
            {"at": 0, "in": "Hello, the herringbone wool throw from order LL-10577 arrived with a "
                            "long tear along the fringe. Photo attached. I'd like a replacement, "
                            "please - it's a gift for Saturday.",
             "attachments": ["torn-throw.png"]},
            {"at": 11, "note": "Photo confirms a manufacturing fault. @kasia can Returns approve "
                               "an express replacement without waiting for the return?",
             "by": "alex"},
            {"at": 25, "reply": "Oliver, I'm so sorry about that. We're sending a new throw by "
                                "express today so it arrives before Saturday. A prepaid return "
                                "label for the damaged one is on its way by email - no rush.",
             "by": "kasia"},
        ],
        "assignee": "kasia", "team": "Returns", "tags": ["damaged", "replacement"],
        "priority": "high", "status": "open",
    },
    {
        "key": "en-shipping-cost", "inbox": "chat", "language": "en", "hours_ago": 30,
        "shopper": {"id": "visitor-7f3a91", "name": "Priya", "email": ""},
        "steps": [
            {"at": 0, "in": "hi! how much is shipping to Canada?"},
            {"at": 2, "reply": "Hi Priya! Shipping to Canada is EUR 14.90 and free on orders "
                               "over EUR 120. Delivery takes 5-8 business days.", "by": "alex"},
            {"at": 4, "in": "great, thanks"},
        ],
        "assignee": "alex", "tags": ["shipping"], "priority": "low", "status": "resolved",
    },
    {
        "key": "en-compliment", "inbox": "chat", "language": "en", "hours_ago": 98,
        "shopper": {"id": "visitor-c02d44", "name": "Hannah Brooks",
                    "email": "hannah.brooks@example.com"},
        "steps": [
            {"at": 0, "in": "Just wanted to say the stonewashed linen sheets are the best I've "
                            "ever slept in. Ordering a second set!"},
            {"at": 6, "reply": "That made our day, Hannah - thank you! We'll pass it on to the "
                               "weavers.", "by": "alex"},
        ],
        "assignee": "alex", "tags": ["compliment"], "priority": "low", "status": "closed",
    },
    {
        "key": "en-cancel-order", "inbox": "api", "language": "en", "hours_ago": 2,
        "shopper": {"id": "customer-2207", "name": "Daniel Okafor",
                    "email": "daniel.okafor@example.net"},
        "steps": [
            {"at": 0, "in": "Please cancel order LL-10602, I ordered the wrong size of the "
                            "fitted sheet. It was placed 10 minutes ago."},
            {"at": 8, "note": "Order LL-10602 is still unfulfilled. Cancelling it in the store "
                              "admin; the refund goes back to the card in 3-5 days.",
             "by": "alex"},
        ],
        "assignee": "alex", "team": "Support", "tags": ["cancellation"],
        "priority": "urgent", "status": "pending",
    },
    {
        "key": "en-change-address", "inbox": "email", "language": "en", "hours_ago": 9,
        "shopper": {"id": "lucy.martin@example.com", "name": "Lucy Martin",
                    "email": "lucy.martin@example.com"},
        "subject": "Change delivery address for LL-10588",
        "steps": [
            {"at": 0, "in": "Hi, I'm moving this weekend. Could you send order LL-10588 to "
                            "14 Orchard Lane, Bristol BS6 5QE instead?"},
            {"at": 35, "reply": "Hi Lucy, done - LL-10588 will now go to 14 Orchard Lane, "
                                "Bristol BS6 5QE. You'll receive an updated confirmation "
                                "shortly.", "by": "alex"},
        ],
        "assignee": "alex", "tags": ["address-change"], "priority": "normal", "status": "pending",
    },
]

# --- Polish ---------------------------------------------------------------------------------

POLISH: list[dict[str, Any]] = [
    {
        "key": "pl-gdzie-zamowienie", "inbox": "email", "language": "pl", "hours_ago": 54,
        "shopper": {"id": "anna.kowalska@example.pl", "name": "Anna Kowalska",
                    "email": "anna.kowalska@example.pl"},
        "subject": "Gdzie jest moje zamówienie LL-10433?",
        "steps": [
            {"at": 0, "in": "Dzień dobry, zamówiłam komplet pościeli lnianej tydzień temu i "
                            "nadal nie dostałam numeru przesyłki. Kiedy mogę się spodziewać "
                            "paczki?"},
            {"at": 18, "reply": "Dzień dobry, Pani Anno! Paczka została nadana wczoraj przez "
                                "InPost, numer przesyłki to 6200 1234 5678. Dostawa do "
                                "paczkomatu powinna nastąpić jutro.", "by": "kasia"},
            {"at": 300, "in": "Dziękuję bardzo, już widzę przesyłkę w aplikacji."},
        ],
        "assignee": "kasia", "team": "Support", "tags": ["where-is-my-order"],
        "priority": "normal", "status": "resolved",
    },
    {
        "key": "pl-zwrot-poszewek", "inbox": "email", "language": "pl", "hours_ago": 27,
        "shopper": {"id": "tomasz.wisniewski@example.pl", "name": "Tomasz Wiśniewski",
                    "email": "tomasz.wisniewski@example.pl"},
        "subject": "Zwrot poszewek",
        "steps": [
            {"at": 0, "in": "Chciałbym zwrócić dwie poszewki na poduszki z zamówienia "
                            "LL-10490 - kolor jest inny niż na zdjęciu. Jak to zrobić?"},
            {"at": 40, "reply": "Dzień dobry, Panie Tomaszu. Oczywiście! Wysłaliśmy e-mailem "
                                "darmową etykietę zwrotną. Prosimy zapakować poszewki i nadać "
                                "je w dowolnym punkcie InPost w ciągu 30 dni.", "by": "kasia"},
            {"at": 45, "note": "Etykieta zwrotna wygenerowana. Zwrot pieniędzy po przyjęciu "
                               "paczki w magazynie.", "by": "kasia"},
        ],
        "assignee": "kasia", "team": "Returns", "tags": ["return"],
        "priority": "normal", "status": "pending",
    },
    {
        "key": "pl-status-zwrotu-pieniedzy", "inbox": "chat", "language": "pl", "hours_ago": 3,
        "shopper": {"id": "visitor-pl-5521", "name": "Magdalena",
                    "email": "magda.zielinska@example.pl"},
        "steps": [
            {"at": 0, "in": "Hej, odesłałam narzutę dwa tygodnie temu i wciąż nie mam zwrotu "
                            "pieniędzy. Co się dzieje?"},
            {"at": 3, "reply": "Cześć Magdaleno, już sprawdzam. Paczka dotarła do nas w "
                               "piątek, zwrot zlecę dziś - pieniądze pojawią się na koncie w "
                               "ciągu 3-5 dni roboczych.", "by": "kasia"},
            {"at": 5, "in": "Dobrze, a czy dostanę potwierdzenie mailem?"},
        ],
        "assignee": "kasia", "tags": ["refund"], "priority": "high", "status": "open",
    },
    {
        "key": "pl-zmiana-adresu", "inbox": "chat", "language": "pl", "hours_ago": 70,
        "shopper": {"id": "visitor-pl-8830", "name": "Piotr", "email": ""},
        "steps": [
            {"at": 0, "in": "Czy mogę zmienić adres dostawy? Podałem stary adres w Krakowie, "
                            "a mieszkam już w Gdańsku: ul. Długa 12/4, 80-827 Gdańsk."},
            {"at": 4, "reply": "Jasne, Panie Piotrze - zamówienie nie zostało jeszcze wysłane, "
                               "więc zmieniłam adres na ul. Długa 12/4, 80-827 Gdańsk.",
             "by": "kasia"},
        ],
        "assignee": "kasia", "tags": ["address-change"], "priority": "normal",
        "status": "resolved",
    },
    {
        "key": "pl-anulowanie", "inbox": "api", "language": "pl", "hours_ago": 1,
        "shopper": {"id": "customer-3114", "name": "Katarzyna Lewandowska",
                    "email": "k.lewandowska@example.pl"},
        "steps": [
            {"at": 0, "in": "Proszę o anulowanie zamówienia LL-10611. Kupiłam przez pomyłkę "
                            "dwa razy to samo."},
        ],
        "tags": ["cancellation"], "priority": "high", "status": "open",
    },
    {
        "key": "pl-pochwala", "inbox": "email", "language": "pl", "hours_ago": 115,
        "shopper": {"id": "ewa.nowicka@example.pl", "name": "Ewa Nowicka",
                    "email": "ewa.nowicka@example.pl"},
        "subject": "Podziękowanie",
        "steps": [
            {"at": 0, "in": "Chciałam tylko podziękować - ręczniki są cudownie miękkie, a "
                            "paczka była pięknie zapakowana. Na pewno jeszcze coś zamówię!"},
            {"at": 50, "reply": "Pani Ewo, bardzo dziękujemy za miłe słowa! Przekażemy je "
                                "zespołowi pakującemu.", "by": "kasia"},
        ],
        "assignee": "kasia", "tags": ["compliment"], "priority": "low", "status": "closed",
    },
]

# --- Turkish --------------------------------------------------------------------------------

TURKISH: list[dict[str, Any]] = [
    {
        "key": "tr-siparisim-nerede", "inbox": "chat", "language": "tr", "hours_ago": 4,
        "shopper": {"id": "visitor-tr-1203", "name": "Zeynep", "email": "zeynep.kaya@example.com"},
        "steps": [
            {"at": 0, "in": "Merhaba, LL-10595 numaralı siparişim nerede? Üç gün önce kargoya "
                            "verildi dendi ama takip numarası çalışmıyor."},
            {"at": 5, "reply": "Merhaba Zeynep Hanım, kontrol ettim: kargo bugün Aras Kargo "
                               "İstanbul aktarma merkezine ulaştı. Takip numarası yarın sabah "
                               "aktif olacak.", "by": "emre"},
            {"at": 9, "in": "Tamam, yarın teslim edilir mi sizce?"},
        ],
        "assignee": "emre", "team": "Support", "tags": ["where-is-my-order"],
        "priority": "normal", "status": "open",
    },
    {
        "key": "tr-hasarli-havlu", "inbox": "email", "language": "tr", "hours_ago": 20,
        "shopper": {"id": "mehmet.celik@example.com.tr", "name": "Mehmet Çelik",
                    "email": "mehmet.celik@example.com.tr"},
        "subject": "Hasarlı ürün - LL-10540",
        "steps": [
            {"at": 0, "in": "İyi günler, LL-10540 siparişimdeki banyo havlusu yırtık geldi. "
                            "Fotoğrafı ekte gönderiyorum. Değişim yapabilir misiniz?",
             "attachments": ["yirtik-havlu.png"]},
            {"at": 14, "note": "Fotoğraf net, üretim hatası. Değişim onaylandı, depoya bildirdim.",
             "by": "emre"},
            {"at": 20, "reply": "Mehmet Bey, yaşadığınız sorun için özür dileriz. Yeni havlunuz "
                                "yarın kargoya verilecek; hasarlı ürünü iade etmenize gerek "
                                "yok.", "by": "emre"},
        ],
        "assignee": "emre", "team": "Returns", "tags": ["damaged", "replacement"],
        "priority": "high", "status": "open",
    },
    {
        "key": "tr-kargo-ucreti", "inbox": "chat", "language": "tr", "hours_ago": 60,
        "shopper": {"id": "visitor-tr-7781", "name": "Ayşe", "email": ""},
        "steps": [
            {"at": 0, "in": "Türkiye'ye kargo ücreti ne kadar?"},
            {"at": 3, "reply": "Merhaba Ayşe Hanım, Türkiye'ye gönderim 12,90 EUR; 120 EUR ve "
                               "üzeri siparişlerde kargo ücretsiz. Teslimat 4-7 iş günü sürer.",
             "by": "emre"},
        ],
        "assignee": "emre", "tags": ["shipping"], "priority": "low", "status": "resolved",
    },
    {
        "key": "tr-iade-durumu", "inbox": "email", "language": "tr", "hours_ago": 44,
        "shopper": {"id": "burak.ozturk@example.com.tr", "name": "Burak Öztürk",
                    "email": "burak.ozturk@example.com.tr"},
        "subject": "Para iadem ne zaman yapılacak?",
        "steps": [
            {"at": 0, "in": "Merhaba, nevresim takımını 10 gün önce iade ettim ama paramı hâlâ "
                            "alamadım. Ne zaman hesabıma geçer?"},
            {"at": 65, "reply": "Burak Bey, iadeniz depomuza ulaştı ve onaylandı. Ödemeniz "
                                "bugün kartınıza iade edildi; bankanıza bağlı olarak 3-5 iş "
                                "günü içinde görünecektir.", "by": "emre"},
        ],
        "assignee": "emre", "tags": ["refund"], "priority": "normal", "status": "pending",
    },
    {
        "key": "tr-siparis-iptali", "inbox": "api", "language": "tr", "hours_ago": 6,
        "shopper": {"id": "customer-4420", "name": "Elif Arslan",
                    "email": "elif.arslan@example.com"},
        "steps": [
            {"at": 0, "in": "Siparişimi iptal etmek istiyorum, LL-10599. Henüz kargoya "
                            "verilmediyse lütfen iptal edin."},
        ],
        "tags": ["cancellation"], "priority": "high", "status": "open",
    },
    {
        "key": "tr-iade-talebi", "inbox": "chat", "language": "tr", "hours_ago": 33,
        "shopper": {"id": "visitor-tr-3390", "name": "Can", "email": "can.yildiz@example.com"},
        "steps": [
            {"at": 0, "in": "Aldığım keten perdeyi iade etmek istiyorum, boyu kısa geldi."},
            {"at": 6, "reply": "Merhaba Can Bey, iade etiketiniz e-posta adresinize gönderildi. "
                               "Ürünü 30 gün içinde herhangi bir Yurtiçi Kargo şubesine "
                               "teslim edebilirsiniz.", "by": "emre"},
            {"at": 8, "note": "Müşteri hafta sonu kargolayacak; pazartesi kontrol et.",
             "by": "emre"},
        ],
        "assignee": "emre", "team": "Returns", "tags": ["return"], "priority": "normal",
        "status": "snoozed",
    },
]

# --- Indonesian -----------------------------------------------------------------------------

INDONESIAN: list[dict[str, Any]] = [
    {
        "key": "id-di-mana-pesanan", "inbox": "email", "language": "id", "hours_ago": 50,
        "shopper": {"id": "dewi.lestari@example.co.id", "name": "Dewi Lestari",
                    "email": "dewi.lestari@example.co.id"},
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
        "shopper": {"id": "agus.santoso@example.co.id", "name": "Agus Santoso",
                    "email": "agus.santoso@example.co.id"},
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

# --- Thai -----------------------------------------------------------------------------------

THAI: list[dict[str, Any]] = [
    {
        "key": "th-pasadu-yu-tinai", "inbox": "chat", "language": "th", "hours_ago": 3,
        "shopper": {"id": "visitor-th-4410", "name": "Ploy", "email": "ploy.s@example.co.th"},
        "steps": [
            {"at": 0, "in": "สวัสดีค่ะ พัสดุคำสั่งซื้อ LL-10597 ของฉันอยู่ที่ไหนคะ "
                            "สั่งไปห้าวันแล้วยังไม่ได้รับเลย"},
            {"at": 4, "reply": "สวัสดีค่ะคุณพลอย พัสดุอยู่ที่ศูนย์กระจายสินค้า Kerry "
                               "กรุงเทพฯ และจะจัดส่งภายในวันพรุ่งนี้ค่ะ", "by": "nok"},
            {"at": 6, "in": "ขอเลขพัสดุด้วยได้ไหมคะ"},
        ],
        "assignee": "nok", "team": "Support", "tags": ["where-is-my-order"],
        "priority": "normal", "status": "open",
    },
    {
        "key": "th-sathana-kuen-ngoen", "inbox": "email", "language": "th", "hours_ago": 40,
        "shopper": {"id": "somchai.k@example.co.th", "name": "Somchai Kittisak",
                    "email": "somchai.k@example.co.th"},
        "subject": "สอบถามสถานะการคืนเงิน",
        "steps": [
            {"at": 0, "in": "เรียนทีมงาน ผมส่งผ้าปูที่นอนคืนไปเมื่อสองสัปดาห์ก่อน "
                            "แต่ยังไม่ได้รับเงินคืน ช่วยตรวจสอบให้หน่อยครับ"},
            {"at": 45, "reply": "เรียนคุณสมชาย เราได้รับสินค้าคืนแล้วและดำเนินการคืนเงินเข้าบัตร"
                                "ของคุณเมื่อวานนี้ค่ะ ยอดเงินจะแสดงภายใน 3-5 วันทำการค่ะ",
             "by": "nok"},
        ],
        "assignee": "nok", "tags": ["refund"], "priority": "normal", "status": "pending",
    },
    {
        "key": "th-sinkha-siahai", "inbox": "chat", "language": "th", "hours_ago": 8,
        "shopper": {"id": "visitor-th-7320", "name": "Arthit", "email": "arthit.p@example.com"},
        "steps": [
            {"at": 0, "in": "ปลอกหมอนที่ได้รับมีรอยขาดครับ แนบรูปมาให้ดูครับ",
             "attachments": ["plok-mon-khad.png"]},
            {"at": 9, "note": "ลูกค้าส่งรูปมาแล้ว เห็นรอยขาดชัดเจน @emre ช่วยอนุมัติส่งของใหม่ด้วยค่ะ",
             "by": "nok"},
            {"at": 15, "reply": "ขออภัยเป็นอย่างยิ่งค่ะคุณอาทิตย์ เราจะส่งปลอกหมอนใบใหม่ให้ภายในวันนี้ "
                                "ไม่ต้องส่งของเดิมคืนค่ะ", "by": "nok"},
        ],
        "assignee": "nok", "team": "Returns", "tags": ["damaged", "replacement"],
        "priority": "high", "status": "open",
    },
    {
        "key": "th-plian-thi-yu", "inbox": "email", "language": "th", "hours_ago": 66,
        "shopper": {"id": "napat.w@example.co.th", "name": "Napat Wongsa",
                    "email": "napat.w@example.co.th"},
        "subject": "ขอเปลี่ยนที่อยู่จัดส่ง",
        "steps": [
            {"at": 0, "in": "รบกวนเปลี่ยนที่อยู่จัดส่งคำสั่งซื้อ LL-10455 เป็น 99/12 ถนนสุขุมวิท "
                            "แขวงคลองเตย กรุงเทพฯ 10110 ได้ไหมคะ"},
            {"at": 30, "reply": "เปลี่ยนที่อยู่จัดส่งเรียบร้อยแล้วค่ะ คำสั่งซื้อ LL-10455 "
                                "จะจัดส่งไปที่ 99/12 ถนนสุขุมวิท แขวงคลองเตย กรุงเทพฯ 10110 ค่ะ",
             "by": "nok"},
        ],
        "assignee": "nok", "tags": ["address-change"], "priority": "normal",
        "status": "resolved",
    },
    {
        "key": "th-yok-loek", "inbox": "api", "language": "th", "hours_ago": 14,
        "shopper": {"id": "customer-6093", "name": "Kanya Chaiyaporn",
                    "email": "kanya.c@example.co.th"},
        "steps": [
            {"at": 0, "in": "ต้องการยกเลิกคำสั่งซื้อ LL-10584 ค่ะ สั่งซ้ำโดยไม่ได้ตั้งใจ"},
            {"at": 20, "note": "ยกเลิกคำสั่งซื้อในระบบหลังร้านแล้ว รอยืนยันการคืนเงิน", "by": "nok"},
        ],
        "assignee": "nok", "tags": ["cancellation"], "priority": "normal", "status": "pending",
    },
    {
        "key": "th-kha-chatsong", "inbox": "chat", "language": "th", "hours_ago": 90,
        "shopper": {"id": "visitor-th-1188", "name": "Mali", "email": ""},
        "steps": [
            {"at": 0, "in": "ค่าจัดส่งไปเชียงใหม่เท่าไหร่คะ"},
            {"at": 2, "reply": "ค่าจัดส่งทั่วประเทศไทย 9.90 ยูโรค่ะ "
                               "และส่งฟรีเมื่อสั่งซื้อครบ 120 ยูโรค่ะ", "by": "nok"},
            {"at": 5, "in": "ขอบคุณค่ะ"},
        ],
        "assignee": "nok", "tags": ["shipping"], "priority": "low", "status": "resolved",
    },
]

CONVERSATIONS: list[dict[str, Any]] = ENGLISH + POLISH + TURKISH + INDONESIAN + THAI
