"""Renderer choice (GLES2 on a render node, pixman otherwise) and per-path copy accounting."""
