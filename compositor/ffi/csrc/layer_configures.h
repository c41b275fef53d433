/* wlroots 0.15 frees a layer surface's pending configures (32 bytes each, sent and not
 * acked yet) only when it unmaps: a layer surface destroyed while unmapped (a panel
 * closed or killed before it acked its first configure, the surfaces of an output that
 * went, which the compositor configures and then closes) leaked them for good.
 * comp_layer_configures_free_when_gone frees what is left on the surface's configure_list
 * in its destroy signal, after which wlroots reads the list no more. Pointers into the
 * surface (&surface->events.destroy, &surface->configure_list) rather than the surface:
 * wlroots' layer-shell header needs a protocol header this module does not generate. Each
 * element is a struct wlr_layer_surface_v1_configure, allocated with its link first.
 * False: out of memory (they leak as before). */
#pragma once
#include <stdbool.h>

struct wl_signal;
struct wl_list;
bool comp_layer_configures_free_when_gone(struct wl_signal *destroy, struct wl_list *configures);
