"""The generated news site of ``bench/bench_ingest.py``: N unique article pages of 20–80 KB
(median about 50 KB), four page templates, EN/FR/DE/ES, one sitemap, and a quiet threaded
HTTP server for it.

The article texts are assembled from sentence patterns with random organisations, chips,
places and figures, so that every page is unique (no two are near-duplicates) and the tagger
has realistic work; the rest of each page is boilerplate (navigation, inline CSS and scripts,
related links, comments, footer) as on real news sites, which extraction must remove.
"""

from __future__ import annotations

import html
import random
import socket
import threading
from datetime import UTC, datetime, timedelta
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

LANGS = ("en", "fr", "de", "es")
ORGS = ("OpenAI", "Nvidia", "AMD", "Broadcom", "Oracle", "Microsoft", "Google", "Amazon",
        "Meta", "CoreWeave", "Nebius", "SoftBank", "Anthropic", "Mistral AI", "Intel", "TSMC",
        "Equinix", "Digital Realty", "BlackRock", "Brookfield", "EDF", "Iberdrola", "RWE",
        "Deutsche Telekom", "Schneider Electric", "Siemens Energy", "xAI", "Cerebras")  # fmt: skip
CHIPS = ("H100", "H200", "B200", "GB200", "MI300X", "MI450", "TPU", "Trainium", "Gaudi 3")
PLACES = ("Texas", "Ohio", "Louisiana", "Virginia", "France", "Germany", "Spain", "Portugal",
          "Sweden", "Norway", "Ireland", "Arizona", "Bavaria", "Catalonia", "Normandy")  # fmt: skip

SENTENCES = {
    "en": (
        "{a} said on {day} it would build a {gw} GW data center campus in {p} with {b}.",
        "The agreement covers {n} {c} accelerators, worth about ${bn} billion over {y} years.",
        "Analysts at several banks said the deal would lift {a}'s revenue from {y2}.",
        "{b} shares rose {pct}% in early trading after the announcement.",
        "The first phase, of {mw} MW, is due to come online next year, the companies said.",
        "Local officials in {p} welcomed the project, which they expect to create {jobs} jobs.",
        "{a} has been racing to secure power, signing supply contracts with utilities.",
        "The campus will draw on a mix of gas turbines, solar farms and grid power.",
        "Neither company disclosed the financial terms of the chip supply arrangement.",
        "{b} also plans to spend ${bn2} billion on networking equipment for the site.",
        "Regulators in {p} are reviewing grid connection requests of more than {gw2} GW.",
        "The project is one of {n2} large AI sites announced in the region this quarter.",
        "Executives at {a} described the {c} order as the largest in the company's history.",
        "Critics warn that the build-out could strain water supplies around {p}.",
    ),
    "fr": (
        "{a} a annoncé le {day} la construction d'un campus de {gw} GW en {p} avec {b}.",
        "L'accord porte sur {n} accélérateurs {c} et représente environ {bn} milliards de dollars.",
        "Selon plusieurs analystes, le contrat devrait soutenir le chiffre d'affaires de {a}.",
        "L'action {b} a gagné {pct} % dans les premiers échanges après l'annonce.",
        "Une première tranche de {mw} MW doit être mise en service l'an prochain.",
        "Les élus de {p} saluent un projet qui devrait créer {jobs} emplois.",
        "{a} multiplie les contrats d'approvisionnement en électricité avec les fournisseurs.",
        "Le site combinera turbines à gaz, fermes solaires et raccordement au réseau.",
        "Les deux groupes n'ont pas précisé les conditions financières de l'accord.",
        "{b} prévoit aussi d'investir {bn2} milliards d'euros dans les équipements réseau.",
        "Le gestionnaire du réseau examine des demandes de raccordement de plus de {gw2} GW.",
        "Il s'agit de l'un des {n2} grands projets d'IA annoncés ce trimestre.",
    ),
    "de": (
        "{a} kündigte am {day} den Bau eines Rechenzentrums mit {gw} GW in {p} mit {b} an.",
        "Der Vertrag umfasst {n} {c}-Beschleuniger im Wert von rund {bn} Milliarden Dollar.",
        "Analysten erwarten, dass der Auftrag den Umsatz von {a} ab {y2} deutlich steigert.",
        "Die Aktie von {b} legte nach der Mitteilung im frühen Handel um {pct} Prozent zu.",
        "Ein erster Abschnitt mit {mw} MW soll im kommenden Jahr in Betrieb gehen.",
        "Die Landesregierung in {p} begrüßte das Vorhaben, das {jobs} Arbeitsplätze schaffen soll.",
        "{a} sichert sich seit Monaten Strom über langfristige Lieferverträge.",
        "Der Standort soll Gasturbinen, Solarparks und Netzstrom kombinieren.",
        "Finanzielle Einzelheiten der Vereinbarung nannten die Unternehmen nicht.",
        "{b} will zudem {bn2} Milliarden Euro in Netzwerktechnik investieren.",
        "Beim Netzbetreiber liegen Anschlussanfragen von mehr als {gw2} GW vor.",
        "Es ist eines von {n2} großen KI-Projekten, die in diesem Quartal angekündigt wurden.",
    ),
    "es": (
        "{a} anunció el {day} que construirá un campus de {gw} GW en {p} junto a {b}.",
        "El acuerdo incluye {n} aceleradores {c} y ronda los {bn} mil millones de dólares.",
        "Varios analistas creen que el contrato impulsará los ingresos de {a} desde {y2}.",
        "Las acciones de {b} subieron un {pct} % en las primeras operaciones.",
        "Una primera fase de {mw} MW entrará en servicio el próximo año.",
        "Las autoridades de {p} celebraron un proyecto que creará {jobs} empleos.",
        "{a} ha firmado contratos de suministro eléctrico con varias compañías.",
        "El complejo combinará turbinas de gas, plantas solares y conexión a la red.",
        "Las empresas no revelaron las condiciones financieras del acuerdo.",
        "{b} prevé invertir además {bn2} mil millones de euros en equipos de red.",
        "El operador de la red estudia solicitudes de conexión de más de {gw2} GW.",
        "Es uno de los {n2} grandes proyectos de IA anunciados este trimestre.",
    ),
}
TITLES = {
    "en": "{a} and {b} plan {gw} GW {c} campus in {p}",
    "fr": "{a} et {b} prévoient un campus de {gw} GW en {p}",
    "de": "{a} und {b} planen {gw}-GW-Campus in {p}",
    "es": "{a} y {b} planean un campus de {gw} GW en {p}",
}
TEMPLATES = 4
WORDS = ("markets", "energy", "chips", "cloud", "policy", "power", "grid", "deal", "capital",
         "report")  # fmt: skip


