"""The portal app combines the others' pages; it has no models of its own."""
