"""Official case documents as PDF: the five case forms in the Vietnamese
administrative layout (templates/pdf/_layout.html, rendered by core.pdf). No URL prefix: the
documents hang under /cases/<id>/documents/<kind>.pdf."""
