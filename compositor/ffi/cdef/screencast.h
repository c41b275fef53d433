/* A screen-sharing stream ended by itself (output removed, window closed, consumer gone,
 * daemon gone); called from an idle callback once it is freed (csrc/screencast.h). */
extern "Python+C" void comp_py_screencast_ended(void *handle, uint32_t id, const char *reason);