def _slots(rng: random.Random, when: datetime) -> dict[str, object]:
    a, b = rng.sample(ORGS, 2)
    return {
        "a": a, "b": b, "c": rng.choice(CHIPS), "p": rng.choice(PLACES),
        "gw": rng.choice((1, 1.2, 1.5, 2, 2.5, 3, 4, 5, 6, 10)), "gw2": rng.randint(5, 60),
        "mw": rng.choice((100, 150, 200, 250, 300, 500)), "bn": rng.randint(2, 120),
        "bn2": rng.randint(1, 20), "n": f"{rng.randint(10, 900) * 1000:,}",
        "n2": rng.randint(3, 30), "pct": rng.randint(2, 25), "jobs": rng.randint(2, 90) * 100,
        "y": rng.randint(3, 10), "y2": rng.randint(2026, 2030), "day": when.strftime("%d.%m."),
    }  # fmt: skip


def _article(rng: random.Random, lang: str, when: datetime) -> tuple[str, list[str]]:
    """A title and paragraphs (600–1,400 words), unique by their random slots."""
    pool = SENTENCES[lang]
    title = TITLES[lang].format(**_slots(rng, when))
    paragraphs = []
    for _ in range(rng.randint(9, 20)):
        slots = _slots(rng, when)
        paragraphs.append(" ".join(rng.choice(pool).format(**slots) for _ in range(4)))
    return title, paragraphs


def _boilerplate(rng: random.Random, n: int, base: str) -> str:
    items = []
    for i in range(n):
        words = " ".join(rng.choice(WORDS) for _ in range(4)).title()
        href = f"{base}/tag/{i}-{rng.randint(0, 99)}"
        minutes = rng.randint(1, 59)
        items.append(
            f'<li class="rel-item"><a href="{href}">{words}</a>'
            f'<span class="meta">{minutes} min</span></li>'
        )
    return "\n".join(items)


