// Element storage type: fp16 when compiled with RECAST_F16_STORAGE (16-bit storage
// buffers), fp32 otherwise. Arithmetic is always fp32.
#ifdef RECAST_F16_STORAGE
#extension GL_EXT_shader_16bit_storage : require
#define STORAGE_T float16_t
#define TO_STORAGE(x) float16_t(x)
#else
#define STORAGE_T float
#define TO_STORAGE(x) (x)
#endif
