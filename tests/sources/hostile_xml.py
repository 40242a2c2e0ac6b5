"""Hostile XML documents (no Django imports: a memory-limited child process loads this)."""

BILLION_LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE rss [
 <!ENTITY lol "lol">
 <!ENTITY lol1 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol2 "&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
 <!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
 <!ENTITY lol5 "&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;">
 <!ENTITY lol6 "&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;">
 <!ENTITY lol7 "&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;">
 <!ENTITY lol8 "&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;">
 <!ENTITY lol9 "&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;">
]>
<rss version="2.0"><channel><title>&lol9;</title>
<item><title>&lol9;</title><description>&lol9;</description><guid>1</guid></item></channel></rss>
"""


def external_entity(system_id):
    return f"""<?xml version="1.0"?>
<!DOCTYPE rss [ <!ENTITY xxe SYSTEM "{system_id}"> ]>
<rss version="2.0"><channel><title>t</title>
<item><title>leak</title><description>&xxe;</description><guid>1</guid></item></channel></rss>
""".encode()


def quadratic_blowup(entity_size=50_000, references=2_000):
    # ~109 KB on disk; a parser that expands it builds a 100 MB string per field.
    refs = "&a;" * references
    return (f'<?xml version="1.0"?>\n<!DOCTYPE rss [<!ENTITY a "{"x" * entity_size}">]>\n'
            f'<rss version="2.0"><channel><title>q</title><item><title>q</title>'
            f"<description>{refs}</description><guid>1</guid></item></channel></rss>").encode()


HOSTILE = {
    "billion laughs": BILLION_LAUGHS,
    "external entity file": external_entity("file:///etc/passwd"),
    "quadratic blow-up": quadratic_blowup(),
    "parameter entity": b'<?xml version="1.0"?><!DOCTYPE r [<!ENTITY % p SYSTEM "http://127.0.0.1:9/x.dtd"> %p;]><rss/>',
    "utf-16 billion laughs": BILLION_LAUGHS.decode().replace('<?xml version="1.0"?>', '<?xml version="1.0" encoding="utf-16"?>').encode("utf-16"),
    "utf-7 spelled": (b'<?xml version="1.0" encoding="utf-7"?>+ADw-!DOCTYPE rss +AFs-+ADw-!ENTITY a "b"+AD4-+AF0-+AD4-'
                      b'<rss version="2.0"><channel><title>&a;</title></channel></rss>'),
    "lower-case and spaced": b'<?xml version="1.0"?><!DOCTYPE rss [<! entity a "b">]><rss/>',
}
