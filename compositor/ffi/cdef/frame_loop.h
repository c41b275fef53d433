/* The frame loop's calls into Python (csrc/frame_loop.h), with loop->handle. Returns true
 * when Python rendered and committed the frame. */
extern "Python+C" bool comp_py_render_frame(void *handle);
extern "Python+C" void comp_py_commit_failed(void *handle);
