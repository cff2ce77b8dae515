"""One job layer for every kind of background work: ``models.Job`` (abstract) and ``services``."""
