"""Generate the demo news site from the article sources.

    .venv/bin/python -m gigawatch.demo.build_site [--check]

Reads ``gigawatch/demo/articles/<outlet>/*.md`` (TOML front matter between ``+++`` lines, then
the body) and rewrites ``gigawatch/demo/site/`` completely: one directory per outlet with its
pages, feeds, sitemaps, robots.txt and ``_routes.toml`` (what the server needs to know beyond
plain files), plus ``site/manifest.toml``, the ground truth the tests assert against.
``--check`` only validates the sources and reports whether the generated site is up to date.

Body markup: paragraphs separated by blank lines; a line starting with ``## `` is a
subheading. A quantity is written ``[[6 gigawatts|power 6 GW]]``: the text before ``|`` is what
the reader sees, the rest is the normalised fact a correct tagger must find. ``[[...|-]]``
marks a number that looks like a fact but is not one (a vague amount, a chip count, ...).
Every number followed by a unit or a money word must sit in such a span; the build fails
otherwise, which keeps the manifest honest.

Fact forms: ``power <gigawatts> GW`` (500 MW -> ``power 0.5 GW``),
``money <integer> <USD|EUR|GBP>``, ``stake <percent> %``, ``shares <integer>``.
"""

from __future__ import annotations

import argparse
import re
import shutil
import sys
import tomllib
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path

from gigawatch.demo import DEMO_DIR, OUTLETS, SITE_DIR
from gigawatch.demo import templates as T

ARTICLES_DIR = DEMO_DIR / "articles"
FIRST_DAY = date(2025, 9, 1)
LAST_DAY = date(2025, 11, 30)
MIN_WORDS, MAX_WORDS = 180, 450
LANGUAGES = {
    "gridledger": {"en"},
    "computeweekly": {"en"},
    "courrier": {"fr"},
    "infraeuropa": {"de", "es"},
}

SPAN_RE = re.compile(r"\[\[([^\]|]+)\|([^\]]+)\]\]")
FACT_RE = re.compile(
    r"^(power \d+(\.\d+)? GW|money \d+ (USD|EUR|GBP)|stake \d+(\.\d+)? %|shares \d+)$"
)
# Anything that looks like a quantity and must therefore sit inside a [[...|...]] span.
QUANTITY_RE = re.compile(
    r"[$€£]\s?\d|\d\s?%|\b(?:per ?cent|pour ?cent|Prozent|por ?ciento)\b"
    r"|\d\s?(?:GW|MW|kW|GWh|MWh|TWh)\b"
    r"|\b(?:gigawatts?|megawatts?|mégawatts?|Gigawatt|Megawatt|gigavatios?|megavatios?)\b"
    r"|\b(?:billions?|bn|millions?|trillions?|milliards?|Mrd|Mio|Milliarden?|Millionen?"
    r"|millones|billones)\b"
    r"|\d\s+(?:shares|actions|Aktien|acciones)\b"
)

# Canonical organisation and chip names with the spellings the articles use for them.
ORGS: dict[str, list[str]] = {
    "Amazon": ["Amazon", "AWS", "Amazon Web Services"],
    "AMD": ["AMD", "Advanced Micro Devices"],
    "Anthropic": ["Anthropic"],
    "Arm": ["Arm"],
    "ASML": ["ASML"],
    "Blackstone": ["Blackstone"],
    "Blue Owl": ["Blue Owl"],
    "Bpifrance": ["Bpifrance"],
    "Broadcom": ["Broadcom"],
    "Constellation Energy": ["Constellation", "Constellation Energy"],
    "CoreWeave": ["CoreWeave"],
    "Crusoe": ["Crusoe"],
    "Deutsche Telekom": ["Deutsche Telekom", "Telekom", "T-Systems"],
    "Echelon Data Centres": ["Echelon", "Echelon Data Centres"],
    "EDF": ["EDF"],
    "Entergy": ["Entergy"],
    "ERCOT": ["ERCOT"],
    "EuroHPC": ["EuroHPC"],
    "European Commission": [
        "European Commission",
        "Commission européenne",
        "EU-Kommission",
        "Comisión Europea",
    ],
    "Fluidstack": ["Fluidstack"],
    "Gaia-X": ["Gaia-X"],
    "Google": ["Google", "Alphabet", "Google Cloud", "DeepMind"],
    "Iberdrola": ["Iberdrola"],
    "Intel": ["Intel"],
    "Kairos Power": ["Kairos", "Kairos Power"],
    "Meta": ["Meta"],
    "MGX": ["MGX"],
    "Microsoft": ["Microsoft"],
    "Mistral AI": ["Mistral AI", "Mistral"],
    "Morgan Stanley": ["Morgan Stanley"],
    "NextEra Energy": ["NextEra", "NextEra Energy"],
    "Nscale": ["Nscale"],
    "Nvidia": ["Nvidia", "NVIDIA"],
    "OpenAI": ["OpenAI"],
    "Oracle": ["Oracle"],
    "RTE": ["RTE"],
    "Samsung": ["Samsung"],
    "SAP": ["SAP"],
    "Schwarz Group": ["Schwarz Group", "Schwarz Gruppe", "Schwarz Digits"],
    "SK Hynix": ["SK Hynix"],
    "SoftBank": ["SoftBank"],
    "Start Campus": ["Start Campus"],
    "Tennessee Valley Authority": ["Tennessee Valley Authority", "TVA"],
    "TSMC": ["TSMC"],
    "xAI": ["xAI"],
}
CHIPS: dict[str, list[str]] = {
    "MI300X": ["MI300X"],
    "MI355X": ["MI355X"],
    "MI450": ["MI450", "Instinct MI450"],
    "H100": ["H100"],
    "H20": ["H20"],
    "H200": ["H200"],
    "B200": ["B200"],
    "GB200": ["GB200"],
    "GB300": ["GB300"],
    "Blackwell": ["Blackwell"],
    "Rubin": ["Rubin", "Vera Rubin"],
    "TPU": ["TPU", "TPUs"],
    "Ironwood": ["Ironwood", "TPU v7"],
    "Trainium": ["Trainium"],
    "Trainium2": ["Trainium2"],
    "Trainium3": ["Trainium3"],
    "Maia 100": ["Maia 100"],
}


