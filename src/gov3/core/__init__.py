"""Cross-cutting pieces every feature uses: audit log, access log, errors, events."""
