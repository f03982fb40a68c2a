"""Standard-exact document building blocks with no Django: each module states its standard."""
