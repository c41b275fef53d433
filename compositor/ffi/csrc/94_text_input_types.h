/* Shared by cdef/94_text_input.h and csrc/94_text_input.c. */
struct comp_im_relay_state {
	int text_inputs;
	int enabled;
	bool input_method;
	bool keyboard_grab;
	uint32_t commits;
};
