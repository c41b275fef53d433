/* What the recorder calls of wlroots and glibc directly (csrc/recorder.h has the rest). */
#include <malloc.h>
#include <wlr/types/wlr_buffer.h>
struct wlr_buffer *wlr_buffer_lock(struct wlr_buffer *buffer);
void wlr_buffer_unlock(struct wlr_buffer *buffer);
/* glibc: return the free memory of every malloc arena to the system (after a recording:
 * the encoder threads' arenas keep what they freed). */
int malloc_trim(size_t pad);
