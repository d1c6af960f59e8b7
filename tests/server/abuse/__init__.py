"""Issue 13's abuse suite: each attack that took the old server down, against a server subprocess."""
