/* Recorder: what the frame source needs from the committed output buffer, and the
 * on-screen indicator (a wlr_scene_rect). Events arrive as void * from pywlroots'
 * listeners; these helpers read them so Python never mirrors wlroots' event structs. */
struct wlr_buffer;

#include "40_recorder_types.h"

#define COMP_REC_STATE_BUFFER ...
void comp_rec_read_commit(void *event, comp_rec_commit *out);
void comp_rec_read_present(void *event, comp_rec_present *out);

/* Data-pointer buffers (pixman/shm): size and format; false if not CPU-accessible. */
bool comp_rec_buffer_shape(struct wlr_buffer *buffer, int32_t *width, int32_t *height,
	uint32_t *format, size_t *stride);
/* Copy the committed pixels row by row into dst (dst_stride bytes per row, dst_size in
 * all). 0 on success, -1 if the buffer has no data pointer or does not fit. */
int comp_rec_copy_buffer(struct wlr_buffer *buffer, uint8_t *dst, size_t dst_stride,
	size_t dst_size);
/* Copy off the compositor thread: pin (lock + data pointer, compositor thread) a
 * committed buffer so the swapchain does not reuse it, copy it from the encoder's thread
 * (same contract as comp_rec_copy_buffer), unpin on the compositor thread. */
bool comp_rec_pin_buffer(struct wlr_buffer *buffer, comp_rec_pin *pin);
int comp_rec_copy_pinned(const comp_rec_pin *pin, uint8_t *dst, size_t dst_stride,
	size_t dst_size);
void comp_rec_unpin(comp_rec_pin *pin);
/* The buffer's dma-buf (GLES2 swapchain buffers); false for shm/data-ptr buffers. */
bool comp_rec_buffer_dmabuf(struct wlr_buffer *buffer, comp_rec_dmabuf *out);
struct wlr_buffer *wlr_buffer_lock(struct wlr_buffer *buffer);
void wlr_buffer_unlock(struct wlr_buffer *buffer);

/* The indicator: a coloured rect at the top of the scene. */
struct wlr_scene_rect;
struct wlr_scene_rect *comp_rec_indicator_create(struct wlr_scene *scene, int x, int y,
	int width, int height, float r, float g, float b, float a);
void comp_rec_indicator_raise(struct wlr_scene_rect *rect, int x, int y);
void comp_rec_indicator_destroy(struct wlr_scene_rect *rect);
/* glibc: return the free memory of every malloc arena to the system (after a recording:
 * the encoder threads' arenas keep what they freed). */
int malloc_trim(size_t pad);
