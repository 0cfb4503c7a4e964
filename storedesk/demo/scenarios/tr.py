"""Demo conversations in Turkish (see storedesk.demo.data for the scenario format)."""

from __future__ import annotations

from typing import Any

SCENARIOS: list[dict[str, Any]] = [
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
        "shopper": {"id": "mehmet.celik@tr.example", "name": "Mehmet Çelik",
                    "email": "mehmet.celik@tr.example"},
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
        "shopper": {"id": "burak.ozturk@tr.example", "name": "Burak Öztürk",
                    "email": "burak.ozturk@tr.example"},
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
