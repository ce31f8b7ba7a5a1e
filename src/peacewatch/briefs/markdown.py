"""The small, safe subset of Markdown that analysts write in brief narratives.

Everything is HTML-escaped first; only then are paragraphs, bullet lists, **bold**, *italic*,
`code` and [links](https://...) (http and https only) turned into tags. No raw HTML passes through.
"""

from __future__ import annotations

import html
import re

_LINK = re.compile(r"\[([^\]]+)\]\((https?://[^)\s]+)\)")
_BOLD = re.compile(r"\*\*(.+?)\*\*")
_ITALIC = re.compile(r"(?<![*\w])\*(?!\s)(.+?)(?<!\s)\*(?![*\w])")
_CODE = re.compile(r"`([^`]+)`")


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
