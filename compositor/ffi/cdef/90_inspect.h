/* The buffer-sharing inspector (compositor/inspect/): clients, the objects each holds (which
 * globals it bound), and each surface's role, buffer and the copies its commits cost. Each
 * function fills at most `max` entries and returns how many there are. */
#include "90_inspect_types.h"
int comp_inspect_clients(struct wl_display *display, comp_inspect_client *out, int max);
int comp_inspect_resources(struct wl_client *client, comp_inspect_resource *out, int max);
int comp_inspect_surfaces(struct wl_client *client, comp_inspect_surface *out, int max);
