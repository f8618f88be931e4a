"""Reading the dashboard's numbers and counting the rows of the lists they link to (every page)."""

import html
import re
from urllib.parse import urlsplit

DASHBOARD = re.compile(r'<div class="dashboard" id="dashboard">(.*?)<script type="application/json"', re.S)
NUMBER_LINK = re.compile(r'<a href="([^"]+)"(?: class="stat-link")?>(?:<span class="stat-value">)?(\d+)(\+?)<')
CASE_ROW = re.compile(r'<td data-label="[^"]*"><a href="/cases/(\d+)">')
NEXT_PAGE = re.compile(r'<a class="btn" href="([^"]*after=[^"]*)">')
CSRF_TOKEN = re.compile(r'(name="csrf_token" value=")[^"]*"')


def body(response):
    assert response.status_code == 200, response.get_data(as_text=True)[:2000]
    return response.get_data(as_text=True)


def dashboard_html(page):
    """The dashboard's markup, its CSRF tokens blanked: a token carries the second it was signed in, so
    two renderings of the same numbers differ there when a second boundary falls between them."""
    found = DASHBOARD.search(page)
    assert found, "no dashboard on the page"
    return CSRF_TOKEN.sub(r'\1"', found.group(1))


def numbers(page):
    """[(href, number)] of every linked number of the dashboard, in page order."""
    found = []
    for href, value, plus in NUMBER_LINK.findall(dashboard_html(page)):
        assert not plus, href
        found.append((html.unescape(href), int(value)))
    return found


def _pages(client, url):
    """The page at url and every following page (keyset "next page" links)."""
    while url:
        text = body(client.get(url))
        yield text
        following = NEXT_PAGE.search(text)
        url = html.unescape(following.group(1)) if following else None


def _section(text, section_id):
    start = text.index(f'id="{section_id}"')
    return text[start : text.index("</section>", start)]


def rows_of(client, href):
    """How many rows the list at href shows, all pages together."""
    path, anchor = href.split("#", 1) if "#" in href else (href, None)
    route = urlsplit(path).path
    if route in ("/cases/mine", "/cases/facility"):
        ids = []
        for text in _pages(client, path):
            table = text[text.index('<table class="table case-list">') : text.index("</table>")]
            ids += CASE_ROW.findall(table)
        assert len(ids) == len(set(ids)), "a case listed twice"
        return len(ids)
    if route == "/cases/tasks":  # the group's first items, then its "more" pages
        section = _section(body(client.get(path)), anchor)
        count = section.count('<li class="due-item')
        while more := re.search(r'class="btn btn-small task-more" href="([^"]+)"', section):
            section = _section(body(client.get(html.unescape(more.group(1)).split("#")[0])), anchor)
            count += section.count('<li class="due-item')
        return count
    if route == "/approvals":
        return body(client.get(path)).count('<li class="card approval">')
    if route == "/referrals/overdue":
        text = body(client.get(path))
        return len(re.findall(r'href="/referrals/\d+"', text[text.index("<tbody>") : text.index("</tbody>")]))
    if route == "/notifications/":
        return sum(text.count("notification-unread") for text in _pages(client, path))
    raise AssertionError(f"no row counter for {href}")
