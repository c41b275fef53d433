/* Copy accounting on every surface commit, in C (render/copy_stats.py explains the paths). */
#include "51_copy_stats_types.h"
struct wlr_compositor;
comp_copy_stats *comp_copy_stats_create(struct wlr_compositor *compositor);
void comp_copy_stats_destroy(comp_copy_stats *stats);
/* Buffer-kind changes to Python, only while the configuration has a buffer hook. */
void comp_copy_stats_report_buffer_kinds(bool on);
extern "Python" void comp_py_buffer_kind(struct wlr_surface *surface, struct wl_client *client,
    int32_t pid, int previous, int kind);
