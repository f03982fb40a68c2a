"""Country packs: areas, locale, currency, id rules, population statistics (later services)."""
