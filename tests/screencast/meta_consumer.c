/* A PipeWire video consumer for the screen-sharing tests: what GStreamer's pipewiresrc does
 * not show, the cursor metadata (SPA_META_Cursor). Built by the test with
 *     cc meta_consumer.c $(pkg-config --cflags --libs libpipewire-0.3) -o meta_consumer
 * and run as `meta_consumer NODE_ID FRAMES`: connects to the node, asks for BGRx and the
 * cursor metadata, and prints one line per frame received:
 *     frame W H COLOURS CURSOR_ID X Y HOT_X HOT_Y BITMAP_W BITMAP_H BITMAP_OPAQUE CENTRE
 * COLOURS: how many distinct pixel values the frame has (capped at 99); BITMAP_OPAQUE: the
 * bitmap's pixels with alpha > 0; CENTRE: the pixel at the frame's centre, RRGGBB. A frame
 * without cursor metadata prints "-" fields. The size follows the format: a producer that
 * renegotiates (a shared window resized) shows its new size on the next frame's line.
 * Exits 0 after FRAMES frames, 2 when the stream fails, 3 after 60 s. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <pipewire/pipewire.h>
#include <spa/buffer/meta.h>
#include <spa/param/video/format-utils.h>

#define CURSOR_META_SIZE(w, h) (sizeof(struct spa_meta_cursor) + \
	sizeof(struct spa_meta_bitmap) + (w) * (h) * 4)

struct consumer {
	struct pw_main_loop *loop;
	struct pw_stream *stream;
	struct spa_video_info_raw format;
	int frames_left;
	int status;
};

static int count_colours(const uint32_t *pixels, uint32_t width, uint32_t height,
		uint32_t stride) {
	uint32_t seen[100];
	int n = 0;
	for (uint32_t y = 0; y < height; y++) {
		const uint32_t *row = (const uint32_t *)((const uint8_t *)pixels + y * stride);
		for (uint32_t x = 0; x < width; x++) {
			uint32_t value = row[x] & 0x00ffffff;
			int i;
			for (i = 0; i < n && seen[i] != value; i++) {
			}
			if (i == n) {
				if (n == 99) {
					return 99;
				}
				seen[n++] = value;
			}
		}
	}
	return n;
}

static void on_process(void *data) {
	struct consumer *c = data;
	struct pw_buffer *b = pw_stream_dequeue_buffer(c->stream);
	if (b == NULL) {
		return;
	}
	struct spa_buffer *buf = b->buffer;
	struct spa_data *d = &buf->datas[0];
	if (d->data == NULL || d->chunk->size == 0) {
		pw_stream_queue_buffer(c->stream, b);
		return;
	}
	uint32_t stride = d->chunk->stride > 0 ? (uint32_t)d->chunk->stride : c->format.size.width * 4;
	int colours = count_colours(SPA_PTROFF(d->data, d->chunk->offset, uint32_t),
		c->format.size.width, c->format.size.height, stride);
	printf("frame %u %u %d", c->format.size.width, c->format.size.height, colours);
	struct spa_meta_cursor *mc = spa_buffer_find_meta_data(buf, SPA_META_Cursor, sizeof(*mc));
	if (mc != NULL && spa_meta_cursor_is_valid(mc)) {
		uint32_t bw = 0, bh = 0, opaque = 0;
		if (mc->bitmap_offset >= sizeof(*mc)) {
			struct spa_meta_bitmap *bitmap = SPA_PTROFF(mc, mc->bitmap_offset,
				struct spa_meta_bitmap);
			bw = bitmap->size.width;
			bh = bitmap->size.height;
			const uint8_t *pixels = SPA_PTROFF(bitmap, bitmap->offset, uint8_t);
			for (uint32_t y = 0; y < bh; y++) {
				for (uint32_t x = 0; x < bw; x++) {
					opaque += pixels[y * bitmap->stride + x * 4 + 3] > 0;
				}
			}
		}
		printf(" %u %d %d %d %d %u %u %u", mc->id, mc->position.x, mc->position.y,
			mc->hotspot.x, mc->hotspot.y, bw, bh, opaque);
	} else {
		printf(" - - - - - - - -");
	}
	const uint32_t *centre = SPA_PTROFF(d->data, d->chunk->offset + (c->format.size.height / 2) *
		stride + (c->format.size.width / 2) * 4, const uint32_t);
	printf(" %06x\n", *centre & 0x00ffffffu);
	fflush(stdout);
	pw_stream_queue_buffer(c->stream, b);
	if (--c->frames_left <= 0) {
		pw_main_loop_quit(c->loop);
	}
}

static void on_param_changed(void *data, uint32_t id, const struct spa_pod *param) {
	struct consumer *c = data;
	if (param == NULL || id != SPA_PARAM_Format) {
		return;
	}
	spa_format_video_raw_parse(param, &c->format);
	uint8_t storage[1024];
	struct spa_pod_builder b = SPA_POD_BUILDER_INIT(storage, sizeof(storage));
	const struct spa_pod *params[1] = {spa_pod_builder_add_object(&b,
		SPA_TYPE_OBJECT_ParamMeta, SPA_PARAM_Meta,
		SPA_PARAM_META_type, SPA_POD_Id(SPA_META_Cursor),
		SPA_PARAM_META_size, SPA_POD_CHOICE_RANGE_Int(CURSOR_META_SIZE(64, 64),
			CURSOR_META_SIZE(1, 1), CURSOR_META_SIZE(256, 256)))};
	pw_stream_update_params(c->stream, params, 1);
}

static void on_state_changed(void *data, enum pw_stream_state old, enum pw_stream_state state,
		const char *error) {
	struct consumer *c = data;
	if (state == PW_STREAM_STATE_ERROR) {
		fprintf(stderr, "stream error: %s\n", error ? error : "?");
		c->status = 2;
		pw_main_loop_quit(c->loop);
	}
}

static const struct pw_stream_events events = {
	PW_VERSION_STREAM_EVENTS,
	.state_changed = on_state_changed,
	.param_changed = on_param_changed,
	.process = on_process,
};

static void on_timeout(void *data, uint64_t expirations) {
	struct consumer *c = data;
	fprintf(stderr, "no %d more frames in 60 s\n", c->frames_left);
	c->status = 3;
	pw_main_loop_quit(c->loop);
}

int main(int argc, char *argv[]) {
	if (argc != 3) {
		fprintf(stderr, "usage: %s NODE_ID FRAMES\n", argv[0]);
		return 1;
	}
	pw_init(&argc, &argv);
	struct consumer c = {.frames_left = atoi(argv[2])};
	c.loop = pw_main_loop_new(NULL);
	c.stream = pw_stream_new_simple(pw_main_loop_get_loop(c.loop), "meta-consumer",
		pw_properties_new(PW_KEY_MEDIA_TYPE, "Video", PW_KEY_MEDIA_CATEGORY, "Capture",
			PW_KEY_MEDIA_ROLE, "Screen", NULL), &events, &c);
	uint8_t storage[1024];
	struct spa_pod_builder b = SPA_POD_BUILDER_INIT(storage, sizeof(storage));
	const struct spa_pod *params[1] = {spa_pod_builder_add_object(&b,
		SPA_TYPE_OBJECT_Format, SPA_PARAM_EnumFormat,
		SPA_FORMAT_mediaType, SPA_POD_Id(SPA_MEDIA_TYPE_video),
		SPA_FORMAT_mediaSubtype, SPA_POD_Id(SPA_MEDIA_SUBTYPE_raw),
		SPA_FORMAT_VIDEO_format, SPA_POD_Id(SPA_VIDEO_FORMAT_BGRx),
		SPA_FORMAT_VIDEO_size, SPA_POD_CHOICE_RANGE_Rectangle(&SPA_RECTANGLE(320, 240),
			&SPA_RECTANGLE(1, 1), &SPA_RECTANGLE(8192, 8192)),
		SPA_FORMAT_VIDEO_framerate, SPA_POD_CHOICE_RANGE_Fraction(&SPA_FRACTION(0, 1),
			&SPA_FRACTION(0, 1), &SPA_FRACTION(1000, 1)))};
	struct spa_source *timer = pw_loop_add_timer(pw_main_loop_get_loop(c.loop), on_timeout, &c);
	struct timespec timeout = {60, 0};
	pw_loop_update_timer(pw_main_loop_get_loop(c.loop), timer, &timeout, NULL, false);
	pw_stream_connect(c.stream, PW_DIRECTION_INPUT, (uint32_t)atoi(argv[1]),
		PW_STREAM_FLAG_AUTOCONNECT | PW_STREAM_FLAG_MAP_BUFFERS, params, 1);
	pw_main_loop_run(c.loop);
	pw_stream_destroy(c.stream);
	pw_main_loop_destroy(c.loop);
	pw_deinit();
	return c.status;
}
