"""The pure core of participation (no Django): legal periods, routing, duplicates, impact."""
