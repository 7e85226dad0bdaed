"""The API server layer (notebook 02)."""
