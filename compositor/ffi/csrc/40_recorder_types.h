/* Recorder types shared by cdef/40_recorder.h (for cffi) and csrc/40_recorder.c.
 * No include guard or macros: build.py inlines this file into the cdef. */
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
