"""Send a message to one Apprise URL, with retries and backoff, and say what happened.

Apprise (installed with Prefect) speaks mail (``mailto://``, ``mailtos://``), Slack, Matrix,
ntfy, Discord, Telegram, generic JSON webhooks (``json://``, ``jsons://``) and many more.
Channels whose native format is HTML (mail) get the HTML rendering, every other one the
markdown. Each attempt has a short connect and read timeout (Apprise's ``cto``/``rto`` URL
arguments, added unless the URL sets them); a failure never raises: it comes back as a
:class:`Outcome` with the error Apprise logged, for the caller to record.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import urlsplit

ERROR_CHARS = 500  # an error is kept this long at most


@dataclass(frozen=True)
class Message:
    title: str
    markdown: str
    html: str


@dataclass(frozen=True)
class Outcome:
    channel: str  # the URL with its secrets masked (Apprise's privacy mode)
    delivered: bool
    attempts: int
    error: str | None


def _with_timeouts(url: str, timeout: float) -> str:
    query = urlsplit(url).query
    keys = {part.split("=", 1)[0] for part in query.split("&") if part}
    extra = [f"{k}={timeout:g}" for k in ("cto", "rto") if k not in keys]
    if not extra:
        return url
    return url + ("&" if query else ("" if url.endswith("?") else "?")) + "&".join(extra)


def _lines(log: str) -> list[tuple[str, str]]:
    """(level, text) of each record of an Apprise log captured by ``LogCapture``."""
    out: list[tuple[str, str]] = []
    for line in log.splitlines():
        parts = line.split(" - ", 2)
        if len(parts) == 3 and parts[1].isupper():
            out.append((parts[1], parts[2].strip()))
        elif out:  # a message that spans lines
            out[-1] = (out[-1][0], f"{out[-1][1]} {line.strip()}")
    return out


def _plugin(url: str):  # type: ignore[no-untyped-def]
    import apprise

    with apprise.LogCapture(level=logging.WARNING) as log:  # type: ignore[no-untyped-call]
        plugin = apprise.Apprise.instantiate(url)
    return plugin, "; ".join(text for _, text in _lines(log.getvalue()))


def channel_problem(url: str) -> str | None:
    """Why Apprise cannot send to ``url`` (unknown scheme, missing part), or None."""
    plugin, logged = _plugin(url)
    if plugin is None:
        scheme = url.split("://", 1)[0]
        why = logged or f"unknown scheme {scheme!r}"
        return f"Apprise cannot send to {scheme}://…: {why[:ERROR_CHARS]}"
    return None


def masked(url: str) -> str:
    """``url`` as shown in records and logs: passwords and tokens masked by Apprise, and only
    the query arguments the URL itself gave (not Apprise's defaults)."""
    plugin, _ = _plugin(url)
    if plugin is None:
        return url.split("://", 1)[0] + "://"
    shown = urlsplit(str(plugin.url(privacy=True)))
    given = {part.split("=", 1)[0] for part in urlsplit(url).query.split("&") if part}
    query = "&".join(p for p in shown.query.split("&") if p.split("=", 1)[0] in given)
    return shown._replace(query=query).geturl()


def _error(log: str) -> str:
    """The records of an Apprise log that say what went wrong (never the payload)."""
    keep = [text for level, text in _lines(log)
            if level in ("WARNING", "ERROR", "CRITICAL") or "Exception" in text]  # fmt: skip
    return " | ".join(keep)[:ERROR_CHARS] or "Apprise reported a failure without a message"


def send(
    url: str,
    message: Message,
    attempts: int = 3,
    backoff: float = 1.0,
    timeout: float = 10.0,
    sleep: Callable[[float], None] = time.sleep,
) -> Outcome:
    """Send ``message`` to ``url``: up to ``attempts`` tries, waiting ``backoff`` seconds
    before the second and twice as long before each next one."""
    import apprise

    target = _with_timeouts(url, timeout)
    channel = masked(url)
    error: str | None = None
    for attempt in range(1, attempts + 1):
        if attempt > 1:
            sleep(backoff * 2 ** (attempt - 2))
        raised: str | None = None
        with apprise.LogCapture(level=logging.DEBUG) as log:  # type: ignore[no-untyped-call]
            plugin = apprise.Apprise.instantiate(target)
            if plugin is None:
                return Outcome(channel, False, attempt, channel_problem(url) or "bad URL")
            native = plugin.notify_format  # mail: (HTML, TEXT), a multipart message
            first = native[0] if isinstance(native, tuple | list) and native else native
            html = first == apprise.NotifyFormat.HTML
            sender = apprise.Apprise()
            sender.add(plugin)
            try:
                ok = bool(
                    sender.notify(
                        body=message.html if html else message.markdown,
                        title=message.title,
                        body_format=apprise.NotifyFormat.HTML if html
                        else apprise.NotifyFormat.MARKDOWN,
                    )
                )  # fmt: skip
            except Exception as exc:  # a plugin's own bug: recorded like any failure
                ok, raised = False, f"{type(exc).__name__}: {exc}"[:ERROR_CHARS]
        if ok:
            return Outcome(channel, True, attempt, None)
        error = raised or _error(log.getvalue())
    return Outcome(channel, False, attempts, error)
