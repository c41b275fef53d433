/* Small reads and writes of wlroots and libwayland state that pywlroots 0.15.24 does not
 * bind (csrc/core.c); the wlroots entry points themselves are in cdef/core.h. */
#pragma once
#include <stddef.h>
#include <stdint.h>

struct wl_display;
struct wlr_output;
struct wlr_renderer;
struct wlr_surface;

/* Number of dma-buf formats the renderer can import as textures (0: no dma-buf import). */
size_t comp_renderer_dmabuf_format_count(struct wlr_renderer *renderer);

/* Connected clients (wl_display's client list), for the stats command. */
int comp_display_client_count(struct wl_display *display);

/* wlr_output.commit_seq (pywlroots' struct lacks it): grows by one per successful commit. */
uint32_t comp_output_commit_seq(struct wlr_output *output);

/* pid of the client owning a surface (from SO_PEERCRED), -1 if unknown. */
int comp_surface_client_pid(struct wlr_surface *surface);

/* Headless outputs in wlroots 0.15 never emit `present`, so presentation-time feedback
 * would never complete: the frame loop reports each committed frame as presented now. */
void comp_output_send_presented(struct wlr_output *output, uint32_t seq);
