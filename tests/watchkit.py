"""Test helpers for watches: two fixture outlets with articles of our own, a webhook receiver
and an SMTP server, all on 127.0.0.1.

The articles (written for these tests) tell three events: OpenAI's 6 GW order of AMD
accelerators (told by wire-a, retold in other words by wire-b a day later), Anthropic's 1 GW
of Google TPU capacity, and an Oracle cloud region with no figure.
"""

from __future__ import annotations

import json
import socket
import threading
import time
from dataclasses import dataclass, field
from datetime import date
from email import message_from_bytes, policy
from email.message import EmailMessage
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from tests.sitekit import FixtureSite

AMD_DEAL = (
    "OpenAI orders six gigawatts of AMD accelerators",
    [
        "OpenAI has agreed to deploy six gigawatts of AMD Instinct MI450 accelerators over "
        "several years, AMD said on Monday, in one of the largest chip orders made for AI "
        "data centers so far.",
        "The first gigawatt of AMD Instinct MI450 systems is due to be installed in the second "
        "half of next year. AMD granted OpenAI a warrant for up to 160 million AMD shares tied "
        "to the deployment milestones.",
        "Analysts said the agreement gives OpenAI a second supplier of accelerators next to "
        "Nvidia and could bring AMD tens of billions of dollars of revenue from its data "
        "center business.",
    ],
)
AMD_RETOLD = (
    "AMD wins a 6 GW accelerator deal from OpenAI",
    [
        "AMD shares jumped after the chip designer said OpenAI would use 6 GW of its Instinct "
        "MI450 accelerators, with deployments starting next year in OpenAI's data centers.",
        "Under the agreement OpenAI may receive up to 160 million AMD shares if the AMD "
        "Instinct MI450 capacity is delivered in full, a structure that ties the two "
        "companies together for the rest of the decade.",
        "The order makes AMD a major supplier of OpenAI alongside Nvidia, whose own systems "
        "still power most of the company's training clusters.",
    ],
)
TPU_DEAL = (
    "Anthropic secures a gigawatt of Google TPU capacity",
    [
        "Anthropic will use up to one million Google TPU chips under an expanded agreement "
        "with Google Cloud, bringing well over 1 GW of capacity online next year.",
        "Anthropic said the Google TPU capacity would train and serve future Claude models, "
        "and that it kept working with Amazon on its own data center projects.",
        "The deal is worth tens of billions of dollars, according to people familiar with the "
        "terms, and is one of the largest commitments to Google's accelerators so far.",
    ],
)
ORACLE_REGION = (
    "Oracle opens a cloud region in Madrid",
    [
        "Oracle has opened a new cloud region in Madrid for customers that must keep their "
        "data in Spain, the company said, adding to its regions in Europe.",
        "Oracle Cloud Infrastructure customers in the public sector asked for the region, "
        "which offers the same services as the company's other regions.",
    ],
)


def page(title: str, paragraphs: list[str], day: date, outlet: str) -> str:
    meta = {"@context": "https://schema.org", "@type": "NewsArticle", "headline": title,
            "datePublished": f"{day.isoformat()}T08:15:00+00:00",
            "author": {"@type": "Person", "name": f"{outlet} desk"}}  # fmt: skip
    body = "".join(f"<p>{p}</p>" for p in paragraphs)
    return (
        f'<!doctype html><html lang="en"><head><meta charset="utf-8"><title>{title}</title>'
        f'<script type="application/ld+json">{json.dumps(meta)}</script></head><body>'
        f'<nav><a href="/">{outlet}</a></nav><article><h1>{title}</h1>{body}</article>'
        f"<footer>{outlet}, 2 Sample Road.</footer></body></html>"
    )


Telling = tuple[str, tuple[str, list[str]], date]  # (slug, (title, paragraphs), day)


def publish(site: FixtureSite, outlet: str, stories: list[Telling]) -> None:
    for slug, (title, paragraphs), day in stories:
        site.put(f"/news/{day:%Y/%m/%d}/{slug}", page(title, paragraphs, day, outlet))
    site.publish_feed()


def sources_toml(sites: dict[str, FixtureSite], watches: str | None = None) -> str:
    lines = ["[crawl]", "download_delay = 0.0", "concurrent_requests_per_domain = 4", ""]
    if watches:
        lines.insert(0, f'watches = "{watches}"')
    for name, site in sites.items():
        lines += ["[[source]]", f'name = "{name}"', 'articles = ["/news/"]',
                  f'feeds = ["{site.base}/feed.xml"]', ""]  # fmt: skip
    return "\n".join(lines)


def closed_port() -> int:
    """A port on 127.0.0.1 that nothing listens on (bound, then released)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class Webhook:
    """An HTTP server that records every JSON body POSTed to it, by path."""

    received: list[tuple[str, dict[str, Any]]] = field(default_factory=list)

    def __enter__(self) -> Webhook:
        hook = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802
                n = int(self.headers.get("Content-Length") or 0)
                hook.received.append((self.path, json.loads(self.rfile.read(n) or b"{}")))
                self.send_response(200)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args: object) -> None:
                pass

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self._server.serve_forever, daemon=True).start()
        return self

    @property
    def port(self) -> int:
        return int(self._server.server_address[1])

    def at(self, path: str) -> list[dict[str, Any]]:
        return [body for p, body in self.received if p == path]

    def __exit__(self, *exc: object) -> None:
        self._server.shutdown()
        self._server.server_close()


class Mailbox:
    """An aiosmtpd SMTP server on 127.0.0.1 keeping every message it receives."""

    def __init__(self) -> None:
        self.messages: list[EmailMessage] = []

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802
        msg = message_from_bytes(envelope.content, policy=policy.default)
        assert isinstance(msg, EmailMessage)
        self.messages.append(msg)
        return "250 Message accepted for delivery"

    def __enter__(self) -> Mailbox:
        from aiosmtpd.controller import Controller

        self.port = closed_port()
        self._controller = Controller(self, hostname="127.0.0.1", port=self.port)
        self._controller.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._controller.stop()

    def wait(self, n: int, seconds: float = 10.0) -> list[EmailMessage]:
        deadline = time.monotonic() + seconds
        while len(self.messages) < n and time.monotonic() < deadline:
            time.sleep(0.05)
        return list(self.messages)

    def url(self, to: str = "analyst@example.org") -> str:
        return f"mailto://127.0.0.1:{self.port}?from=alerts@example.org&to={to}"


def html_part(msg: EmailMessage) -> str:
    part = msg.get_body(preferencelist=("html",))
    assert part is not None, "no HTML part"
    return str(part.get_content())