class BuildError(ValueError):
    pass


@dataclass
class Article:
    source: Path
    outlet: str
    slug: str
    language: str
    title: str
    published: datetime
    author: str
    story: str
    on_topic: bool
    section: str
    dek: str
    blocks: list[tuple[str, str]]  # (tag, html) with tag "p" or "h2"
    plain: str  # title, dek and body as plain text
    facts: list[str]
    orgs: list[str]
    chips: list[str]
    repost_of: str | None = None  # "outlet/slug" in the sources; a path in the manifest
    comments: list[dict[str, str]] = field(default_factory=list)
    encoding: str = "utf-8"
    path: str = ""
    variants: list[str] = field(default_factory=list)

    @property
    def file(self) -> str:
        """Path of the generated file inside the outlet directory."""
        return self.path.lstrip("/") + ("" if self.path.endswith(".html") else ".html")

    @property
    def body_words(self) -> int:
        return sum(len(re.sub(r"<[^>]+>", "", h).split()) for _, h in self.blocks)


def article_path(outlet: str, slug: str, language: str, published: datetime) -> str:
    d = published
    if outlet == "gridledger":
        return f"/news/{d:%Y/%m/%d}/{slug}"
    if outlet == "computeweekly":
        return f"/{d:%Y/%m}/{slug}.html"
    if outlet == "courrier":
        return f"/actu/{slug}-{d:%Y%m%d}.html"
    return f"/{language}/{d:%Y/%m}/{slug}"


def _spans(text: str, facts: list[str], where: str) -> tuple[str, str]:
    """(html, plain) of a marked-up text; collects its facts."""
    for m in SPAN_RE.finditer(text):
        for fact in (f.strip() for f in m.group(2).split(";")):
            if fact == "-":
                continue
            if not FACT_RE.match(fact):
                raise BuildError(f"{where}: bad fact {fact!r}")
            if fact not in facts:
                facts.append(fact)
    outside = SPAN_RE.sub(" ", text)
    if bad := QUANTITY_RE.search(outside):
        start = max(0, bad.start() - 40)
        raise BuildError(
            f"{where}: quantity outside a [[...|fact]] span: ...{outside[start : bad.end() + 20]!r}"
        )
    plain = SPAN_RE.sub(lambda m: m.group(1), text)
    return T.esc(plain), plain


def _names_in(text: str, table: dict[str, list[str]]) -> list[str]:
    found = []
    for canonical, aliases in table.items():
        for alias in aliases:
            if re.search(rf"(?<!\w){re.escape(alias)}(?!\w)", text):
                found.append(canonical)
                break
    return sorted(found)


