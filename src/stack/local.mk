# src/stack: filled in by its issue
