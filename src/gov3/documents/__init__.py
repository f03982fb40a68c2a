"""Paperless issuance: passports and certificates, signed, verifiable by anyone, revocable.

`gov3.documents.core` is pure (no Django): the ICAO MRZ, SD-JWT VC credentials, the Token Status
List, the signed QR payload, PDF rendering and PAdES signatures, and the key stores.
"""
