import re

from sources.matching.furniture import _names_site_chrome, article_text

PAGE = ("<nav>Home | News | Gadgets</nav><aside><h3>Trending</h3><ul><li>CBP plans to photograph everyone</li></ul>"
        "</aside><article><p>The keyboard is quiet.</p><p>Battery life is long.</p></article>"
        "<section><h3>Related articles</h3><ul><li>ICE renews detention contracts</li></ul></section>"
        "<footer>Subscribe to updates. Privacy policy.</footer>")


def test_it_keeps_only_the_article_when_the_page_marks_it():
    assert article_text(PAGE) == "The keyboard is quiet.\nBattery life is long."


def test_it_drops_navigation_asides_related_lists_and_footers_without_an_article_element():
    text = article_text(PAGE.replace("<article>", "<div>").replace("</article>", "</div>"))
    assert "keyboard is quiet" in text
    assert "CBP" not in text and "ICE" not in text and "Subscribe" not in text


def test_it_drops_blocks_marked_as_furniture_by_class():
    html = '<div class="related-posts"><p>ICE story</p></div><div class="body"><p>Real text.</p></div>'
    assert article_text(html) == "Real text."


def test_it_drops_site_chrome_sentences_from_plain_text():
    text = article_text("Subscribe to updates. Share on Facebook. The agency said so. Leave a comment.")
    assert text == "The agency said so."


def test_it_survives_broken_html():
    assert "text" in article_text("<div><p>text <b>bold</div></span>")
    assert article_text("") == ""


def test_sentences_about_cookies_or_advertising_in_the_article_are_kept():
    text = "The agency bought data from advertising cookies. Brokers sell it to ICE."
    assert article_text(text) == text


def test_paragraphs_stay_apart_so_a_chrome_paragraph_takes_only_itself():
    # Paragraphs without sentence punctuation: joined into one line, "Read more" would drop all.
    html = "<p>ICE signs a case management contract with Palantir</p><p>Read more</p><p>CBP tests face matching</p>"
    assert article_text(html) == "ICE signs a case management contract with Palantir\nCBP tests face matching"
    assert article_text("first line<br/>Subscribe now<BR>third line") == "first line\nthird line"


# The chrome phrases as they were written before being grouped by first letters and searched
# for from the character before them: _names_site_chrome must accept exactly the same texts.
_PHRASES_AS_LISTED = re.compile(
    r"\b(subscribe|sign up|newsletter|share (?:on|this)|related (?:articles|stories|posts|coverage)|"
    r"read more|leave a comment|comments?\s*\(\d+\)|privacy policy|terms of (?:use|service)|"
    r"(?:accept|use of|we use) cookies|cookie (?:policy|settings)|advertisement\b|advertise with us|contact us|"
    r"all rights reserved|follow us|^\s*trending\b|trending (?:now|stories|articles)|most (?:read|popular)|"
    r"recommended for you|click here|copyright\b|\u00a9)")
_CHROME = ["subscribe", "sign up", "newsletter", "share on", "share this", "related articles", "related stories",
           "related posts", "related coverage", "read more", "leave a comment", "comment (3)", "comments(12)",
           "privacy policy", "terms of use", "terms of service", "accept cookies", "use of cookies",
           "we use cookies", "cookie policy", "cookie settings", "advertisement", "advertise with us", "contact us",
           "all rights reserved", "follow us", "trending", "trending now", "trending stories", "trending articles",
           "most read", "most popular", "recommended for you", "click here", "copyright", "2025\u00a9"]
# Near misses: a letter more or less, inside a longer word, or a phrase cut short; and a \u00a9
# after a space (the \\b before it asks for a word character there, as it always did).
_NOT_CHROME = ["unsubscribed", "resubscribe", "signing up", "shared on", "related article", "reader more",
               "advertisements", "copyrighted", "uncopyright", "cookies policy", "contacts us",
               "the trending topic", "\u00a9", "alls rights reserved", "clicking here", "comments (x)", "mostly read"]


def test_the_grouped_chrome_pattern_accepts_exactly_the_listed_phrases():
    texts = []
    for phrase in _CHROME + _NOT_CHROME:
        texts += [phrase, f"the agency said {phrase} on tuesday", f"{phrase}.", f"  {phrase}", f"word{phrase}"]
    for text in texts:
        expected = _PHRASES_AS_LISTED.search(text) is not None
        assert _names_site_chrome(text) == expected, text
    assert all(_names_site_chrome(phrase) for phrase in _CHROME)
    assert not any(_names_site_chrome(f"the agency said {phrase}") for phrase in _NOT_CHROME)


def test_the_chrome_search_agrees_with_the_listed_phrases_on_random_text():
    import random

    rng = random.Random(1)
    pieces = _CHROME + _NOT_CHROME + ["x", "\u00e9", " ", "\n", "-", ".", "_", "1", "Trending", "(", "a", "s"]
    for _ in range(20000):
        text = "".join(rng.choice(pieces) for _ in range(rng.randint(0, 5)))
        assert _names_site_chrome(text) == (_PHRASES_AS_LISTED.search(text.lower()) is not None), text


def test_a_read_more_link_is_dropped_without_the_sentence_it_ends():
    html = ('<p>ICE signed a contract with Palantir <a href="https://example.org/1">Read more</a>.</p>'
            '<p>CBP tested face matching <a href="https://example.org/2">Share on Facebook</a></p>')
    assert article_text(html) == "ICE signed a contract with Palantir .\nCBP tested face matching"
    # The same in a page with structure (the tree path).
    assert article_text(f"<nav>Home</nav><div>{html}</div>") == article_text(html)
    # Links in the article's own words stay.
    assert article_text('<p>Officials at <a href="/ice">ICE</a> said so.</p>') == "Officials at ICE said so."


def test_structure_is_found_by_an_attribute_name_ignoring_case_and_not_by_others():
    from sources.matching.furniture import _has_structure

    assert _has_structure('<div CLASS = "menu">x</div>') and _has_structure("<span id='a'>x</span>")
    assert _has_structure('<div rOlE="navigation">x</div>') and _has_structure('<div itemprop="articleBody">x</div>')
    assert _has_structure('<div cla\u017fs="x">y</div>')  # the long s matches s when case is ignored
    assert not _has_structure('<p>x <a href="https://example.org/?a=b">y</a> src= alt =</p>')
