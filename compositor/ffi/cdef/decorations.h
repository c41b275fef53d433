/* The producer's reference to a buffer (csrc/decorations.h's CPU buffers). */
#include <wlr/types/wlr_buffer.h>
void wlr_buffer_drop(struct wlr_buffer *buffer);
