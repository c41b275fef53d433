/* LD_PRELOAD shim for xdg-desktop-portal-wlr 0.7 in bench_screencast_peers.py: lets xdpw
 * stream from shared memory when the compositor has no dma-bufs (sway 1.7 on pixman).
 *
 * xdpw 0.7's start_screencast() (src/screencast/screencast.c) refuses every cast for which
 * the compositor's first zwlr_screencopy_frame_v1 brought no linux_dmabuf event:
 *     "wlroots: unable to receive a valid format from wlr_screencopy"
 * and the portal's Start answers 2 (xdpw issue #289; its check tests the portal interface's
 * version, always >= 3, so no screencopy version avoids it). The rest of xdpw handles shm:
 * with no dma-buf modifiers to offer (no linux-dmabuf global, no GBM device) build_formats()
 * offers PipeWire only the wl_shm format, and each frame is copied by the compositor into a
 * memfd wl_shm buffer that is the PipeWire buffer itself.
 *
 * This shim supplies the missing event: every zwlr_screencopy_frame_v1 listener xdpw adds
 * is wrapped, and when a frame's buffer_done comes without a linux_dmabuf event before it,
 * xdpw's linux_dmabuf handler is called first with the wl_shm buffer's format and size. The
 * other events pass through unchanged; nothing is sent to the compositor.
 *
 *     gcc -O2 -shared -fPIC -o xdpw_shm_shim.so xdpw_shm_shim.c -ldl
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

struct wl_proxy;
struct frame;

const char *wl_proxy_get_class(struct wl_proxy *proxy);

/* zwlr_screencopy_frame_v1's events, in the protocol's order (wlr-screencopy v3). */
struct frame_listener {
	void (*buffer)(void *data, struct frame *frame, uint32_t format, uint32_t width,
		uint32_t height, uint32_t stride);
	void (*flags)(void *data, struct frame *frame, uint32_t flags);
	void (*ready)(void *data, struct frame *frame, uint32_t sec_hi, uint32_t sec_lo,
		uint32_t nsec);
	void (*failed)(void *data, struct frame *frame);
	void (*damage)(void *data, struct frame *frame, uint32_t x, uint32_t y, uint32_t width,
		uint32_t height);
	void (*linux_dmabuf)(void *data, struct frame *frame, uint32_t format, uint32_t width,
		uint32_t height);
	void (*buffer_done)(void *data, struct frame *frame);
};

/* xdpw adds the same static listener to every frame; the frame being described. */
static const struct frame_listener *inner;
static struct {
	struct frame *frame;
	uint32_t format, width, height;
	bool dmabuf_seen;
} pending;

static uint32_t drm_from_shm(uint32_t format) {
	switch (format) {
	case 0: /* WL_SHM_FORMAT_ARGB8888 */
		return 0x34325241; /* DRM_FORMAT_ARGB8888 */
	case 1: /* WL_SHM_FORMAT_XRGB8888 */
		return 0x34325258; /* DRM_FORMAT_XRGB8888 */
	default: /* the other wl_shm codes are DRM fourccs */
		return format;
	}
}

static void on_buffer(void *data, struct frame *frame, uint32_t format, uint32_t width,
		uint32_t height, uint32_t stride) {
	pending.frame = frame;
	pending.format = drm_from_shm(format);
	pending.width = width;
	pending.height = height;
	pending.dmabuf_seen = false;
	inner->buffer(data, frame, format, width, height, stride);
}

static void on_flags(void *data, struct frame *frame, uint32_t flags) {
	inner->flags(data, frame, flags);
}

static void on_ready(void *data, struct frame *frame, uint32_t sec_hi, uint32_t sec_lo,
		uint32_t nsec) {
	inner->ready(data, frame, sec_hi, sec_lo, nsec);
}

static void on_failed(void *data, struct frame *frame) {
	inner->failed(data, frame);
}

static void on_damage(void *data, struct frame *frame, uint32_t x, uint32_t y, uint32_t width,
		uint32_t height) {
	inner->damage(data, frame, x, y, width, height);
}

static void on_linux_dmabuf(void *data, struct frame *frame, uint32_t format, uint32_t width,
		uint32_t height) {
	if (frame == pending.frame) {
		pending.dmabuf_seen = true;
	}
	inner->linux_dmabuf(data, frame, format, width, height);
}

static void on_buffer_done(void *data, struct frame *frame) {
	if (frame == pending.frame && !pending.dmabuf_seen && inner->linux_dmabuf != NULL) {
		static bool told;
		if (!told) {
			told = true;
			fprintf(stderr, "xdpw_shm_shim: no linux_dmabuf event from the compositor: "
				"the wl_shm format 0x%08x stands in for it\n", pending.format);
		}
		inner->linux_dmabuf(data, frame, pending.format, pending.width, pending.height);
	}
	pending.frame = NULL;
	inner->buffer_done(data, frame);
}

static const struct frame_listener outer = {
	.buffer = on_buffer,
	.flags = on_flags,
	.ready = on_ready,
	.failed = on_failed,
	.damage = on_damage,
	.linux_dmabuf = on_linux_dmabuf,
	.buffer_done = on_buffer_done,
};

int wl_proxy_add_listener(struct wl_proxy *proxy, void (**implementation)(void), void *data) {
	static int (*real)(struct wl_proxy *, void (**)(void), void *);
	if (real == NULL) {
		real = (int (*)(struct wl_proxy *, void (**)(void), void *))dlsym(
			RTLD_NEXT, "wl_proxy_add_listener");
	}
	if (strcmp(wl_proxy_get_class(proxy), "zwlr_screencopy_frame_v1") == 0) {
		inner = (const struct frame_listener *)implementation;
		return real(proxy, (void (**)(void))&outer, data);
	}
	return real(proxy, implementation, data);
}
