"""Benchmark the tagger: synthetic ~5 KB articles in English, French, German and Spanish.

    python bench/bench_tagging.py --n 3000
    python bench/bench_tagging.py --pages 2000

With ``--pages N`` the articles are instead the texts gigawatch extracts from N pages of
``bench/bench_ingest.py``'s generated news site (20-80 KB pages, median about 50 KB, four
languages; see ``bench/ingest_site.py``): articles of the size a real page gives.

Articles are generated from the taxonomy with a fixed seed: news-like sentences naming
organisations, accelerators, places and topic keywords, with power, money and stake figures,
mixed with filler sentences. Timing covers ``Tagger.tag`` on one core, language detection
included (no language is passed). Prints articles/s and KB/s; the target is >= 1,000 articles/s.
"""

from __future__ import annotations

import argparse
import cProfile
import os
import pstats
import random
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from gigawatch.tagger import Tagger  # noqa: E402
from gigawatch.taxonomy import load_taxonomy  # noqa: E402

TEMPLATES = {
    "en": [
        "{org} said on {day} it would build a {gw} GW data center campus in {place} with {org2}.",
        "The deal, worth up to ${bn} billion, gives {org} access to {chip} accelerators.",
        "{org2} will take a {pct}% stake in the project, according to people familiar with it.",
        "Analysts said {kw} remained the main constraint for {org} as demand kept rising.",
        "The first phase of {mw} MW is expected to come online in {year}, the company added.",
        "{org} also signed a power purchase agreement with {org2} for {mw} MW of nuclear power.",
    ],
    "fr": [
        "{org} a annoncé {day} un campus de centres de données de {gw} GW en {place} avec {org2}.",
        "L'accord, d'un montant de {bnfr} milliards d'euros, porte sur des puces {chip}.",
        "{org2} prendra {pct} % du capital de la coentreprise, selon une source proche.",
        "Selon les analystes, {kw} reste la principale contrainte pour {org}.",
        "Une première tranche de {mw} mégawatts doit être mise en service d'ici {year}.",
        "{org} a signé un contrat d'achat d'électricité avec {org2} pour {mw} MW.",
    ],
    "de": [
        "{org} kündigte am {day} ein Rechenzentrum mit {gwde} Gigawatt in {place} an, mit {org2}.",
        "Der Auftrag im Wert von {bnfr} Mrd. Euro umfasst {chip}-Beschleuniger.",
        "{org2} übernimmt eine Beteiligung von {pct} Prozent an dem Projekt.",
        "Nach Ansicht von Analysten bleibt {kw} der Engpass für {org}.",
        "Die erste Ausbaustufe mit {mw} MW soll bis {year} ans Netz gehen.",
        "{org} schloss einen Stromabnahmevertrag mit {org2} über bis zu {mw} MW.",
    ],
    "es": [
        "{org} anunció el {day} un centro de datos de {gwde} GW en {place} junto a {org2}.",
        "El acuerdo, de {bnes} millones de dólares, incluye chips {chip}.",
        "{org2} tendrá una participación del {pct} % en el proyecto, según fuentes del sector.",
        "Según los analistas, {kw} sigue siendo el principal cuello de botella para {org}.",
        "La primera fase de {mw} MW entrará en servicio en {year}, añadió la empresa.",
        "{org} firmó un acuerdo de compra de energía con {org2} por hasta {mw} MW.",
    ],
}
FILLER = {
    "en": [
        "The announcement came after weeks of speculation among investors and local officials.",
        "Residents raised questions about traffic, noise and the use of agricultural land.",
        "The company declined to comment on the timeline beyond the statement it published.",
        "Construction is expected to create several hundred jobs over the coming years.",
        "Officials welcomed the project but said the details were still being negotiated.",
    ],
    "fr": [
        "L'annonce intervient après plusieurs semaines de rumeurs parmi les investisseurs.",
        "Des riverains s'interrogent sur le trafic, le bruit et l'usage des terres agricoles.",
        "L'entreprise n'a pas souhaité commenter le calendrier au-delà de son communiqué.",
        "Le chantier devrait créer plusieurs centaines d'emplois dans les années à venir.",
        "Les élus locaux ont salué le projet tout en rappelant que rien n'était signé.",
    ],
    "de": [
        "Die Ankündigung folgte auf wochenlange Spekulationen unter Investoren.",
        "Anwohner stellen Fragen zu Verkehr, Lärm und der Nutzung von Ackerflächen.",
        "Das Unternehmen wollte sich über die Mitteilung hinaus nicht zum Zeitplan äußern.",
        "Der Bau soll in den kommenden Jahren mehrere hundert Arbeitsplätze schaffen.",
        "Die Landesregierung begrüßte das Vorhaben, die Details seien aber noch offen.",
    ],
    "es": [
        "El anuncio llega tras semanas de rumores entre inversores y autoridades locales.",
        "Los vecinos plantean dudas sobre el tráfico, el ruido y el uso de suelo agrícola.",
        "La empresa declinó comentar el calendario más allá del comunicado publicado.",
        "Se espera que la obra cree varios cientos de empleos en los próximos años.",
        "Las autoridades celebraron el proyecto, aunque los detalles siguen en negociación.",
    ],
}
# Share of news sentences (entities, figures) among the rest: 0.15 gives about 40 mentions and
# 7 facts per 5 KB article, already denser than typical press articles.
FACT_SHARE = 0.15
DAYS = {"en": "Monday", "fr": "lundi", "de": "Montag", "es": "lunes"}


