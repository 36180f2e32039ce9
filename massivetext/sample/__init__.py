"""The built-in synthetic sample crawl that `make run` curates.

``crawl`` writes the WARC, its test set and a manifest of every planted case;
``plan`` decides what N pages hold, ``pages`` renders the sites' HTML, ``text`` and
``words`` generate English prose, ``foreign`` other languages, ``cases`` the pages
planted to fail each filter rule, ``related`` near duplicates and test-set leaks, and
``records`` the skips and malformed records. May import :mod:`massivetext.io`.
"""
