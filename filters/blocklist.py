"""The URL/domain blocklist hook of the content filter (Gopher Appendix
A.1.1; docs/paper.md, "Content filter").

The paper drops pages that fail Google SafeSearch; we have no SafeSearch, so a user may
supply a blocklist file instead (off by default). One entry per line, ``#`` comments:

- a domain (``example.com``) blocks that host and every subdomain of it;
- an entry with a scheme (``https://example.com/private/``) blocks URLs starting with it.
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlsplit

BLOCKED_RULE = "blocklisted_url"


@dataclass(frozen=True)
class Blocklist:
    domains: frozenset[str]
    url_prefixes: tuple[str, ...]

    @classmethod
    def parse(cls, text: str) -> Blocklist:
        domains, prefixes = set(), []
        for line in text.splitlines():
            entry = line.split("#", 1)[0].strip()
            if not entry:
                continue
            if "://" in entry:
                prefixes.append(entry.lower())
            else:
                domains.add(entry.lower().strip(".").removeprefix("www."))
        return cls(frozenset(domains), tuple(sorted(prefixes)))

    def blocks(self, url: str) -> bool:
        lowered = url.lower()
        if any(lowered.startswith(prefix) for prefix in self.url_prefixes):
            return True
        try:
            host = (urlsplit(lowered).hostname or "").strip(".")
        except ValueError:  # an unparseable URL from the open web
            return False
        labels = host.split(".")
        return any(".".join(labels[i:]) in self.domains for i in range(len(labels)))
