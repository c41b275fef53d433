/* A keyboard's C key path calls Python for what it must decide (csrc/keyboard_keys.h). */
extern "Python+C" void comp_py_keyboard(void *handle, int kind, void *event);
