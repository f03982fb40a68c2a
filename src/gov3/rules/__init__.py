"""Rules as code: services, parameters and variables of a country, checked and evaluated.

Pure Python: nothing here imports Django or another gov3 app (docs/rules.md).
"""
