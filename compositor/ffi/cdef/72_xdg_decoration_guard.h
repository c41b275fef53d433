/* wlroots 0.15's xdg-decoration and a window gone before its first commit (csrc). */
struct wlr_compositor;
struct wlr_xdg_decoration_manager_v1;
bool comp_xdg_decoration_guard(struct wlr_compositor *compositor,
    struct wlr_xdg_decoration_manager_v1 *manager);
