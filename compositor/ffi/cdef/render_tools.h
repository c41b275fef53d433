/* The allocator the compositor picks itself (compositor/render/), and an output frame
 * asked for (csrc/render_tools.h has the rest of the renderer tools). */
#include <wlr/render/allocator.h>
#include <wlr/types/wlr_output.h>
struct wlr_allocator *wlr_allocator_autocreate(struct wlr_backend *backend,
	struct wlr_renderer *renderer);
void wlr_output_schedule_frame(struct wlr_output *output);
