/* Memory given back when clients go. What a client cost the compositor (its buffers'
 * textures, Python objects, a recording of it) is freed when it goes, but glibc keeps
 * freed memory in its heaps for reuse: after a browser or a burst of clients the
 * compositor's RSS stayed tens of MiB above what it uses. Two seconds after the last of a
 * burst of clients goes, malloc_trim gives the free pages back (all in C: nothing runs
 * while no client comes or goes). Freed with the display. */
#pragma once
#include <stdint.h>

struct wl_display;
struct comp_memory_trim;
struct comp_memory_trim *comp_memory_trim_install(struct wl_display *display);
uint64_t comp_memory_trims(struct comp_memory_trim *trim);
