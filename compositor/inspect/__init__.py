"""The buffer-sharing inspector: what each client shares, how it reaches the screen, what it
costs, and why it is not zero-copy (``pydrm-ctl clients``; see README "Inspector")."""
