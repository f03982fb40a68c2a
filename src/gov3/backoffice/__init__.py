"""Officer web pages."""
