from sources.matching.furniture import article_text

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