def load_article(path: Path) -> Article:
    raw = path.read_text(encoding="utf-8")
    parts = raw.split("+++\n", 2)
    if len(parts) != 3 or parts[0]:
        raise BuildError(f"{path}: expected +++ front matter +++ then the body")
    meta = tomllib.loads(parts[1])
    where = str(path.relative_to(DEMO_DIR))
    head_facts: list[str] = []
    _, title = _spans(meta["title"], head_facts, where)
    _, dek = _spans(meta.get("dek", ""), head_facts, where)
    facts: list[str] = []
    blocks: list[tuple[str, str]] = []
    plain = [title, dek]
    for chunk in re.split(r"\n\s*\n", parts[2].strip()):
        chunk = " ".join(chunk.split())
        tag = "p"
        if chunk.startswith("## "):
            tag, chunk = "h2", chunk[3:]
        html, text = _spans(chunk, facts, where)
        blocks.append((tag, html))
        plain.append(text)
    if missing := [f for f in head_facts if f not in facts]:
        raise BuildError(f"{where}: facts of the title or standfirst not in the body: {missing}")
    published = datetime.fromisoformat(meta["published"])
    if published.tzinfo is None:
        raise BuildError(f"{where}: published needs a time zone")
    outlet = path.parent.name
    a = Article(
        source=path,
        outlet=outlet,
        slug=meta["slug"],
        language=meta["language"],
        title=title,
        published=published,
        author=meta["author"],
        story=meta["story"],
        on_topic=meta.get("on_topic", True),
        section=meta["section"],
        dek=dek,
        blocks=blocks,
        plain="\n".join(plain),
        facts=facts,
        orgs=sorted(meta.get("orgs", [])),
        chips=sorted(meta.get("chips", [])),
        repost_of=meta.get("repost_of"),
        comments=meta.get("comments", []),
        encoding=meta.get("encoding", "utf-8"),
    )
    a.path = article_path(outlet, a.slug, a.language, published)
    return a


def validate(articles: list[Article]) -> None:
    problems = []
    seen_paths: set[str] = set()
    for a in articles:
        where = str(a.source.relative_to(DEMO_DIR))
        if a.outlet not in OUTLETS:
            problems.append(f"{where}: unknown outlet directory")
        if a.language not in LANGUAGES.get(a.outlet, set()):
            problems.append(f"{where}: language {a.language} not published by {a.outlet}")
        if not FIRST_DAY <= a.published.date() <= LAST_DAY:
            problems.append(f"{where}: published {a.published} out of range")
        if a.published.astimezone(UTC).date() != a.published.date():
            problems.append(
                f"{where}: published {a.published} is another day in UTC; "
                "keep local and UTC dates equal so day comparisons are unambiguous"
            )
        if not MIN_WORDS <= a.body_words <= MAX_WORDS:
            problems.append(f"{where}: {a.body_words} words, want {MIN_WORDS}-{MAX_WORDS}")
        if a.path in seen_paths:
            problems.append(f"{where}: duplicate path {a.path}")
        seen_paths.add(a.path)
        for label, table, declared in (("orgs", ORGS, a.orgs), ("chips", CHIPS, a.chips)):
            unknown = sorted(set(declared) - set(table))
            if unknown:
                problems.append(f"{where}: unknown {label} {unknown}")
            found = _names_in(a.plain, table)
            if found != declared:
                problems.append(f"{where}: {label} declared {declared}, text names {found}")
        if a.encoding != "utf-8":
            try:
                a.plain.encode(a.encoding)
            except UnicodeEncodeError as exc:
                problems.append(f"{where}: not encodable as {a.encoding}: {exc}")
    by_key = {f"{a.outlet}/{a.slug}": a for a in articles}
    for a in articles:
        if a.repost_of and a.repost_of not in by_key:
            problems.append(f"{a.source}: repost_of {a.repost_of} unknown")
    if problems:
        raise BuildError("\n".join(problems))


def load_articles() -> list[Article]:
    articles = []
    errors = []
    for path in sorted(ARTICLES_DIR.glob("*/*.md")):
        try:
            articles.append(load_article(path))
        except (BuildError, KeyError, tomllib.TOMLDecodeError, ValueError) as exc:
            errors.append(f"{path.relative_to(DEMO_DIR)}: {exc!r}")
    if errors:
        raise BuildError("\n".join(errors))
    validate(articles)
    articles.sort(key=lambda a: (a.published, a.outlet, a.slug))
    return articles


def _toml_value(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, str):
        return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'
    if isinstance(value, list):
        return "[" + ", ".join(_toml_value(v) for v in value) + "]"
    raise TypeError(value)


def _toml_table(header: str, values: dict[str, object]) -> str:
    lines = [header]
    for key, value in values.items():
        if value is None:
            continue
        k = key if re.fullmatch(r"[A-Za-z0-9_-]+", key) else _toml_value(key)
        lines.append(f"{k} = {_toml_value(value)}")
    return "\n".join(lines) + "\n"


