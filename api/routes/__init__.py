"""HTTP routers; each module owns its prefix and tags."""
