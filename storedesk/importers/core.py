"""The shared core of every import: threads in chunks -> contacts, conversations, messages.

`run_import(reader, inbox)` reads `Thread`s from a vendor's reader, and per chunk of about
`chunk` messages: leaves out what is stored already (the messages' source ids), fetches the new
messages' attachments (through `core.safe_fetch`, size-capped), then in ONE transaction writes
the contacts (`contacts.actions.import_contacts`), the conversations and messages
(`inbox.actions.import_history`, historic: nothing reacts to them) and the run's checkpoint.
A run killed at any point resumes after its last committed chunk; a repeated run writes
nothing twice. What is left out is counted per reason in the summary.
"""

from __future__ import annotations

import contextlib
import queue
import sys
import threading
import time
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import IO, Any, ClassVar, Protocol

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Model
from django.utils import timezone

from storedesk.accounts.models import Membership
from storedesk.contacts.actions import PastContact, import_contacts
from storedesk.contacts.models import Contact, ContactIdentity
from storedesk.core.errors import ActionError
from storedesk.core.safe_fetch import FetchError
from storedesk.importers.cleaning import clean_text
from storedesk.importers.models import ImportRun
from storedesk.importers.progress import Progress
from storedesk.importers.records import File, Person, Post, Thread
from storedesk.inbox.actions import (
    MAX_TEXT_CHARS,
    PastConversation,
    PastMessage,
    import_history,
)
from storedesk.inbox.models import Conversation, Inbox, Message, SenderType
from storedesk.inbox.storage import IncomingFile, StoredFile, discard, stage_file

CHUNK_MESSAGES = 2000
READ_AHEAD = 500  # threads parsed ahead of the writer (about a chunk: bounds the memory of
#                   inline attachments waiting in the queue)
SOURCE_ID_MAX = 255


@dataclass(slots=True)
class Item:
    """A thread and the reader's position right after it (what a resume starts from)."""

    thread: Thread
    checkpoint: Any
    done: float  # progress units read so far (bytes, pages, threads: see Reader.total)


class Reader(Protocol):
    vendor: str
    location: str
    total: float | None  # progress units in the whole source, when known

    def read(self, checkpoint: Any) -> Iterator[Item]: ...

    def fetch(self, file: File, max_bytes: int) -> bytes: ...


@dataclass
class Summary:
    vendor: str
    location: str
    conversations: int = 0  # opened
    appended: int = 0  # already there, completed with missing messages
    messages: int = 0
    attachments: int = 0
    skipped: Counter[str] = field(default_factory=Counter)
    seconds: float = 0.0
    resumed: bool = False

    @property
    def rate(self) -> float:
        return self.messages / self.seconds if self.seconds else 0.0

    def as_dict(self) -> dict[str, Any]:
        return {
            "vendor": self.vendor, "location": self.location, "resumed": self.resumed,
            "conversations": self.conversations, "appended": self.appended,
            "messages": self.messages, "attachments": self.attachments,
            "skipped": dict(sorted(self.skipped.items())), "seconds": round(self.seconds, 3),
            "messages_per_second": round(self.rate, 1),
        }

    def lines(self) -> list[str]:
        out = [
            f"Imported from {self.vendor} ({self.location}): {self.conversations} conversations "
            f"new, {self.appended} completed, {self.messages} messages, {self.attachments} "
            f"attachments in {self.seconds:.1f} s ({self.rate:,.0f} messages/s)"
            + (", resumed from the last checkpoint." if self.resumed else "."),
        ]
        if self.skipped:
            out.append("Skipped:")
            out += [f"  {count:>8}  {reason}" for reason, count in sorted(
                self.skipped.items(), key=lambda kv: (-kv[1], kv[0]))]
        else:
            out.append("Nothing was skipped.")
        return out


