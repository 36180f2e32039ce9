from massivetext.filters.blocklist import Blocklist

BLOCKLIST = Blocklist.parse("""
# adult and spam domains
example-spam.com
www.bad.org   # subdomains too
https://news.example.com/private/
""")


def test_domains_block_themselves_and_their_subdomains():
    assert BLOCKLIST.blocks("http://example-spam.com/page")
    assert BLOCKLIST.blocks("https://cdn.example-spam.com/x")
    assert BLOCKLIST.blocks("https://BAD.org/")
    assert not BLOCKLIST.blocks("https://notexample-spam.com/")
    assert not BLOCKLIST.blocks("https://example.com/")


def test_url_prefixes_block_only_below_them():
    assert BLOCKLIST.blocks("https://news.example.com/private/story")
    assert not BLOCKLIST.blocks("https://news.example.com/public/story")


def test_unparseable_and_empty_urls_are_not_blocked():
    assert not BLOCKLIST.blocks("http://[::1")
    assert not BLOCKLIST.blocks("")
