"""The pure core of open data (no Django): suppression, Table Schemas, the DCAT catalogue."""