MANIFEST_HEADER = """\
# Ground truth about the demo site, generated by gigawatch/demo/build_site.py: do not edit.
#
# [[outlet]]  name, title, base language(s), how a crawler discovers its articles.
# [[article]] one per article page:
#   outlet, path (URL path on that outlet's base URL), language (en/fr/de/es), title,
#   published (ISO 8601 with the outlet's time zone), author, story (shared by every article
#   about the same event), on_topic, repost_of / repost_of_outlet (the syndicated original),
#   variants (other URL paths the site links to for the same page: tracking parameters,
#   trailing slash), encoding (what the server declares and sends), orgs and chips
#   (canonical names, see [taxonomy]), facts (quantities a correct tagger must find):
#     power <gigawatts> GW   (500 MW is "power 0.5 GW")
#     money <integer> <USD|EUR|GBP>
#     stake <percent> %
#     shares <integer>
#   Facts are those of the article body (title and standfirst repeat them). Vague amounts
#   ("tens of billions", "miles de millones"), counts of chips, GPUs or customers, energy
#   (GWh), percentages that are not ownership stakes (growth, share-price moves), "gigawatt"
#   without a number ("gigawatt scale"), years, dates and phone numbers are not facts.
# [[special]] pages a crawler must cope with: kind, expected status and content type.
# [taxonomy]  the spellings of each canonical organisation and chip used in the articles.
"""


def manifest_text(articles: list[Article], specials: list[dict[str, object]]) -> str:
    by_key = {f"{a.outlet}/{a.slug}": a for a in articles}
    out = [MANIFEST_HEADER]
    for name in OUTLETS:
        info = T.OUTLET_INFO[name]
        out.append(_toml_table("[[outlet]]", {"name": name, **info}))
    for a in articles:
        original = by_key[a.repost_of] if a.repost_of else None
        out.append(
            _toml_table(
                "[[article]]",
                {
                    "outlet": a.outlet,
                    "path": a.path,
                    "language": a.language,
                    "title": a.title,
                    "published": a.published.isoformat(),
                    "author": a.author,
                    "story": a.story,
                    "on_topic": a.on_topic,
                    "repost_of": original.path if original else None,
                    "repost_of_outlet": original.outlet if original else None,
                    "variants": a.variants,
                    "encoding": a.encoding,
                    "orgs": a.orgs,
                    "chips": a.chips,
                    "facts": a.facts,
                },
            )
        )
    for s in specials:
        out.append(_toml_table("[[special]]", s))
    out.append(_toml_table("[taxonomy.orgs]", dict(ORGS.items())))
    out.append(_toml_table("[taxonomy.chips]", dict(CHIPS.items())))
    return "\n".join(out)


def render_site(articles: list[Article]) -> dict[str, bytes]:
    """Every generated file, keyed by its path relative to site/."""
    files: dict[str, bytes] = {}
    specials: list[dict[str, object]] = []
    by_key = {f"{a.outlet}/{a.slug}": a for a in articles}
    for name in OUTLETS:
        own = [a for a in articles if a.outlet == name]
        outlet_files, outlet_specials = T.RENDERERS[name](own, by_key)
        for rel, content in outlet_files.items():
            files[f"{name}/{rel}"] = content
        specials.extend({"outlet": name, **s} for s in outlet_specials)
    files["manifest.toml"] = manifest_text(articles, specials).encode("utf-8")
    return files


def write_site(files: dict[str, bytes], root: Path = SITE_DIR) -> None:
    if root.exists():
        shutil.rmtree(root)
    for rel, content in sorted(files.items()):
        target = root / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(content)


def stale_files(files: dict[str, bytes], root: Path = SITE_DIR) -> list[str]:
    """Generated files that differ from what is on disk (or are missing or extra)."""
    on_disk = {str(p.relative_to(root)) for p in root.rglob("*") if p.is_file()}
    stale = sorted(set(on_disk) ^ set(files))
    stale += sorted(r for r in files if r in on_disk and (root / r).read_bytes() != files[r])
    return stale


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--check", action="store_true", help="validate only, write nothing")
    args = parser.parse_args(argv)
    try:
        articles = load_articles()
    except BuildError as exc:
        print(exc, file=sys.stderr)
        return 1
    files = render_site(articles)
    if args.check:
        stale = stale_files(files)
        if stale:
            print("site/ is out of date: " + ", ".join(stale[:10]), file=sys.stderr)
            return 1
        print(f"{len(articles)} articles, site/ up to date")
        return 0
    write_site(files)
    print(f"{len(articles)} articles, {len(files)} files written to {SITE_DIR}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
