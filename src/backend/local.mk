# src/backend: filled in by its issue
