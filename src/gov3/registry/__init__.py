"""The population register: persons, households, areas, addresses and life events."""
