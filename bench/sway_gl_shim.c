/* LD_PRELOAD shim for sway in bench_gl.py: its render node becomes the card node, and its
 * output commits are counted.
 *
 * Opens of $DRI_REDIRECT_FROM open $DRI_REDIRECT_TO. sway 1.7's headless backend (wlroots 0.15) renders on the first DRM render node and
 * allocates its buffers with GBM there. In the VM that is virtio-gpu's renderD128, whose
 * Mesa driver (kms_swrast, no 3D) allocates through dumb buffers, which the kernel refuses
 * on render nodes ("DRM_IOCTL_MODE_CREATE_DUMB failed: Permission denied"). Ours allocates
 * on the card node for that reason (compositor/render/renderer.py create_allocator); this
 * gives sway the same device: renderD128 opens card0.
 *
 * wlr_output_commit calls that succeed are counted into $OUTPUT_COMMIT_COUNTER (a file of
 * one little-endian u64, mapped shared; bench_gl.py reads it): the output frames sway
 * committed, as ours counts its own (frames_committed). sway calls wlr_output_commit from
 * its own binary, through the PLT, so the preloaded one is the one called.
 *
 *     gcc -O2 -shared -fPIC -o sway_gl_shim.so sway_gl_shim.c -ldl
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

static const char *redirect(const char *path) {
	const char *from = getenv("DRI_REDIRECT_FROM");
	const char *to = getenv("DRI_REDIRECT_TO");
	if (path != NULL && from != NULL && to != NULL && strcmp(path, from) == 0) {
		return to;
	}
	return path;
}

static mode_t mode_of(int flags, va_list args) {
	return (flags & (O_CREAT | O_TMPFILE)) ? va_arg(args, mode_t) : 0;
}

#define WRAP_OPEN(name)                                                              \
	int name(const char *path, int flags, ...) {                                     \
		static int (*real)(const char *, int, ...);                                  \
		if (real == NULL) {                                                          \
			real = dlsym(RTLD_NEXT, #name);                                          \
		}                                                                            \
		va_list args;                                                                \
		va_start(args, flags);                                                       \
		mode_t mode = mode_of(flags, args);                                          \
		va_end(args);                                                                \
		return real(redirect(path), flags, mode);                                    \
	}

#define WRAP_OPENAT(name)                                                            \
	int name(int dirfd, const char *path, int flags, ...) {                          \
		static int (*real)(int, const char *, int, ...);                             \
		if (real == NULL) {                                                          \
			real = dlsym(RTLD_NEXT, #name);                                          \
		}                                                                            \
		va_list args;                                                                \
		va_start(args, flags);                                                       \
		mode_t mode = mode_of(flags, args);                                          \
		va_end(args);                                                                \
		return real(dirfd, redirect(path), flags, mode);                             \
	}

WRAP_OPEN(open)
WRAP_OPEN(open64)
WRAP_OPENAT(openat)
WRAP_OPENAT(openat64)

struct wlr_output;

static uint64_t *commit_counter(void) {
	static uint64_t *counter;
	static bool tried;
	if (!tried) {
		tried = true;
		const char *path = getenv("OUTPUT_COMMIT_COUNTER");
		int fd = path != NULL ? open(path, O_RDWR | O_CLOEXEC) : -1;
		if (fd >= 0) {
			void *map = mmap(NULL, sizeof(uint64_t), PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
			counter = map == MAP_FAILED ? NULL : map;
			close(fd);
		}
	}
	return counter;
}

bool wlr_output_commit(struct wlr_output *output) {
	static bool (*real)(struct wlr_output *);
	if (real == NULL) {
		real = (bool (*)(struct wlr_output *))dlsym(RTLD_NEXT, "wlr_output_commit");
	}
	bool ok = real(output);
	uint64_t *counter = commit_counter();
	if (ok && counter != NULL) {
		__atomic_add_fetch(counter, 1, __ATOMIC_RELAXED);
	}
	return ok;
}
