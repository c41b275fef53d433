/* Client memory read without dying for it: see client_memory.h. */
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>
#include <pixman.h>
#include <wayland-server-core.h>
#include <wlr/render/pixman.h>
#include <wlr/types/wlr_scene.h>
#include <wlr/types/wlr_surface.h>
#include <wlr/util/log.h>
#include "client_memory.h"

#define GUARD_MAX 4096

struct guard_region {
	uintptr_t start, end;         /* the bytes read: a buffer's data */
	struct wl_client *client;     /* whose memory: told when it faulted (NULL: nobody) */
	const char *what;             /* whose buffer: "wl_surface", "wl_buffer" (for the error) */
	uint32_t object;              /* its id */
	volatile sig_atomic_t faulted;
};

/* Pushed and popped on the compositor's thread only, in nested scopes; the SIGBUS handler
 * reads them on the thread that faulted. */
static struct guard_region guard_regions[GUARD_MAX];
static volatile sig_atomic_t guard_count;
static bool guard_overflow_said;
static struct sigaction guard_previous;
static uintptr_t guard_page;
static uint64_t guard_faults;

static void guard_handler(int sig, siginfo_t *info, void *context);

/* What the kernel would have done, or the handler that was there before ours. */
static void guard_chain(int sig, siginfo_t *info, void *context) {
	if (info->si_code > 0) {
		if ((guard_previous.sa_flags & SA_SIGINFO) && guard_previous.sa_sigaction != NULL &&
				guard_previous.sa_sigaction != guard_handler) {
			guard_previous.sa_sigaction(sig, info, context);
			return;
		}
		if (!(guard_previous.sa_flags & SA_SIGINFO) &&
				guard_previous.sa_handler != SIG_DFL && guard_previous.sa_handler != SIG_IGN) {
			guard_previous.sa_handler(sig);
			return;
		}
	}
	/* A fault nobody handles, or a SIGBUS raised by a handler that gave up (libwayland's
	 * reraise_sigbus, faulthandler) or sent by kill: the default action, now. */
	signal(SIGBUS, SIG_DFL);
	raise(SIGBUS);
}

static void guard_handler(int sig, siginfo_t *info, void *context) {
	if (info->si_code > 0) {  /* a fault, not a signal someone sent */
		uintptr_t addr = (uintptr_t)info->si_addr;
		for (sig_atomic_t i = guard_count; i-- > 0;) {
			struct guard_region *region = &guard_regions[i];
			if (addr < region->start || addr >= region->end) {
				continue;
			}
			/* As libwayland does for wl_shm: zero pages over what could not be read, so
			 * the access goes on (reading zeros) and the client is told afterwards. */
			uintptr_t from = region->start & ~(guard_page - 1);
			uintptr_t to = (region->end + guard_page - 1) & ~(guard_page - 1);
			if (mmap((void *)from, to - from, PROT_READ | PROT_WRITE,
					MAP_PRIVATE | MAP_FIXED | MAP_ANONYMOUS, -1, 0) != MAP_FAILED) {
				region->faulted = 1;
				return;
			}
			break;
		}
	}
	guard_chain(sig, info, context);
}

/* Ours on top: libwayland installs its own SIGBUS handler on its first wl_shm access (and
 * Python's faulthandler its own), after ours; ours goes back on top, with theirs behind. */
static void guard_install(void) {
	struct sigaction current;
	if (sigaction(SIGBUS, NULL, &current) == 0 && (current.sa_flags & SA_SIGINFO) &&
			current.sa_sigaction == guard_handler) {
		return;
	}
	if (guard_page == 0) {
		guard_page = (uintptr_t)sysconf(_SC_PAGESIZE);
	}
	struct sigaction action = {.sa_sigaction = guard_handler, .sa_flags = SA_SIGINFO | SA_NODEFER};
	sigemptyset(&action.sa_mask);
	sigaction(SIGBUS, &action, &guard_previous);
}

size_t comp_guard_mark(void) {
	guard_install();
	return (size_t)guard_count;
}

bool comp_guard_region(const void *data, size_t len, struct wl_client *client,
		const char *what, uint32_t object) {
	if (data == NULL || len == 0) {
		return true;
	}
	if (guard_count >= GUARD_MAX) {
		if (!guard_overflow_said) {
			guard_overflow_said = true;
			wlr_log(WLR_ERROR, "client memory: more than %d buffers read at once; the rest "
				"are read unguarded", GUARD_MAX);
		}
		return false;
	}
	/* The handler was put on top by comp_guard_mark, once per scope (a syscall). */
	struct guard_region *region = &guard_regions[guard_count];
	region->start = (uintptr_t)data;
	region->end = (uintptr_t)data + len;
	region->client = client;
	region->what = what;
	region->object = object;
	region->faulted = 0;
	guard_count = guard_count + 1;
	return true;
}

size_t comp_guard_release(size_t mark) {
	size_t faulted = 0;
	while ((size_t)guard_count > mark) {
		struct guard_region *region = &guard_regions[guard_count - 1];
		if (region->faulted) {
			faulted++;
			guard_faults++;
			pid_t pid = 0;
			if (region->client != NULL) {
				wl_client_get_credentials(region->client, &pid, NULL, NULL);
			}
			wlr_log(WLR_ERROR, "client memory: reading the buffer of %s@%u (pid %d) "
				"faulted: its file is smaller than the client said (truncated?); the "
				"client is disconnected", region->what, region->object, (int)pid);
			if (region->client != NULL) {
				wl_client_post_implementation_error(region->client,
					"the buffer of %s@%u could not be read: its file is smaller than the "
					"buffer (truncated after the pool was made?)", region->what,
					region->object);
			}
		}
		guard_count = guard_count - 1;
	}
	return faulted;
}

uint64_t comp_guard_faults(void) {
	return guard_faults;
}

/* The pixels of every surface with a pixman texture on this output: what the pixman
 * renderer reads straight from the client's memory (a wl_shm pool, a wl_drm memfd). */
static void guard_scene_node(struct wlr_scene_node *node) {
	if (!node->state.enabled) {
		return;
	}
	if (node->type == WLR_SCENE_NODE_SURFACE) {
		struct wlr_surface *surface = wlr_scene_surface_from_node(node)->surface;
		struct wlr_texture *texture = wlr_surface_get_texture(surface);
		if (texture != NULL && wlr_texture_is_pixman(texture)) {
			pixman_image_t *image = wlr_pixman_texture_get_image(texture);
			if (image != NULL) {
				size_t len = (size_t)pixman_image_get_stride(image) *
					(size_t)pixman_image_get_height(image);
				comp_guard_region(pixman_image_get_data(image), len,
					wl_resource_get_client(surface->resource), "wl_surface",
					wl_resource_get_id(surface->resource));
			}
		}
	}
	struct wlr_scene_node *child;
	wl_list_for_each(child, &node->state.children, state.link) {
		guard_scene_node(child);
	}
}

size_t comp_guard_scene(struct wlr_scene *scene) {
	size_t mark = comp_guard_mark();
	guard_scene_node(&scene->node);
	return mark;
}