def _page(rng: random.Random, i: int, lang: str, when: datetime, target: int) -> str:
    title, paragraphs = _article(rng, lang, when)
    t = i % TEMPLATES
    body = "\n".join(f"<p>{html.escape(p)}</p>" for p in paragraphs)
    style = "\n".join(
        f".c{t}-{k} {{ margin: {k % 7}px; padding: {k % 5}px; "
        f"color: #{k * 2654435 % 0xFFFFFF:06x}; }}"
        for k in range(rng.randint(40, 120))
    )
    nav = _boilerplate(rng, rng.randint(30, 80), "")
    head = (f'<!DOCTYPE html><html lang="{lang}"><head><meta charset="utf-8">'
            f"<title>{html.escape(title)} | Bench News</title>"
            f'<meta property="article:published_time" content="{when.isoformat()}">'
            f'<meta name="author" content="Staff Writer {i % 37}">'
            f"<style>{style}</style>"
            f'<script>window.dataLayer=[];var cfg={{"id":{i},"t":{t}}};</script>'
            "</head><body>")  # fmt: skip
    h = html.escape(title)
    stamp = when.isoformat()
    article = {
        0: f'<article class="story"><h1>{h}</h1><time datetime="{stamp}">'
           f'{when:%Y-%m-%d}</time><div class="story-body">{body}</div></article>',
        1: f'<main><div class="post"><h1 class="headline">{h}</h1>'
           f'<div class="byline">{when:%d/%m/%Y}</div>'
           f'<section class="content">{body}</section></div></main>',
        2: f'<div id="content"><div class="entry"><h2 class="entry-title">{h}</h2>'
           f'<span class="date">{when:%Y-%m-%d}</span>'
           f'<div class="entry-content">{body}</div></div></div>',
        3: f'<div class="wrap"><header class="art-head"><h1>{h}</h1></header>'
           f'<div class="art-text" itemprop="articleBody">{body}</div></div>',
    }[t]  # fmt: skip
    parts = [head, f'<nav class="top"><ul>{nav}</ul></nav>', article]
    page = "".join(parts)
    while len(page) < target:  # related links and comments up to the page's size
        related = _boilerplate(rng, 25, "/r")
        comment = "Great coverage, thanks. " * rng.randint(3, 12)
        chunk = (f'<aside class="related"><h3>Related</h3><ul>{related}</ul></aside>'
                 f'<div class="comment"><p>{comment}</p></div>')  # fmt: skip
        parts.insert(-1 if rng.random() < 0.3 else len(parts), chunk)
        page = "".join(parts)
    footer = f"<footer><ul>{_boilerplate(rng, 20, '/f')}</ul><p>© Bench News</p></footer>"
    return page + footer + "</body></html>"


def generate(root: Path, n: int, host: str, seed: int = 7) -> list[Path]:
    """Write ``n`` article pages, ``sitemap.xml`` and ``robots.txt`` under ``root``; returns
    the article files. ``host`` (``127.0.0.1`` or ``127.0.0.1:8080``) goes into the sitemap."""
    rng = random.Random(seed)
    root.mkdir(parents=True, exist_ok=True)
    start = datetime(2025, 6, 1, 8, tzinfo=UTC)
    files, entries = [], []
    for i in range(n):
        lang = LANGS[i % 4]
        when = start + timedelta(minutes=97 * i)
        target = int(rng.triangular(20_000, 80_000, 50_000))
        rel = f"a/{lang}/{when:%Y/%m}/story-{i:06d}.html"
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(_page(rng, i, lang, when, target), encoding="utf-8")
        files.append(path)
        entries.append(
            f"<url><loc>http://{host}/{rel}</loc><lastmod>{when:%Y-%m-%d}</lastmod></url>"
        )
    (root / "sitemap.xml").write_text(
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">\n'
        + "\n".join(entries) + "\n</urlset>\n", encoding="utf-8")  # fmt: skip
    (root / "robots.txt").write_text(
        f"User-agent: *\nAllow: /\nSitemap: http://{host}/sitemap.xml\n"
    )
    return files


class _Quiet(SimpleHTTPRequestHandler):
    """Keep-alive, no request log, and TCP_NODELAY: the handler writes headers and body in
    separate sends, which Nagle's algorithm and delayed ACKs would hold ~40 ms each."""

    protocol_version = "HTTP/1.1"

    def setup(self) -> None:
        super().setup()
        self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002
        pass


def serve(root: Path, port: int) -> ThreadingHTTPServer:
    """Serve ``root`` on 127.0.0.1:``port`` in a daemon thread; ``shutdown()`` to stop."""
    server = ThreadingHTTPServer(("127.0.0.1", port), partial(_Quiet, directory=str(root)))
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server
