"""Demo conversations in Thai (see storedesk.demo.data for the scenario format)."""

from __future__ import annotations

from typing import Any

SCENARIOS: list[dict[str, Any]] = [
    {
        "key": "th-pasadu-yu-tinai", "inbox": "chat", "language": "th", "hours_ago": 3,
        "shopper": {"id": "visitor-th-4410", "name": "Ploy", "email": "ploy.s@th.example"},
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
        "shopper": {"id": "somchai.k@th.example", "name": "Somchai Kittisak",
                    "email": "somchai.k@th.example"},
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
        "shopper": {"id": "napat.w@th.example", "name": "Napat Wongsa",
                    "email": "napat.w@th.example"},
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
                    "email": "kanya.c@th.example"},
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
