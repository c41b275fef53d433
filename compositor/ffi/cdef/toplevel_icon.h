/* Python, called from csrc/toplevel_icon.c (csrc/toplevel_icon.h). */
extern "Python+C" void comp_py_toplevel_icon(struct wlr_surface *surface);
