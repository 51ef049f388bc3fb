"""A tiny real SMTP server on a free loopback port that keeps every mail it is given.

It speaks the plain part of RFC 5321 that a client sending one mail needs (HELO/EHLO,
MAIL FROM, RCPT TO, DATA, RSET, NOOP, QUIT), without TLS or login. It runs its own event
loop in a thread, so a Playwright test (sync) and an asyncio test use it alike.
"""

from __future__ import annotations

import asyncio
import contextlib
import re
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from email import message_from_bytes, policy
from email.message import EmailMessage

_LINK = re.compile(r"https?://\S+")
_PATH = re.compile(r"<([^>]*)>")


@dataclass(frozen=True)
class Received:
    """One mail as the sink took it: the envelope and the parsed message."""

    mail_from: str
    rcpt_to: tuple[str, ...]
    data: bytes

    @property
    def message(self) -> EmailMessage:
        parsed = message_from_bytes(self.data, policy=policy.default)
        assert isinstance(parsed, EmailMessage)
        return parsed

    @property
    def text(self) -> str:
        body = self.message.get_body(("plain",))
        assert body is not None, "the mail has no text/plain part"
        content = body.get_content()
        assert isinstance(content, str)
        return content.replace("\r\n", "\n")  # as a mail program shows it

    @property
    def html(self) -> str:
        body = self.message.get_body(("html",))
        assert body is not None, "the mail has no text/html part"
        content = body.get_content()
        assert isinstance(content, str)
        return content

    def links(self) -> list[str]:
        return _LINK.findall(self.text)


@dataclass
class MailSink:
    """The running sink: its port and the mails received so far."""

    port: int = 0
    _received: list[Received] = field(default_factory=list)
    _changed: threading.Condition = field(default_factory=threading.Condition)

    @property
    def url(self) -> str:
        return f"smtp://127.0.0.1:{self.port}"

    @property
    def received(self) -> list[Received]:
        with self._changed:
            return list(self._received)

    def wait_for(self, count: int, timeout: float = 15.0) -> list[Received]:
        """The first `count` mails, waiting at most `timeout` seconds for them."""
        with self._changed:
            if not self._changed.wait_for(lambda: len(self._received) >= count, timeout):
                raise TimeoutError(
                    f"expected {count} mails within {timeout} s, got {self._received}"
                )
            return list(self._received[:count])

    def _keep(self, mail: Received) -> None:
        with self._changed:
            self._received.append(mail)
            self._changed.notify_all()

    async def _session(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        def reply(text: str) -> None:
            writer.write(text.encode("ascii") + b"\r\n")

        reply("220 mailsink ESMTP")
        sender: str | None = None
        recipients: list[str] = []
        try:
            async with asyncio.timeout(30):
                while line := await reader.readline():
                    command = line.decode("utf-8", "replace").rstrip("\r\n")
                    verb = command[:4].upper()
                    if verb == "EHLO":
                        reply("250-mailsink\r\n250-8BITMIME\r\n250-SMTPUTF8\r\n250 HELP")
                    elif verb == "HELO":
                        reply("250 mailsink")
                    elif verb == "MAIL" and (found := _PATH.search(command)):
                        sender, recipients = found.group(1), []
                        reply("250 OK")
                    elif verb == "RCPT" and sender is not None and (found := _PATH.search(command)):
                        recipients.append(found.group(1))
                        reply("250 OK")
                    elif verb == "DATA" and recipients:
                        reply("354 end with <CRLF>.<CRLF>")
                        await writer.drain()
                        self._keep(Received(sender or "", tuple(recipients), await _data(reader)))
                        sender, recipients = None, []
                        reply("250 OK queued")
                    elif verb == "RSET":
                        sender, recipients = None, []
                        reply("250 OK")
                    elif verb == "NOOP":
                        reply("250 OK")
                    elif verb == "QUIT":
                        reply("221 bye")
                        await writer.drain()
                        break
                    else:
                        reply(
                            "503 bad sequence of commands"
                            if verb in ("RCPT", "DATA", "MAIL")
                            else "502 not implemented"
                        )
                    await writer.drain()
        finally:
            writer.close()
            with contextlib.suppress(OSError):
                await writer.wait_closed()


async def _data(reader: asyncio.StreamReader) -> bytes:
    """The message after DATA up to the lone dot, with dot-stuffing undone."""
    lines: list[bytes] = []
    while (line := await reader.readline()) not in (b".\r\n", b".\n", b""):
        lines.append(line[1:] if line.startswith(b"..") else line)
    return b"".join(lines)


@contextlib.contextmanager
def mail_sink() -> Iterator[MailSink]:
    """A sink listening on 127.0.0.1 and a free port until the block ends."""
    sink = MailSink()
    loop = asyncio.new_event_loop()
    ready = threading.Event()
    stop = asyncio.Event()

    async def serve() -> None:
        server = await asyncio.start_server(sink._session, "127.0.0.1", 0)
        sink.port = server.sockets[0].getsockname()[1]
        ready.set()
        async with server:
            await stop.wait()
        # A session still open (a client that never said QUIT) ends with the sink.
        others = [t for t in asyncio.all_tasks() if t is not asyncio.current_task()]
        for task in others:
            task.cancel()
        await asyncio.gather(*others, return_exceptions=True)

    thread = threading.Thread(target=loop.run_until_complete, args=(serve(),), daemon=True)
    thread.start()
    try:
        if not ready.wait(10):
            raise TimeoutError("the mail sink did not start within 10 s")
        yield sink
    finally:
        loop.call_soon_threadsafe(stop.set)
        thread.join(10)
        loop.close()
