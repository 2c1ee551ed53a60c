"""`make bench`: coachtui measured end to end against the devserver in its own process."""
