"""The pure part of school services (no Django): learner numbers and the school assignment of
an entry round, plain data in and out."""
