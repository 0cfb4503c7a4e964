"""The widget's own texts in every language it speaks (overridable per inbox).

The widget follows the browser's language (`navigator.languages`), falling back to English. Kept
as a table here rather than in gettext catalogues: the widget runs on the store's pages, not in
the agent UI, and needs languages the agent UI does not ship (de, es, fr, pt, it, nl).
"""

from __future__ import annotations

TEXT_KEYS = (
    "title", "greeting", "open", "close", "placeholder", "send", "typing", "seen", "away",
    "away_until", "email_prompt", "email_placeholder", "email_saved", "prechat_intro", "name",
    "email", "start", "search_placeholder", "search_title", "no_results", "attach",
    "too_large", "too_long", "slow_down", "reconnecting", "orders",
)

_T: dict[str, tuple[str, ...]] = {
    "en": ("Chat with us", "Hi! How can we help?", "Open chat", "Close chat", "Write a message…",
           "Send", "{name} is typing…", "Seen", "We're away right now.",
           "We're back {when}.", "Leave your email and we'll reply there too.", "you@example.com",
           "Thanks! We'll also reply by email.", "Tell us who you are to start.", "Name", "Email",
           "Start chat", "Search our help articles", "Suggested articles", "No articles found.",
           "Attach a file", "The file is too large.", "The message is too long.",
           "Slow down a little, please.", "Reconnecting…", "Your orders"),
    "pl": ("Napisz do nas", "Cześć! W czym możemy pomóc?", "Otwórz czat", "Zamknij czat",
           "Napisz wiadomość…", "Wyślij", "{name} pisze…", "Przeczytane",
           "Jesteśmy teraz niedostępni.", "Wracamy {when}.",
           "Zostaw e-mail, odpowiemy również tam.", "ty@example.com",
           "Dziękujemy! Odpowiemy też e-mailem.", "Przedstaw się, aby zacząć.", "Imię", "E-mail",
           "Rozpocznij czat", "Szukaj w artykułach pomocy", "Polecane artykuły",
           "Nie znaleziono artykułów.", "Dołącz plik", "Plik jest za duży.",
           "Wiadomość jest za długa.", "Trochę wolniej, proszę.", "Ponowne łączenie…",
           "Twoje zamówienia"),
    "tr": ("Bize yazın", "Merhaba! Nasıl yardımcı olabiliriz?", "Sohbeti aç", "Sohbeti kapat",
           "Bir mesaj yazın…", "Gönder", "{name} yazıyor…", "Görüldü",
           "Şu anda çevrimdışıyız.", "{when} geri döneceğiz.",
           "E-postanızı bırakın, oradan da yanıt verelim.", "siz@example.com",
           "Teşekkürler! E-postayla da yanıt vereceğiz.", "Başlamak için kendinizi tanıtın.",
           "Ad", "E-posta", "Sohbeti başlat", "Yardım makalelerinde ara", "Önerilen makaleler",
           "Makale bulunamadı.", "Dosya ekle", "Dosya çok büyük.", "Mesaj çok uzun.",
           "Lütfen biraz yavaşlayın.", "Yeniden bağlanıyor…", "Siparişleriniz"),
    "id": ("Chat dengan kami", "Halo! Ada yang bisa kami bantu?", "Buka chat", "Tutup chat",
           "Tulis pesan…", "Kirim", "{name} sedang mengetik…", "Dibaca",
           "Kami sedang tidak aktif.", "Kami kembali {when}.",
           "Tinggalkan email Anda, kami juga akan membalas ke sana.", "anda@example.com",
           "Terima kasih! Kami juga akan membalas lewat email.",
           "Perkenalkan diri Anda untuk memulai.", "Nama", "Email", "Mulai chat",
           "Cari artikel bantuan", "Artikel yang disarankan", "Artikel tidak ditemukan.",
           "Lampirkan file", "File terlalu besar.", "Pesan terlalu panjang.",
           "Mohon sedikit lebih lambat.", "Menyambungkan ulang…", "Pesanan Anda"),
    "th": ("แชทกับเรา", "สวัสดีค่ะ มีอะไรให้เราช่วยไหม", "เปิดแชท", "ปิดแชท", "พิมพ์ข้อความ…",
           "ส่ง", "{name} กำลังพิมพ์…", "อ่านแล้ว", "ขณะนี้เราไม่อยู่", "เราจะกลับมา {when}",
           "ฝากอีเมลไว้ แล้วเราจะตอบกลับทางอีเมลด้วย", "you@example.com",
           "ขอบคุณ! เราจะตอบกลับทางอีเมลด้วย", "แนะนำตัวเพื่อเริ่มแชท", "ชื่อ", "อีเมล",
           "เริ่มแชท", "ค้นหาบทความช่วยเหลือ", "บทความแนะนำ", "ไม่พบบทความ", "แนบไฟล์",
           "ไฟล์ใหญ่เกินไป", "ข้อความยาวเกินไป", "กรุณาช้าลงสักนิด", "กำลังเชื่อมต่อใหม่…",
           "คำสั่งซื้อของคุณ"),
    "de": ("Schreiben Sie uns", "Hallo! Wie können wir helfen?", "Chat öffnen", "Chat schließen",
           "Nachricht schreiben…", "Senden", "{name} schreibt…", "Gelesen",
           "Wir sind gerade nicht da.", "Wir sind {when} wieder da.",
           "Hinterlassen Sie Ihre E-Mail, wir antworten auch dort.", "sie@example.com",
           "Danke! Wir antworten auch per E-Mail.", "Stellen Sie sich kurz vor.", "Name",
           "E-Mail", "Chat starten", "Hilfeartikel durchsuchen", "Vorgeschlagene Artikel",
           "Keine Artikel gefunden.", "Datei anhängen", "Die Datei ist zu groß.",
           "Die Nachricht ist zu lang.", "Bitte etwas langsamer.", "Verbinde erneut…",
           "Ihre Bestellungen"),
    "es": ("Escríbenos", "¡Hola! ¿En qué podemos ayudarte?", "Abrir chat", "Cerrar chat",
           "Escribe un mensaje…", "Enviar", "{name} está escribiendo…", "Visto",
           "Ahora no estamos disponibles.", "Volvemos {when}.",
           "Déjanos tu correo y también te responderemos allí.", "tu@example.com",
           "¡Gracias! También te responderemos por correo.", "Dinos quién eres para empezar.",
           "Nombre", "Correo", "Iniciar chat", "Buscar artículos de ayuda",
           "Artículos sugeridos", "No se encontraron artículos.", "Adjuntar archivo",
           "El archivo es demasiado grande.", "El mensaje es demasiado largo.",
           "Más despacio, por favor.", "Reconectando…", "Tus pedidos"),
    "fr": ("Écrivez-nous", "Bonjour ! Comment pouvons-nous vous aider ?", "Ouvrir le chat",
           "Fermer le chat", "Écrivez un message…", "Envoyer", "{name} écrit…", "Lu",
           "Nous sommes absents pour le moment.", "Nous revenons {when}.",
           "Laissez votre e-mail, nous y répondrons aussi.", "vous@example.com",
           "Merci ! Nous répondrons aussi par e-mail.", "Présentez-vous pour commencer.", "Nom",
           "E-mail", "Démarrer le chat", "Rechercher dans l'aide", "Articles suggérés",
           "Aucun article trouvé.", "Joindre un fichier", "Le fichier est trop volumineux.",
           "Le message est trop long.", "Un peu plus lentement, s'il vous plaît.",
           "Reconnexion…", "Vos commandes"),
    "pt": ("Fale conosco", "Olá! Como podemos ajudar?", "Abrir chat", "Fechar chat",
           "Escreva uma mensagem…", "Enviar", "{name} está digitando…", "Visto",
           "Estamos ausentes agora.", "Voltamos {when}.",
           "Deixe seu e-mail e responderemos lá também.", "voce@example.com",
           "Obrigado! Também responderemos por e-mail.", "Diga quem você é para começar.",
           "Nome", "E-mail", "Iniciar chat", "Pesquisar artigos de ajuda", "Artigos sugeridos",
           "Nenhum artigo encontrado.", "Anexar arquivo", "O arquivo é grande demais.",
           "A mensagem é longa demais.", "Mais devagar, por favor.", "Reconectando…",
           "Seus pedidos"),
    "it": ("Scrivici", "Ciao! Come possiamo aiutarti?", "Apri la chat", "Chiudi la chat",
           "Scrivi un messaggio…", "Invia", "{name} sta scrivendo…", "Letto",
           "Al momento non siamo disponibili.", "Torniamo {when}.",
           "Lasciaci la tua email, ti risponderemo anche lì.", "tu@example.com",
           "Grazie! Ti risponderemo anche via email.", "Presentati per iniziare.", "Nome",
           "Email", "Inizia la chat", "Cerca negli articoli di aiuto", "Articoli suggeriti",
           "Nessun articolo trovato.", "Allega un file", "Il file è troppo grande.",
           "Il messaggio è troppo lungo.", "Un po' più piano, per favore.", "Riconnessione…",
           "I tuoi ordini"),
    "nl": ("Chat met ons", "Hallo! Waarmee kunnen we helpen?", "Chat openen", "Chat sluiten",
           "Schrijf een bericht…", "Versturen", "{name} is aan het typen…", "Gelezen",
           "We zijn nu niet bereikbaar.", "We zijn {when} terug.",
           "Laat je e-mail achter, dan antwoorden we ook daar.", "jij@example.com",
           "Bedankt! We antwoorden ook per e-mail.", "Vertel wie je bent om te beginnen.",
           "Naam", "E-mail", "Chat starten", "Zoek in hulpartikelen", "Voorgestelde artikelen",
           "Geen artikelen gevonden.", "Bestand bijvoegen", "Het bestand is te groot.",
           "Het bericht is te lang.", "Iets langzamer alsjeblieft.", "Opnieuw verbinden…",
           "Je bestellingen"),
}

LANGUAGES = tuple(_T)
TEXTS: dict[str, dict[str, str]] = {
    language: dict(zip(TEXT_KEYS, values, strict=True)) for language, values in _T.items()
}


def pick_language(wanted: list[str]) -> str:
    """The first supported language of the browser's list ('pt-BR' -> 'pt'), else English."""
    for tag in wanted[:10]:
        base = str(tag).strip().lower().replace("_", "-").split("-")[0]
        if base in TEXTS:
            return base
    return "en"


def texts_for(language: str, overrides: dict[str, dict[str, str]]) -> dict[str, str]:
    texts = dict(TEXTS.get(language, TEXTS["en"]))
    texts.update(overrides.get(language, {}))
    return texts
