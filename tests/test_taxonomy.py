"""The taxonomy file: the default one is complete and valid; malformed ones fail clearly."""

from __future__ import annotations

from pathlib import Path

import pytest

from gigawatch.taxonomy import LANGUAGES, TaxonomyError, is_short_alias, load_taxonomy

MINIMAL = """
version = "t1"
organisations = [
  { name = "Nvidia", kind = "chip_designer", aliases = ["NVIDIA"] },
  { name = "OpenAI", kind = "ai_lab" },
]
accelerators = [
  { name = "Nvidia H100", vendor = "Nvidia", aliases = ["H100"] },
]
[relevance]
threshold = 0.4
[[places]]
name = "France"
kind = "country"
iso = "FR"
en = ["France"]
fr = ["France"]
de = ["Frankreich"]
es = ["Francia"]
[[topics]]
name = "data centers"
weight = 1.5
en = ["data center*"]
fr = ["centre de données"]
de = ["*rechenzentr*"]
es = ["centro de datos"]
"""


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "taxonomy.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_default_taxonomy_is_complete():
    tax = load_taxonomy()
    assert tax.version
    assert len(tax.organisations) >= 80
    assert len(tax.accelerators) >= 40
    assert len(tax.topics) >= 10
    assert len(tax.places) >= 40
    names = {o.name for o in tax.organisations}
    for required in (
        "OpenAI", "Anthropic", "xAI", "Mistral AI", "Google", "Microsoft", "Amazon", "Meta",
        "Oracle", "CoreWeave", "Nscale", "Lambda", "Crusoe", "Nebius", "Equinix",
        "Digital Realty", "Nvidia", "AMD", "Intel", "Broadcom", "TSMC", "Samsung", "SK Hynix",
        "Micron", "Arm", "Qualcomm", "Cerebras", "Groq", "SoftBank", "MGX", "BlackRock",
        "Global Infrastructure Partners", "Brookfield", "Blackstone", "EDF", "RTE", "Engie",
        "Iberdrola", "RWE", "E.ON", "Constellation Energy", "NextEra Energy", "Kairos Power",
        "Oklo", "Deutsche Telekom", "OVHcloud", "Scaleway", "Stargate", "Gaia-X", "EuroHPC",
    ):  # fmt: skip
        assert required in names, required
    chips = {c.name for c in tax.accelerators}
    for required in ("H100", "H200", "B200", "GB200", "GB300", "Rubin", "MI300X", "MI325X",
                     "MI350", "MI355X", "MI450", "TPU", "Ironwood", "Trainium2", "Inferentia2",
                     "Maia 200", "Gaudi 3", "WSE-3", "LPU"):  # fmt: skip
        assert required in chips, required
    vendors = {c.name: c.vendor for c in tax.accelerators}
    assert (vendors["H100"], vendors["MI450"], vendors["TPU"]) == ("Nvidia", "AMD", "Google")
    for topic in tax.topics:
        assert all(topic.keywords[lang] for lang in LANGUAGES), topic.name
    for place in tax.places:
        assert all(place.names[lang] for lang in LANGUAGES), place.name
    assert 0 < tax.relevance.threshold < 1


def test_short_and_listed_aliases_are_case_sensitive():
    tax = load_taxonomy()
    assert "AMD" in tax.organisation("AMD").case_sensitive
    assert "Arm" in tax.organisation("Arm").case_sensitive
    assert "Meta" in tax.organisation("Meta").case_sensitive
    assert "Apple" in tax.organisation("Apple").case_sensitive
    assert "Intel" in tax.organisation("Intel").case_sensitive
    assert "Nvidia" not in tax.organisation("Nvidia").case_sensitive
    assert is_short_alias("AWS") and is_short_alias("GOOGL") and not is_short_alias("Nvidia")


def test_minimal_file_loads(tmp_path: Path):
    tax = load_taxonomy(write(tmp_path, MINIMAL))
    assert tax.version == "t1"
    assert tax.relevance.threshold == 0.4
    assert tax.accelerators[0].vendor == "Nvidia"
    assert tax.places[0].names["de"] == ("Frankreich",)
    assert tax.digest and tax.path.endswith("taxonomy.toml")


