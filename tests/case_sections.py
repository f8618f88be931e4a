"""The case page shows one section at a time (?section=…): for a test that reads what the whole page
used to show, every section of one case, one after the other, as one text."""

SECTIONS = ("overview", "workflow", "assessment-plan", "referrals", "follow-ups", "documents", "access", "timeline")


def whole_case_page(client, case_id: int) -> str:
    return "".join(client.get(f"/cases/{case_id}?section={s}").get_data(as_text=True) for s in SECTIONS)
