/* Inert protocol objects: wlroots 0.15 frees an xdg_surface and its toplevel or popup when
 * the client destroys the wl_surface first, and leaves their resources with NULL user data,
 * which its request handlers then dereference (a crash on the client's next request, e.g.
 * set_title). The compositor makes those resources inert instead: every request is ignored,
 * except destroy, which destroys the resource. */
void comp_resource_make_inert(struct wl_resource *resource);
