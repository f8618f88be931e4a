"""The case's steps: the status machine, closure with its approval, reopening, the case's details."""
