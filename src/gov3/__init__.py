"""gov3: proactive, paperless public services."""
