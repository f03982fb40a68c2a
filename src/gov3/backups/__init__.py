"""Backups and restore of gov3's database: `gov3 backup FILE`, `gov3 restore FILE` (ADR 0034)."""
