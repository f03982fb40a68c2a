"""The demo country: one command sets up a working gov3 with a synthetic population."""
