/* VA-API glue types shared by cdef/41_va.h (for cffi) and csrc/41_va.c.
 * No include guard or macros: build.py inlines this file into the cdef. */
typedef struct {
	uint32_t width, height;          /* in pixels */
	uint32_t level_idc;
	uint32_t intra_period;           /* IDR every this many frames */
	uint32_t bits_per_second;        /* 0 with CQP */
	uint32_t log2_max_frame_num, log2_max_poc_lsb;
	uint32_t max_num_ref_frames;
} comp_va_h264_seq;

typedef struct {
	VASurfaceID current, reference;  /* reference: VA_INVALID_ID for none */
	VABufferID coded_buf;
	uint32_t frame_num, poc;
	bool idr, cabac, transform_8x8;
	uint32_t pic_init_qp;
} comp_va_h264_pic;

typedef struct {
	uint32_t num_mbs;
	uint32_t slice_type;             /* 0 P, 2 I */
	VASurfaceID reference;
	uint32_t reference_frame_num, reference_poc;
	uint32_t idr_pic_id, poc;
	int32_t qp_delta;
	uint32_t disable_deblocking;
} comp_va_h264_slice;
