"""xdg-shell: toplevel views, popups, stacking and placement."""
