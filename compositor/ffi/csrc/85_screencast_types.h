/* Screen-sharing streams (csrc/85_screencast.c), shared with cffi (cdef/85_screencast.h).
 * No include guard or macros: build.py inlines this file into the cdef. */
typedef struct {
	uint32_t id;               /* the stream's number (screencast-start's "stream") */
	int kind;                  /* 0 output, 1 window (view), 2 region */
	int cursor;                /* 0 embedded, 1 metadata, 2 hidden */
	uint32_t node_id;          /* PipeWire node id; 0xffffffff before the daemon gave one */
	int state;                 /* enum pw_stream_state: -1 error, 0 unconnected, 1 connecting,
	                            * 2 paused, 3 streaming */
	int32_t width, height;     /* the source's size now */
	int32_t neg_width, neg_height; /* the size negotiated with the consumer (0 before) */
	uint32_t spa_format;       /* enum spa_video_format negotiated (0 before) */
	int32_t max_fps;           /* frames per second at most (the output's rate) */
	uint64_t frames_sent;      /* buffers queued to the consumer */
	uint64_t frames_dropped;   /* frames due while the consumer held every buffer */
	uint64_t copies;           /* frames copied from an output's committed buffer */
	uint64_t renders;          /* frames rendered from the scene (windows, hidden cursor) */
	uint64_t blank_frames;     /* frames sent blank (the session was locked) */
	uint64_t size_waits;       /* frames skipped while a new size was negotiated */
	uint64_t renegotiations;   /* new sizes offered to the consumer (a window resized) */
	uint32_t buffers;          /* PipeWire buffers the stream holds (each a memfd) */
	int64_t first_frame_ns, last_frame_ns; /* CLOCK_MONOTONIC of the first and last frame */
	int64_t cpu_ns;            /* thread CPU time spent filling frames */
} comp_sc_stats;
