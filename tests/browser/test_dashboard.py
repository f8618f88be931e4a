"""The supervisor's home dashboard in the browser, at 1280 px and at 360 px: the charts
are drawn by static/js/dashboard.js (the vendored Chart.js ran under the CSP: the page fixtures fail
on any CSP violation or JavaScript error), the numbers stay in tables, nothing is wider than the
screen, and a chart's bar opens the list of its step. Screenshots in test-artifacts/."""

import pytest
from playwright.sync_api import expect


def overflow(page):
    return page.evaluate("() => document.documentElement.scrollWidth - window.innerWidth")


def drawn_pixels(page, selector):
    """How many non-transparent pixels the canvas holds (0: nothing was drawn)."""
    return page.evaluate(
        """(selector) => {
        const canvas = document.querySelector(selector);
        const data = canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height).data;
        let n = 0;
        for (let i = 3; i < data.length; i += 4) { if (data[i] > 0) { n++; } }
        return n;
    }""",
        selector,
    )


@pytest.mark.parametrize("viewport", ["page", "phone_page"])
def test_supervisor_dashboard_draws_its_charts_and_fits_the_screen(request, viewport, login_as, shoot):
    page = request.getfixturevalue(viewport)
    login_as(page, "ctxh.giamsat")
    page.goto("/")
    for chart in ("steps", "weeks"):
        canvas = page.locator(f'canvas[data-chart="{chart}"]')
        expect(canvas).to_have_attribute("data-drawn", "1")
        expect(canvas).to_be_visible()
        box = canvas.bounding_box()
        assert box["width"] > 100 and box["height"] > 100, box
        assert drawn_pixels(page, f'canvas[data-chart="{chart}"]') > 0, chart
    expect(page.locator("#table-steps")).to_be_visible()  # the numbers stay readable as a table
    expect(page.locator("#dash-workers")).to_be_visible()
    shoot(page, f"dashboard-supervisor-{viewport}")
    assert overflow(page) <= 0, f"the dashboard is {overflow(page)} px wider than the screen"


def test_dashboard_number_opens_the_list_with_the_same_filter(page, login_as):
    login_as(page, "ctxh.giamsat")
    page.goto("/")
    link = page.locator("#dash-steps a.stat-link").first
    count = int(link.locator(".stat-value").inner_text())
    with page.expect_navigation():
        link.click()
    assert "/cases/facility?status=open" in page.url
    if count <= 25:  # one page of the list
        expect(page.locator("table.case-list tbody tr td:first-child a")).to_have_count(count)