def run_import(
    reader: Reader,
    inbox: Inbox,
    *,
    chunk: int = CHUNK_MESSAGES,
    max_rate: float | None = None,
    restart: bool = False,
    progress_stream: IO[str] | None = None,
) -> Summary:
    """Import everything `reader` yields into `inbox`; see the module docstring."""
    run, resumed = _run_for(reader, inbox, restart)
    summary = Summary(reader.vendor, reader.location, resumed=resumed)
    importer = _Importer(reader, inbox, run, summary)
    progress = Progress(progress_stream if progress_stream is not None else sys.stderr,
                        label=reader.vendor, total=reader.total)
    statistics = _Statistics()
    started = time.monotonic()
    pending: list[Thread] = []
    size = 0
    last: Item | None = None
    for item in read_ahead(reader.read(run.checkpoint)):
        pending.append(item.thread)
        size += max(1, len(item.thread.posts))
        last = item
        if size >= chunk:
            importer.flush(pending, item.checkpoint)
            pending, size = [], 0
            progress.update(item.done, summary.messages)
            statistics.after(summary.messages)
            _hold_to_rate(max_rate, summary.messages, started)
    if last is not None:
        importer.flush(pending, last.checkpoint)
        progress.update(last.done, summary.messages)
        statistics.after(summary.messages)
    ImportRun.objects.filter(pk=run.pk).update(finished_at=timezone.now())
    summary.seconds = time.monotonic() - started
    progress.finish(summary.messages)
    return summary


def read_ahead(items: Iterator[Item], depth: int = READ_AHEAD) -> Iterator[Item]:
    """`items`, read (parsed, or fetched from a vendor's API) in a thread of their own.

    The writer spends much of a chunk waiting for the database; meanwhile the next threads
    are parsed (JSON decoding and cleaning release the GIL to no one else otherwise). Readers
    never touch the database, so the thread needs no connection. Order is kept; an error of
    the reader is raised here, in the writer's thread, where it would have been raised."""
    box: queue.Queue[tuple[str, Any]] = queue.Queue(maxsize=depth)
    stop = threading.Event()

    def produce() -> None:
        try:
            for item in items:
                if stop.is_set():
                    return
                box.put(("item", item))
            box.put(("end", None))
        except BaseException as exc:  # handed over to the writer's thread
            box.put(("error", exc))

    worker = threading.Thread(target=produce, name="import-reader", daemon=True)
    worker.start()
    try:
        while True:
            kind, value = box.get()
            if kind == "end":
                return
            if kind == "error":
                raise value
            yield value
    finally:
        stop.set()
        while worker.is_alive():  # let a producer blocked on a full queue see `stop`
            with contextlib.suppress(queue.Empty):
                box.get(timeout=0.1)
        worker.join()


def _run_for(reader: Reader, inbox: Inbox, restart: bool) -> tuple[ImportRun, bool]:
    """The unfinished run of this source to resume, or a new one."""
    unfinished = ImportRun.objects.filter(
        inbox=inbox, vendor=reader.vendor, location=reader.location, finished_at__isnull=True,
    ).order_by("-pk").first()
    if unfinished is not None and not restart:
        return unfinished, unfinished.checkpoint is not None
    return ImportRun.objects.create(account_id=inbox.account_id, inbox=inbox,
                                    vendor=reader.vendor, location=reader.location), False


class _Statistics:
    """PostgreSQL: the planner's statistics of the tables an import grows, kept up to date.

    A big import into a young table outgrows its statistics long before autovacuum's
    analyze comes round (on a busy server it may not come for the whole import); the planner
    then believes the inbox holds a few thousand messages, and the per-chunk look-up of stored
    messages walks every message of the inbox instead of probing the unique index: each chunk
    costs more than the one before (measured: seconds per chunk past a million messages).
    So the import runs ANALYZE itself each time the messages it wrote double (10,000,
    20,000, 40,000 ...: a handful of times in all, each a sample of the table), on the
    columns its own look-ups filter on: the row counts are updated all the same, and
    sampling the message texts (what a full ANALYZE of inbox_message spends most on) cost
    about 10 µs per imported message over a 100,000-message import. Autovacuum analyzes the
    rest when it comes round."""

    FIRST = 10_000
    COLUMNS: ClassVar[dict[type[Model], tuple[str, ...]]] = {  # database columns
        Message: ("inbox_id", "source_id", "conversation_id"),
        Conversation: ("account_id", "inbox_id", "identity_id", "status"),
        Contact: ("account_id", "email", "phone", "merged_into_id"),
        ContactIdentity: ("account_id", "inbox_id", "source_id"),
    }

    def __init__(self) -> None:
        self.next = self.FIRST

    def after(self, messages: int) -> None:
        if messages < self.next or connection.vendor != "postgresql":
            return
        while self.next <= messages:
            self.next *= 2
        quote = connection.ops.quote_name
        with connection.cursor() as cursor:
            for model, names in self.COLUMNS.items():
                columns = ", ".join(quote(name) for name in names)
                cursor.execute(f"ANALYZE {quote(model._meta.db_table)} ({columns})")


