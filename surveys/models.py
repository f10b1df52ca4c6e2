"""NPS, CSAT and CES surveys: definitions, campaigns, deliveries, responses, follow-ups."""
