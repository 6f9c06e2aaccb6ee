"""The messages a watch sends: an alert or an update for one story, a digest of a period,
and the markdown of a run's Prefect artifact.

Each message has a markdown body (Slack, Matrix, ntfy, webhooks, the artifact) and an HTML
one (mail). The digest is the report's top-stories table (``templates/report.html.j2``):
first seen, story with its figures and organisations, outlets, languages, articles.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date

from jinja2 import Environment, PackageLoader, select_autoescape

from gigawatch import __version__
from gigawatch.watches.deliver import Message
from gigawatch.watches.model import Watch
from gigawatch.watches.periods import describe
from gigawatch.watches.story import Snapshot


def _env() -> Environment:
    env = Environment(loader=PackageLoader("gigawatch", "templates"),
                      autoescape=select_autoescape(default=True), trim_blocks=True,
                      lstrip_blocks=True)  # fmt: skip
    env.filters["day"] = lambda v: f"{v:%-d %b %Y}" if v else ""
    return env


def _md(text: str) -> str:
    """``text`` safe inside a markdown table cell or link label."""
    return " ".join(text.split()).replace("|", "\\|").replace("[", "\\[").replace("]", "\\]")


def _day(s: Snapshot) -> str:
    return f"{s.first_seen:%-d %b %Y}" if s.first_seen else ""


def _facts(s: Snapshot) -> str:
    parts = [f"first seen {_day(s)}"] if s.first_seen else []
    parts.append(f"{s.n_sources} outlet{'s' if s.n_sources != 1 else ''} "
                 f"({', '.join(s.sources)})")  # fmt: skip
    parts.append(f"{s.n_articles} article{'s' if s.n_articles != 1 else ''}")
    if s.languages:
        parts.append(", ".join(s.languages))
    return " · ".join(parts)


def alert(watch: Watch, s: Snapshot, changed: Sequence[str] = ()) -> Message:
    """The instant message for a story that matched ``watch``; an update when ``changed``
    lists what is new since the last message."""
    kind = "update" if changed else "alert"
    title = (
        f"[gigawatch {watch.name}] {'Update: ' if changed else ''}{' '.join(s.headline.split())}"
    )
    lines = [f"**[{_md(s.headline)}]({s.url})**", "", _facts(s)]
    if changed:
        lines += ["", "What changed: " + "; ".join(changed) + "."]
    if s.figures():
        lines += ["", "Figures: " + " · ".join(s.figures())]
    if s.organisations:
        lines += ["", "Organisations: " + ", ".join(s.organisations)]
    about = f": {watch.description}" if watch.description else ""
    lines += ["", f"Watch `{watch.name}` ({kind}){about} · story {s.story_id}"]
    html = _template("alert.html.j2").render(watch=watch, s=s, changed=list(changed), kind=kind,
                                             version=__version__)  # fmt: skip
    return Message(title, "\n".join(lines), html)


@dataclass(frozen=True)
class Digest:
    watch: Watch
    start: date
    stories: list[Snapshot]

    @property
    def period(self) -> str:
        return describe(self.start, self.watch.digest)


def digest_markdown(d: Digest) -> str:
    lines = [f"**{len(d.stories)} stor{'y' if len(d.stories) == 1 else 'ies'}** matched watch "
             f"`{d.watch.name}` {'on' if d.watch.digest == 'daily' else 'in the'} {d.period}.", "",
             "| first seen | story | outlets | languages | articles |",
             "|---|---|---|---|---:|"]  # fmt: skip
    for s in d.stories:
        extra = " · ".join([*s.figures(), ", ".join(s.organisations)]).strip(" ·")
        story = f"[{_md(s.headline)}]({s.url})" + (f"<br>{_md(extra)}" if extra else "")
        lines.append(f"| {_day(s)} | {story} | {', '.join(s.sources)} | "
                     f"{', '.join(s.languages)} | {s.n_articles} |")  # fmt: skip
    return "\n".join(lines)


def digest(d: Digest) -> Message:
    """The digest of a period: the report's top-stories table, in markdown and in HTML."""
    kind = "Daily" if d.watch.digest == "daily" else "Weekly"
    title = f"[gigawatch {d.watch.name}] {kind} digest, {d.period}: {len(d.stories)} stories"
    html = _template("digest.html.j2").render(d=d, title=title, version=__version__)
    return Message(title, digest_markdown(d), html)


def _template(name: str):  # type: ignore[no-untyped-def]
    return _env().get_template(name)


def run_artifact(events: Iterable[tuple[str, str, Snapshot | None, str]],
                 problems: Sequence[str]) -> str:  # fmt: skip
    """Markdown of a run's alerts: (watch, message kind, story, where it went) rows, then the
    watches that could not be evaluated."""
    rows = list(events)
    lines = [f"# Watches: {len(rows)} message{'s' if len(rows) != 1 else ''}", ""]
    if rows:
        lines += ["| watch | message | story | delivered to |", "|---|---|---|---|"]
        for watch, kind, s, where in rows:
            story = f"[{_md(s.headline)}]({s.url})" if s else ""
            lines.append(f"| {watch} | {kind} | {story} | {_md(where)} |")
    else:
        lines.append("No watch fired in this run.")
    if problems:
        lines += ["", "## Watches not evaluated", ""] + [f"- {_md(p)}" for p in problems]
    return "\n".join(lines)
