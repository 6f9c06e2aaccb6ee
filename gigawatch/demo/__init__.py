"""The bundled demo news site: four fictional outlets served on 127.0.0.1.

``site/`` holds the generated pages (``build_site.py`` writes them from ``articles/``),
``site/manifest.toml`` the ground truth about every article, ``server.py`` serves them and
``sources.py`` writes a sources file pointing at a running ``DemoSite``.
"""

from pathlib import Path

DEMO_DIR = Path(__file__).resolve().parent
SITE_DIR = DEMO_DIR / "site"
MANIFEST = SITE_DIR / "manifest.toml"
OUTLETS = ("gridledger", "computeweekly", "courrier", "infraeuropa")
# `gigawatch demo` serves the outlets on DEMO_PORT, DEMO_PORT + 1, ... (server.stable_ports) so
# that a second demo run on the same database finds the same article URLs and adds nothing.
DEMO_PORT = 8301
