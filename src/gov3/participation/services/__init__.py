"""Write commands of participation: each owns its transaction, writes the audit entry and
tells the citizen (petitions, public petitions, disclosure, consultations)."""
