"""What the offers tests share (the fixtures `register_birth` and `welfare_agency` are in
tests/conftest.py, for the cases and browser tests too)."""

BIRTH_OFFERS = {"child_allowance", "parent_benefit", "first_meeting_voucher"}
