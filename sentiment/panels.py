"""No panel of its own: the sentiment trend is a section of the 360° page (insights), the one
place vendor staff read an account's figures."""
