"""Pages for reviews, the Wrapped and their PDFs, one module per screen. Every view goes through
the tenancy helper; every write is a call to ``reports.services``."""
