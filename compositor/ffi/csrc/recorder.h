/* Recorder: what the frame source needs from the committed output buffer, and the
 * on-screen indicator (a wlr_scene_rect). Events arrive as void * from pywlroots'
 * listeners; these helpers read them so Python never mirrors wlroots' event structs
 * (csrc/recorder.c). */
#pragma once
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct wlr_buffer;
struct wlr_scene;
struct wlr_scene_rect;

typedef struct {
	uint32_t committed;     /* bitmask of enum wlr_output_state_field */
	uint32_t commit_seq;    /* output->commit_seq after this commit */
	int64_t when_ns;        /* CLOCK_MONOTONIC time of the commit */
	struct wlr_buffer *buffer; /* NULL if no buffer was committed */
} comp_rec_commit;

typedef struct {
	uint32_t commit_seq;
	bool presented;
	int64_t when_ns;        /* 0 when the backend gave no time */
	uint32_t flags;
} comp_rec_present;

typedef struct {
	int32_t width, height;
	uint32_t format;        /* DRM fourcc */
	uint64_t modifier;
	int n_planes;
	uint32_t offset[4];
	uint32_t stride[4];
	int fd[4];              /* owned by the buffer: do not close */
} comp_rec_dmabuf;

typedef struct {
	struct wlr_buffer *buffer;  /* locked while pinned */
	const uint8_t *data;        /* its pixels, readable from any thread while pinned */
	size_t stride;
	int32_t width, height;
} comp_rec_pin;

/* WLR_OUTPUT_STATE_BUFFER in comp_rec_commit.committed (csrc/recorder.c checks the value). */
enum { COMP_REC_STATE_BUFFER = 1 << 0 };

void comp_rec_read_commit(void *event, comp_rec_commit *out);
void comp_rec_read_present(void *event, comp_rec_present *out);

/* Data-pointer buffers (pixman/shm): size and format; false if not CPU-accessible. */
bool comp_rec_buffer_shape(struct wlr_buffer *buffer, int32_t *width, int32_t *height,
	uint32_t *format, size_t *stride);
/* Copy the committed pixels row by row into dst, a frame of dst_width x dst_height pixels
 * (dst_stride bytes per row, dst_size in all). 0 on success, -1 if the buffer has no data
 * pointer or is not exactly dst_width x dst_height: a frame is filled whole or not at all
 * (a smaller buffer, an output whose mode changed under a recording, would leave the rest
 * of the frame as whatever the heap held, and that went into the file). */
int comp_rec_copy_buffer(struct wlr_buffer *buffer, uint8_t *dst, int32_t dst_width,
	int32_t dst_height, size_t dst_stride, size_t dst_size);
/* Copy off the compositor thread: pin (lock + data pointer, compositor thread) a
 * committed buffer so the swapchain does not reuse it, copy it from the encoder's thread
 * (same contract as comp_rec_copy_buffer), unpin on the compositor thread. */
bool comp_rec_pin_buffer(struct wlr_buffer *buffer, comp_rec_pin *pin);
int comp_rec_copy_pinned(const comp_rec_pin *pin, uint8_t *dst, int32_t dst_width,
	int32_t dst_height, size_t dst_stride, size_t dst_size);
void comp_rec_unpin(comp_rec_pin *pin);
/* The buffer's dma-buf (GLES2 swapchain buffers); false for shm/data-ptr buffers. */
bool comp_rec_buffer_dmabuf(struct wlr_buffer *buffer, comp_rec_dmabuf *out);

/* The indicator: a coloured rect at the top of the scene. */
struct wlr_scene_rect;
struct wlr_scene_rect *comp_rec_indicator_create(struct wlr_scene *scene, int x, int y,
	int width, int height, float r, float g, float b, float a);
void comp_rec_indicator_raise(struct wlr_scene_rect *rect, int x, int y);
void comp_rec_indicator_destroy(struct wlr_scene_rect *rect);
