"""Who may sign in: citizens, officers of an agency, administrators."""
