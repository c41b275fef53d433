/* Copy accounting on every surface commit, in C (render/copy_stats.py explains the paths). */
#include "51_copy_stats_types.h"
struct wlr_compositor;
comp_copy_stats *comp_copy_stats_create(struct wlr_compositor *compositor);
void comp_copy_stats_destroy(comp_copy_stats *stats);
