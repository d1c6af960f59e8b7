"""A realistic, deterministic HTML newsletter of any size, the input of render tests and benchmarks.

Table layout nested about a dozen deep, inline styles, tracking links, images
with alt text, entities, a little non-ASCII, lists, headings and a footer:
what marketing mail looks like.
"""

from __future__ import annotations

_HEAD = """<!DOCTYPE html PUBLIC "-//W3C//DTD XHTML 1.0 Transitional//EN">
<html xmlns="http://www.w3.org/1999/xhtml"><head>
<meta http-equiv="Content-Type" content="text/html; charset=UTF-8">
<title>Weekly digest</title>
<style type="text/css">
body{margin:0;padding:0} table{border-collapse:collapse} .btn{background:#0a66c2;color:#fff}
@media only screen and (max-width:600px){ .col{width:100%!important} }
</style></head>
<body style="margin:0;padding:0;background-color:#f4f4f4;">
<div style="display:none;max-height:0;overflow:hidden;">This week: news, offers &amp; more&nbsp;&zwnj;&nbsp;&zwnj;</div>
<table role="presentation" width="100%" cellpadding="0" cellspacing="0" border="0"><tr><td align="center">
<table role="presentation" width="600" cellpadding="0" cellspacing="0" border="0" style="max-width:600px;">
"""

_ARTICLE = """<tr><td class="col" style="padding:24px 32px;font-family:Helvetica,Arial,sans-serif;font-size:16px;line-height:24px;color:#333333;">
<table role="presentation" width="100%" cellpadding="0" cellspacing="0"><tr><td>
<a href="https://click.example.com/track?u=9f8e7d6c5b4a&amp;id={n}&amp;e=user%40example.org"><img src="https://img.example.com/hero-{n}.jpg" width="536" height="240" alt="Story {n}: the big picture" style="display:block;border:0;"></a>
</td></tr><tr><td style="padding-top:16px;">
<h2 style="margin:0;font-size:22px;color:#111;">{n}. Caf&eacute; owners &amp; the &ldquo;new normal&rdquo; &mdash; what&#8217;s next?</h2>
<p style="margin:12px 0;">Lorem ipsum dolor sit amet, <strong>consectetur</strong> adipiscing elit. Sed do eiusmod tempor
incididunt ut labore et dolore magna aliqua (see <a href="https://click.example.com/track?u=9f8e7d6c5b4a&amp;id={n}&amp;l=2" style="color:#0a66c2;">the full report</a>).
Ut enim ad minim veniam, quis nostrud exercitation &ndash; ullamco laboris nisi ut aliquip ex ea commodo consequat.
Prices from &euro;9.99 &amp; up; 20% off* until Friday! Z&uuml;rich, M&uuml;nchen, S&atilde;o Paulo, 東京 &#128640;</p>
<ul style="margin:0;padding-left:20px;"><li>Point one about <em>things</em></li><li>Point two: <a href="https://example.com/p/{n}">details</a></li><li>Point three &#8211; done</li></ul>
<table role="presentation" cellpadding="0" cellspacing="0" style="margin-top:16px;"><tr>
<td class="btn" style="border-radius:4px;background:#0a66c2;"><a href="https://click.example.com/track?u=9f8e7d6c5b4a&amp;id={n}&amp;cta=1" style="display:inline-block;padding:12px 24px;color:#ffffff;text-decoration:none;font-weight:bold;">Read more &rarr;</a></td>
<td style="padding-left:12px;"><a href="https://www.facebook.com/sharer.php?u=https%3A%2F%2Fexample.com%2Fp%2F{n}"><img src="https://img.example.com/fb.png" width="24" height="24" alt="Share"></a></td>
</tr></table>
</td></tr></table>
</td></tr>
"""

_FOOT = """<tr><td style="padding:24px;font-size:12px;color:#888;text-align:center;">
You received this because you signed up at example.com. <a href="https://example.com/unsubscribe?u=9f8e7d6c5b4a">Unsubscribe</a> |
<a href="https://example.com/prefs">Preferences</a> | <a href="mailto:help@example.com">help@example.com</a><br>
Example Inc., 1 Main St, Springfield &copy; 2026
</td></tr></table></td></tr></table>
<img src="https://open.example.com/o.gif?u=9f8e7d6c5b4a" width="1" height="1" alt="">
</body></html>
"""


def newsletter(size: int) -> str:
    """About ``size`` characters of newsletter HTML (at least one article)."""
    parts = [_HEAD]
    total, n = len(_HEAD) + len(_FOOT), 0
    while total < size or n == 0:
        n += 1
        article = _ARTICLE.replace("{n}", str(n))
        parts.append(article)
        total += len(article)
    parts.append(_FOOT)
    return "".join(parts)
