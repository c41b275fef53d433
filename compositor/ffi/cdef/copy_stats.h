/* A surface's buffer kind changed (csrc/copy_stats.h): the configuration's buffer hooks. */
extern "Python+C" void comp_py_buffer_kind(struct wlr_surface *surface, struct wl_client *client,
    int32_t pid, int previous, int kind);
