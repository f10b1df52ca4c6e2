"""No forms: comments are scored by a job, never by hand."""
