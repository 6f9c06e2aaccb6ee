"""Scrapy settings for gigawatch's crawler: polite defaults.

The ``[crawl]`` table of the sources file overrides delay, concurrency and limits (see
``NewsSpider.update_settings``); ``-s KEY=VALUE`` on the command line overrides both.
"""

from gigawatch import __version__

BOT_NAME = "gigawatch"
SPIDER_MODULES = ["spiders.spiders"]
NEWSPIDER_MODULE = "spiders.spiders"

USER_AGENT = f"gigawatch/{__version__} (+https://github.com/gigawatch/gigawatch)"
ROBOTSTXT_OBEY = True

# Politeness: AutoThrottle adapts the delay per domain to the server's latency.
AUTOTHROTTLE_ENABLED = True
AUTOTHROTTLE_START_DELAY = 1.0
AUTOTHROTTLE_MAX_DELAY = 30.0
AUTOTHROTTLE_TARGET_CONCURRENCY = 1.0
DOWNLOAD_DELAY = 1.0
CONCURRENT_REQUESTS = 16
CONCURRENT_REQUESTS_PER_DOMAIN = 2
DOWNLOAD_TIMEOUT = 30

RETRY_ENABLED = True
RETRY_TIMES = 2
REDIRECT_MAX_TIMES = 10  # a longer chain is recorded as http_error "too many redirects"
DOWNLOADER_MIDDLEWARES = {
    # retries honour Retry-After (429/503), up to GIGAWATCH_MAX_RETRY_AFTER seconds
    "scrapy.downloadermiddlewares.retry.RetryMiddleware": None,
    "spiders.middlewares.RetryAfterMiddleware": 550,
    # no redirect leaves a source: a 3xx is seen before RedirectMiddleware (600) follows it,
    # any other redirected request (meta refresh) is stopped before robots.txt (100)
    "spiders.middlewares.OffSiteRedirectMiddleware": 650,
    "spiders.middlewares.OffSiteRedirectedRequestMiddleware": 60,
}
# Error answers reach the spider so that each becomes a recorded fetch, not a silent drop.
HTTPERROR_ALLOW_ALL = True

DOWNLOAD_MAXSIZE = 5 * 1024 * 1024
DOWNLOAD_WARNSIZE = 2 * 1024 * 1024
DEPTH_LIMIT = 3

COOKIES_ENABLED = False
TELNETCONSOLE_ENABLED = False
REQUEST_FINGERPRINTER_IMPLEMENTATION = "2.7"
FEED_EXPORT_ENCODING = "utf-8"
LOG_LEVEL = "INFO"

# gigawatch's own settings.
GIGAWATCH_SOURCES = "sources.toml"  # the sources file to crawl
GIGAWATCH_PLAN = ""  # JSON file of a gigawatch.plan.CrawlPlan (run id, window, known URLs)
GIGAWATCH_MAX_RETRY_AFTER = 120.0  # longest Retry-After honoured, seconds
