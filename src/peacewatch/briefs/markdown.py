"""The small, safe subset of Markdown that analysts write in brief narratives.

Everything is HTML-escaped first; only then are paragraphs, bullet lists, **bold**, *italic*,
`code` and [links](https://...) (http and https only) turned into tags. No raw HTML passes through.

:func:`link_target` is the one rule for every other link in a brief (the ``source`` of a commitment,
claim or chronology fact): only http(s) and mailto URLs become links, in the HTML and so in the PDF's
annotations; anything else (``javascript:``, ``data:``, ``file:``, a bare path) is shown as text.
"""

from __future__ import annotations

import html
import re
from urllib.parse import urlsplit

_LINK = re.compile(r"\[([^\]]+)\]\((https?://[^)\s]+)\)")
_BOLD = re.compile(r"\*\*(.+?)\*\*")
_ITALIC = re.compile(r"(?<![*\w])\*(?!\s)(.+?)(?<!\s)\*(?![*\w])")
_CODE = re.compile(r"`([^`]+)`")


_LINKABLE = frozenset({"http", "https", "mailto"})


def link_target(url) -> str | None:
    """``url`` when it may become a link (http, https or mailto, with something after the scheme),
    else None: the caller shows it as text.

    >>> link_target("https://peacemaker.un.org/doha"), link_target(" JavaScript:alert(1)")
    ('https://peacemaker.un.org/doha', None)
    """
    if not isinstance(url, str):
        return None
    text = url.strip()
    # Browsers drop tabs and newlines inside a scheme ("java\tscript:"): refuse any control character.
    if not text or any(ord(ch) < 32 or ord(ch) == 127 for ch in text):
        return None
    try:
        parts = urlsplit(text)
    except ValueError:
        return None
    if parts.scheme.lower() not in _LINKABLE:
        return None
    if parts.scheme.lower() == "mailto":
        return text if parts.path else None
    return text if parts.netloc else None


def _inline(text: str) -> str:
    out = html.escape(text, quote=True)
    out = _CODE.sub(r"<code>\1</code>", out)
    out = _LINK.sub(lambda m: f'<a href="{m.group(2)}">{m.group(1)}</a>', out)
    out = _BOLD.sub(r"<strong>\1</strong>", out)
    return _ITALIC.sub(r"<em>\1</em>", out)


def to_html(text: str | None) -> str:
    """Render the Markdown subset to HTML.

    >>> to_html("A **bold** <script>x</script> claim.")
    '<p>A <strong>bold</strong> &lt;script&gt;x&lt;/script&gt; claim.</p>'
    """
    if not text:
        return ""
    blocks, out = re.split(r"\n\s*\n", text.strip()), []
    for block in blocks:
        lines = [ln.strip() for ln in block.splitlines() if ln.strip()]
        if lines and all(ln.startswith(("- ", "* ")) for ln in lines):
            items = "".join(f"<li>{_inline(ln[2:])}</li>" for ln in lines)
            out.append(f"<ul>{items}</ul>")
        else:
            out.append(f"<p>{_inline(' '.join(lines))}</p>")
    return "\n".join(out)
