"""pydrm-compositor: a Wayland compositor on pywlroots that makes GPU buffer sharing visible."""

__version__ = "0.1.0"
