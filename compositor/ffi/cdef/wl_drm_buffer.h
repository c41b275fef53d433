/* Called (from C, on the event loop) when a wl_drm bridge buffer's wlr_buffer is destroyed
 * (csrc/wl_drm_buffer.h). */
extern "Python+C" void comp_drm_buffer_destroyed(uint64_t token);
