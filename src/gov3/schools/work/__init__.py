"""School work and the guardian service (issue 20 items 4 and 5): attendance taken on a phone,
term assessment records, notices and consent requests, absence reports with evidence. Models in
`models`, commands in `attendance`, `assessment`, `guardian`; reads in `queries`; pages in
`views`. docs/schools.md "School work" and "Guardian service"."""