@pytest.mark.parametrize(
    ("old", "new", "expected"),
    [
        (
            '{ name = "Nvidia", kind = "chip_designer", aliases = ["NVIDIA"] }',
            '{ name = "Nvidia", kind = "chip_designer", alias = ["NVIDIA"] }',
            "taxonomy.toml: organisations[0] 'Nvidia': unknown key 'alias' (expected: name, kind, "
            "aliases, case_sensitive, ambiguous, exclude)",
        ),
        (
            '{ name = "OpenAI", kind = "ai_lab" }',
            '{ name = "OpenAI" }',
            "taxonomy.toml: organisations[1] 'OpenAI': missing key 'kind'",
        ),
        (
            '{ name = "OpenAI", kind = "ai_lab" }',
            '{ name = "OpenAI", kind = "robot" }',
            "organisations[1] 'OpenAI': unknown kind 'robot'",
        ),
        (
            'aliases = ["NVIDIA"]',
            'aliases = "NVIDIA, NVDA"',
            "",  # a bare string is accepted as a one-element list
        ),
        (
            'aliases = ["NVIDIA"]',
            "aliases = [1, 2]",
            "organisations[0] 'Nvidia': key 'aliases' must be a list of non-empty strings",
        ),
        (
            'vendor = "Nvidia"',
            'vendor = "NVIDIA Inc"',
            "accelerators[0] 'Nvidia H100': vendor 'NVIDIA Inc' is not the name of an organisation",
        ),
        (
            'es = ["centro de datos"]\n',
            "",
            "topics[0] 'data centers': missing key 'es'",
        ),
        (
            'de = ["Frankreich"]\n',
            "",
            "places[0] 'France': missing key 'de'",
        ),
        (
            '{ name = "OpenAI", kind = "ai_lab" }',
            '{ name = "OpenAI", kind = "ai_lab", aliases = ["nvidia"] }',
            "organisations[1] 'OpenAI': alias 'nvidia' is already used by "
            "organisations[0] 'Nvidia'",
        ),
        (
            "threshold = 0.4",
            "threshold = 4",
            "relevance: key 'threshold' must be between 0 and 1",
        ),
        (
            "weight = 1.5",
            'weight = "high"',
            "topics[0] 'data centers': key 'weight' must be a number",
        ),
        (
            'version = "t1"',
            'version = "t1"\ncolour = "blue"',
            "taxonomy.toml: unknown top-level key 'colour'",
        ),
        (
            'aliases = ["NVIDIA"] }',
            'aliases = ["NVIDIA"], case_sensitive = ["Nvda"] }',
            "key 'case_sensitive' lists 'Nvda', which is not one of its aliases",
        ),
        (
            'version = "t1"',
            'version = "t1',
            "taxonomy.toml: invalid TOML",
        ),
    ],
)
def test_malformed_taxonomy_names_entry_and_key(tmp_path: Path, old: str, new: str, expected: str):
    assert old in MINIMAL
    path = write(tmp_path, MINIMAL.replace(old, new, 1))
    if not expected:
        load_taxonomy(path)
        return
    with pytest.raises(TaxonomyError) as info:
        load_taxonomy(path)
    assert expected in str(info.value)


def test_missing_file(tmp_path: Path):
    with pytest.raises(TaxonomyError, match="cannot read taxonomy file"):
        load_taxonomy(tmp_path / "nope.toml")


def test_every_problem_is_listed_with_the_nearest_key(tmp_path: Path):
    text = MINIMAL.replace('kind = "ai_lab" }', 'kind = "robot" }').replace(
        'aliases = ["H100"]', 'alias = ["H100"]'
    )
    with pytest.raises(TaxonomyError) as info:
        load_taxonomy(write(tmp_path, text))
    lines = str(info.value).splitlines()
    assert len(lines) == 2, lines
    assert lines[0].startswith("taxonomy.toml: organisations[1] 'OpenAI': unknown kind 'robot'")
    assert lines[1] == (
        "taxonomy.toml: accelerators[0] 'Nvidia H100': unknown key 'alias' (expected: name, "
        "vendor, family, aliases, case_sensitive, ambiguous, exclude); did you mean 'aliases'?"
    )


def test_default_taxonomy_has_many_organisations_and_each_alias_once():
    tax = load_taxonomy()
    assert len(tax.organisations) >= 400
    owners: dict[str, str] = {}
    for org in tax.organisations:
        for alias in org.aliases:
            key = alias.strip("*").lower()
            assert owners.setdefault(key, org.name) == org.name, (alias, owners[key], org.name)
    kinds = {o.kind for o in tax.organisations}
    assert {"bank", "public_lender", "agency", "grid_operator", "research"} <= kinds
    assert kinds <= set(tax.relevance.org_kinds)  # every kind has a relevance weight
    names = {o.name for o in tax.organisations}
    for required in (
        "European Investment Bank", "US Department of Commerce", "US Department of Energy",
        "Nuclear Regulatory Commission", "FERC", "EuroHPC", "International Energy Agency",
        "European Commission", "Bpifrance", "KfW", "Caisse des Dépôts", "RTE", "National Grid",
        "ERCOT", "PJM Interconnection", "50Hertz", "TenneT", "Redeia", "JPMorgan Chase",
        "Goldman Sachs", "Statkraft", "Cameco", "Fermi America", "Galaxy Digital", "Firmus",
        "Lightmatter", "Rebellions", "FuriosaAI", "Axelera AI", "SiPearl", "atNorth",
        "EcoDataCenter", "Scala Data Centers", "Jülich Supercomputing Centre", "CEA",
        "Fraunhofer", "Barcelona Supercomputing Center",
    ):  # fmt: skip
        assert required in names, required
    assert {c.name: c.vendor for c in tax.accelerators}["XPU"] == "Broadcom"
