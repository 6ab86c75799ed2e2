# src/vfs-fd: filled in by its issue