def _commit_without_waiting() -> None:
    """PostgreSQL: this transaction's commit does not wait for its WAL to reach the disk.

    Safe for a chunk: the checkpoint is in the same transaction, so a server crash that loses
    the last few commits loses their checkpoints with them, and the next run reads those
    chunks again (nothing is half-written; the database stays consistent). It saves a disk
    flush per chunk, which at import volumes is most of the time a commit takes."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL synchronous_commit = off")


def _hold_to_rate(max_rate: float | None, messages: int, started: float) -> None:
    if not max_rate:
        return
    ahead = messages / max_rate - (time.monotonic() - started)
    if ahead > 0:
        time.sleep(ahead)


class _Importer:
    def __init__(self, reader: Reader, inbox: Inbox, run: ImportRun, summary: Summary) -> None:
        self.reader = reader
        self.vendor = reader.vendor
        self.inbox = inbox
        self.run = run
        self.summary = summary
        members = Membership.objects.filter(account_id=inbox.account_id).select_related("agent")
        self.agents = {m.agent.email.lower(): (m.agent_id, m.pk) for m in members}
        # Whether the next chunk is expected to hold no stored message (import_history's
        # expect_new): until a chunk has some (a repeated run), then again after one without.
        self.expect_new = True

    # -- one chunk -------------------------------------------------------------------------

    def flush(self, threads: list[Thread], checkpoint: Any) -> None:
        skipped: Counter[str] = Counter()
        ready = [t for t in (self._prepare(t, skipped) for t in threads) if t is not None]
        # Only messages with attachments are looked up before the transaction (so a stored
        # one's files are not fetched again); import_history leaves out every stored message.
        stored = self._stored({p.id for t in ready for p in t.posts if p.files})
        staged: list[StoredFile] = []
        try:
            files = self._files(ready, stored, staged, skipped)
            try:
                counts = self._write(ready, stored, files, skipped, checkpoint)
            except ActionError:
                counts = self._write_one_by_one(ready, stored, files, skipped, checkpoint)
        except BaseException:
            discard(staged)
            raise
        self.summary.conversations += counts[0]
        self.summary.appended += counts[1]
        self.summary.messages += counts[2]
        self.summary.attachments += counts[3]
        self.summary.skipped.update({k: v for k, v in skipped.items() if v})

    def _write(self, threads: list[Thread], stored: set[str],
               files: dict[str, list[StoredFile]], skipped: Counter[str],
               checkpoint: Any) -> tuple[int, int, int, int]:
        with transaction.atomic():
            _commit_without_waiting()
            counts = self._write_threads(threads, stored, files, skipped)
            self._save_run(checkpoint, counts, skipped)
        return counts

    def _write_one_by_one(self, threads: list[Thread], stored: set[str],
                          files: dict[str, list[StoredFile]], skipped: Counter[str],
                          checkpoint: Any) -> tuple[int, int, int, int]:
        """A chunk the inbox refused: each thread on its own, the refused ones skipped."""
        total = [0, 0, 0, 0]
        for thread in threads:
            try:
                with transaction.atomic():
                    counts = self._write_threads([thread], stored, files, skipped)
            except ActionError as exc:
                skipped[f"conversation refused: {exc.detail}"] += 1
                discard([f for p in thread.posts for f in files.get(p.id, [])])
                continue
            total = [a + b for a, b in zip(total, counts, strict=True)]
        with transaction.atomic():
            self._save_run(checkpoint, (total[0], total[1], total[2], total[3]), skipped)
        return total[0], total[1], total[2], total[3]

    def _save_run(self, checkpoint: Any, counts: tuple[int, int, int, int],
                  skipped: Counter[str]) -> None:
        run = ImportRun.objects.select_for_update().get(pk=self.run.pk)
        run.checkpoint = checkpoint
        run.conversations += counts[0]
        run.messages += counts[2]
        run.attachments += counts[3]
        merged = Counter(run.skipped or {})
        merged.update({k: v for k, v in skipped.items() if v})
        run.skipped = dict(merged)
        run.save(update_fields=["checkpoint", "conversations", "messages", "attachments",
                                "skipped", "updated_at"])

    # -- normalising -----------------------------------------------------------------------

    def _prepare(self, thread: Thread, skipped: Counter[str]) -> Thread | None:
        """The thread with storable posts only (source ids made ours), or None to skip it."""
        if thread.skip:
            skipped[thread.skip] += 1
            return None
        for reason in thread.extra.get("left_out", ()):
            skipped[reason] += 1
        posts = []
        for post in thread.posts:
            reason = self._post_problem(post)
            if reason:
                skipped[reason] += 1
                continue
            post.id = f"{self.vendor}:{post.id}"
            posts.append(post)
        if not posts:
            skipped["conversation without any importable message"] += 1
            return None
        posts.sort(key=lambda p: p.at)  # type: ignore[arg-type,return-value]
        thread.posts = posts
        return thread

    def _post_problem(self, post: Post) -> str:
        if post.at is None:
            return "message without a valid time"
        post.text = clean_text(post.text)
        if len(post.text) > MAX_TEXT_CHARS:
            post.text = post.text[:MAX_TEXT_CHARS]
            self.summary.skipped[f"message text cut to {MAX_TEXT_CHARS:,} characters"] += 1
        if post.html is not None:
            post.html = clean_text(post.html)
        if not post.text.strip() and not post.html and not post.files:
            return "empty message"
        if not post.id or len(f"{self.vendor}:{post.id}") > SOURCE_ID_MAX:
            return "message without a usable id"
        return ""

    def _stored(self, source_ids: set[str]) -> set[str]:
        found: set[str] = set()
        ids = sorted(source_ids)
        for start in range(0, len(ids), 2000):
            found.update(str(source_id) for source_id in Message.objects.filter(
                inbox=self.inbox, source_id__in=ids[start:start + 2000]
            ).values_list("source_id", flat=True))
        return found

    # -- attachments -----------------------------------------------------------------------

    def _files(self, threads: list[Thread], stored: set[str], staged: list[StoredFile],
               skipped: Counter[str]) -> dict[str, list[StoredFile]]:
        """Each new message's attachments, written to storage (not for stored messages)."""
        limit = settings.ATTACHMENT_MAX_BYTES
        out: dict[str, list[StoredFile]] = {}
        for thread in threads:
            for post in thread.posts:
                if post.id in stored or not post.files:
                    continue
                for file in post.files[: settings.ATTACHMENT_MAX_COUNT]:
                    if file.problem:
                        skipped[file.problem] += 1
                        continue
                    if file.size is not None and file.size > limit:
                        skipped["attachment over the size limit"] += 1
                        continue
                    try:
                        data = file.data if file.data is not None else self.reader.fetch(
                            file, limit)
                    except FetchError as exc:
                        reason = ("attachment over the size limit" if "larger than"
                                  in exc.message else "attachment could not be fetched")
                        skipped[reason] += 1
                        continue
                    except OSError:
                        skipped["attachment file missing from the export"] += 1
                        continue
                    if len(data) > limit:
                        skipped["attachment over the size limit"] += 1
                        continue
                    written = stage_file(IncomingFile(
                        filename=clean_text(file.filename, 255) or "attachment",
                        content=data, content_type=clean_text(file.content_type, 127)))
                    staged.append(written)
                    out.setdefault(post.id, []).append(written)
                dropped = len(post.files) - settings.ATTACHMENT_MAX_COUNT
                if dropped > 0:
                    skipped["attachment over the count limit per message"] += dropped
        return out

    # -- writing ---------------------------------------------------------------------------

    def _write_threads(self, threads: list[Thread], stored: set[str],
                       files: dict[str, list[StoredFile]],
                       skipped: Counter[str]) -> tuple[int, int, int, int]:
        people: dict[str, PastContact] = {}
        for thread in threads:
            self._person(thread.contact, thread, people)
            for post in thread.posts:
                if post.author is not None and not self._is_staff(post):
                    self._person(post.author, thread, people)
        contacts = import_contacts(self.inbox.account_id, self.inbox.pk, list(people.values()))
        conversations = []
        for thread in threads:
            contact_id, identity_id = contacts[self._person_key(thread.contact, thread)]
            if all(post.id in stored for post in thread.posts):
                skipped["message already imported"] += len(thread.posts)
                continue
            # All of them, stored ones included: import_history finds the conversation they
            # are in and adds only the missing ones (a resumed or repeated import).
            messages = [self._message(post, thread, contacts, files) for post in thread.posts]
            assignee = (self.agents.get(thread.assignee.email.lower())
                        if thread.assignee and thread.assignee.email else None)
            conversations.append(PastConversation(
                key=thread.id, contact_id=contact_id, identity_id=identity_id,
                messages=messages, subject=clean_text(thread.subject, 255),
                status=thread.status, priority=thread.priority, tags=thread.tags,
                assignee_id=assignee[1] if assignee else None, at=thread.at,
                resolved_at=thread.closed_at, language=clean_text(thread.language, 8),
                data={"source": self.vendor, "external_id": thread.id},
            ))
        result = import_history(self.inbox, conversations, expect_new=self.expect_new)
        self.expect_new = result.duplicates == 0
        skipped["message already imported"] += result.duplicates
        attachments = sum(len(files.get(m.source_id, [])) for c in conversations
                          for m in c.messages)
        return result.created, result.appended, result.messages, attachments

    def _is_staff(self, post: Post) -> bool:
        if post.sender:
            return post.sender != "contact"
        return bool(post.author and post.author.is_agent)

    def _message(self, post: Post, thread: Thread, contacts: dict[str, tuple[int, int]],
                 files: dict[str, list[StoredFile]]) -> PastMessage:
        author = post.author
        metadata: dict[str, Any] = {}
        sender_contact_id = sender_agent_id = None
        if self._is_staff(post):
            sender = post.sender or SenderType.AGENT
            agent = self.agents.get(author.email.lower()) if author and author.email else None
            if agent is not None:
                sender_agent_id = agent[0]
            elif author is not None and (author.name or author.email):
                metadata["author"] = {"name": clean_text(author.name, 200),
                                      "email": clean_text(author.email, 254)}
        else:
            sender = SenderType.CONTACT
            who = author if author is not None else thread.contact
            sender_contact_id = contacts[self._person_key(who, thread)][0]
        assert post.at is not None
        return PastMessage(
            source_id=post.id, at=post.at, sender_type=sender, text=post.text,
            html=post.html or None, private=post.private, sender_contact_id=sender_contact_id,
            sender_agent_id=sender_agent_id, metadata=metadata,
            attachments=files.get(post.id, ()),
        )

    def _person_key(self, person: Person, thread: Thread) -> str:
        if person.email:
            return "email:" + person.email.strip().lower()
        if person.id:
            return f"{self.vendor}:user:{person.id}"
        if person.phone:
            return "phone:" + person.phone
        return f"{self.vendor}:requester-of:{thread.id}"

    def _person(self, person: Person, thread: Thread, people: dict[str, PastContact]) -> None:
        key = self._person_key(person, thread)
        if key in people:
            return
        email = clean_text(person.email, 254).strip().lower()
        if email and not _plausible_email(email):
            email = ""
        people[key] = PastContact(
            key=key, source_id=(email or key)[:255], name=clean_text(person.name, 200).strip(),
            email=email, phone=clean_text(person.phone, 32).strip(),
        )


def _plausible_email(value: str) -> bool:
    from storedesk.core.validation import find_bad_email

    return len(value) <= 254 and find_bad_email(value) is None