def make_articles(n: int, seed: int = 42, size: int = 5000) -> list[tuple[str, str, str]]:
    """(language, title, text) tuples of about ``size`` characters each."""
    rng = random.Random(seed)
    tax = load_taxonomy()
    orgs = [o.name for o in tax.organisations]
    chips = [a for c in tax.accelerators for a in c.aliases if a not in c.ambiguous]
    places = {lg: [n for p in tax.places for n in p.names[lg]] for lg in TEMPLATES}
    kws = {lg: [k.strip("*") for t in tax.topics for k in t.keywords[lg]] for lg in TEMPLATES}
    langs = list(TEMPLATES)
    out = []
    for i in range(n):
        lg = langs[i % 4]
        parts: list[str] = []
        while sum(len(p) + 1 for p in parts) < size:
            pool = TEMPLATES[lg] if rng.random() < FACT_SHARE else FILLER[lg]
            gw = rng.choice([1, 1.5, 2, 5, 10])
            parts.append(
                rng.choice(pool).format(
                    org=rng.choice(orgs),
                    org2=rng.choice(orgs),
                    chip=rng.choice(chips),
                    place=rng.choice(places[lg]),
                    kw=rng.choice(kws[lg]),
                    day=DAYS[lg],
                    gw=gw,
                    gwde=str(gw).replace(".", ","),
                    bn=rng.choice([2, 10, 40, 100]),
                    bnfr=rng.choice(["2,5", "10", "40", "1 000"]),
                    bnes=rng.choice(["2.500", "10.000", "40.000"]),
                    pct=rng.choice([5, 10, 20, 49]),
                    mw=rng.choice([100, 300, 500, 750]),
                    year=rng.choice([2026, 2027, 2028, 2030]),
                )
            )
        text = " ".join(parts[:-1]) if len(parts) > 1 else parts[0]
        # paragraphs, as trafilatura returns them
        words = text.split(". ")
        text = ".\n".join(". ".join(words[j : j + 4]) for j in range(0, len(words), 4))
        title = parts[0][:90]
        out.append((lg, title, text))
    return out


def site_articles(pages: int) -> list[tuple[str, str, str]]:
    """(language, title, text) of the articles extracted from ``pages`` generated pages."""
    import tempfile

    sys.path.insert(0, str(Path(__file__).resolve().parent))
    from ingest_site import generate

    from gigawatch.extract import extract_page

    out = []
    with tempfile.TemporaryDirectory(prefix="bench-tagging-") as tmp:
        for i, path in enumerate(generate(Path(tmp), pages, "127.0.0.1")):
            url = f"http://127.0.0.1/{path.relative_to(tmp)}"
            ext = extract_page(str(i), path.read_bytes(), "utf-8", url)
            if ext.ok and ext.text:
                out.append((ext.language or "", ext.title or "", ext.text))
    return out


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n", type=int, default=3000, help="articles to tag")
    ap.add_argument("--seed", type=int, default=42)
    ap.add_argument("--repeat", type=int, default=3, help="timed runs (best and median shown)")
    ap.add_argument("--profile", action="store_true", help="print the top functions by time")
    ap.add_argument("--pages", type=int, default=0,
                    help="tag the texts of this many generated 20-80 KB pages instead")  # fmt: skip
    args = ap.parse_args(argv)

    articles = site_articles(args.pages) if args.pages else make_articles(args.n, args.seed)
    kb = sum(len((t + x).encode()) for _, t, x in articles) / 1024
    tagger = Tagger(load_taxonomy())
    tagger.tag(articles[0][1], articles[0][2])  # load the language model outside the timing

    prof = cProfile.Profile() if args.profile else None
    if prof:
        prof.enable()
    runs, cpu = [], []
    facts = mentions = 0
    for _ in range(args.repeat):
        facts = mentions = 0
        t0, c0 = time.perf_counter(), time.process_time()
        for _lang, title, text in articles:
            tags = tagger.tag(title, text)
            facts += len(tags.facts)
            mentions += len(tags.mentions)
        runs.append(time.perf_counter() - t0)
        cpu.append(time.process_time() - c0)
    if prof:
        prof.disable()
        pstats.Stats(prof).sort_stats("tottime").print_stats(20)

    n = len(articles)
    print(f"articles: {n}  avg size: {kb / n:.1f} KB  per article: {mentions / n:.1f} mentions, "
          f"{facts / n:.1f} facts")  # fmt: skip
    for label, dt in (("best", min(runs)), ("median", statistics.median(runs))):
        print(f"{label} of {len(runs)}: {dt:.2f} s  ->  {n / dt:,.0f} articles/s, "
              f"{kb / dt:,.0f} KB/s (one core)")  # fmt: skip
    # on a shared machine the wall-clock rate is the share of a core it got; CPU time is not
    print(f"per CPU second (median): {n / statistics.median(cpu):,.0f} articles/s; load average "
          f"{os.getloadavg()[0]:.2f}")  # fmt: skip
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
