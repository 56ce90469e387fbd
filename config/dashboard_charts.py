"""The charts of the admin home (server-rendered SVG, privacy.charts), each shown only to staff allowed to see its
data: subscribers per topic over time and by frequency, what recent editions caused against the complaint limit,
open data requests against their due dates, ratings of the most reviewed products."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Chart:
    slug: str
    title: str
    svg: str
    note: str = ""


def charts_for(user) -> list[Chart]:
    from privacy.admin_requests import due_chart
    from reviews.admin import rating_charts
    from subscriptions import admin_charts

    charts = []
    if user.has_perm("subscriptions.view_subscription"):
        charts.append(Chart("subscribers", "Subscribers per topic", admin_charts.subscribers_over_time()))
        for topic, svg in admin_charts.frequencies_per_topic():
            charts.append(Chart(f"frequency-{len(charts)}", f"{topic}: by frequency", svg))
    if user.has_perm("subscriptions.view_edition"):
        svg = admin_charts.recent_editions_chart()
        if svg:
            note = (
                "Mailbox providers expect spam complaints under 0.3% of emails sent; a red bar is at or past it. "
                "Counted from the consent ledger within 7 days of each email."
            )
            charts.append(Chart("editions", "What recent editions caused", svg, note))
    if user.has_perm("privacy.view_datarequest"):
        svg = due_chart()
        if svg:
            charts.append(Chart("requests-due", "Open data requests against their due dates", svg))
    if user.has_perm("reviews.view_review"):
        for product, svg in rating_charts(limit=3):
            charts.append(Chart(f"ratings-{len(charts)}", f"Ratings: {product}", svg))
    return charts
