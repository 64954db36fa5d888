#version 450
// Unfolding (im2col) of an NHWC map with few channels for a convolution: output pixel (n, oy, ox)
// holds the convolution's window at that output, in (ky, kx, channel) order, zero past the image
// and past the window's values up to DEPTH. The convolution then runs as a 1×1 one whose reduction
// is whole texel chunks, where the window of an RGB image would fill a chunk a third full per tap.
// One invocation per output chunk.
#include "storage.glsl"
#include "texel_chunk.glsl"

layout(local_size_x = 256) in;
// Constants: llvmpipe scalarizes integer division by a variable.
layout(constant_id = 0) const int CHANNELS = 3;
layout(constant_id = 1) const int KERNEL_W = 3;
// Values per output pixel: a multiple of CHUNK.
layout(constant_id = 2) const int DEPTH = 32;
// Write each chunk as one texel (CPU devices) instead of CHUNK values.
layout(constant_id = 3) const bool TEXELS = false;

layout(std430, binding = 0) readonly buffer Input { STORAGE_T x[]; };
layout(std430, binding = 1) writeonly buffer Output { STORAGE_T y[]; };
layout(binding = 2, rgba32ui) uniform writeonly uimageBuffer yTexels;

layout(push_constant) uniform Parameters {
    uint count;  // output chunks
    uint groupsX;
    int inH, inW, outH, outW;
    int kernelH, strideY, strideX, padY, padX, dilationY, dilationX;
} pc;

void main() {
    uint index = gl_GlobalInvocationID.x + gl_WorkGroupID.y * pc.groupsX * 256u;
    if (index >= pc.count) return;
    const int chunks = DEPTH / CHUNK;
    int k0 = int(index) % chunks * CHUNK;
    int pixel = int(index) / chunks;
    int ox = pixel % pc.outW;
    int oy = pixel / pc.outW % pc.outH;
    int n = pixel / (pc.outW * pc.outH);
    float v[CHUNK];
    [[unroll]] for (int q = 0; q < CHUNK; q++) {
        int k = k0 + q;
        int tap = k / CHANNELS;
        int ky = tap / KERNEL_W;
        int iy = oy * pc.strideY - pc.padY + ky * pc.dilationY;
        int ix = ox * pc.strideX - pc.padX + tap % KERNEL_W * pc.dilationX;
        bool inside = ky < pc.kernelH && iy >= 0 && iy < pc.inH && ix >= 0 && ix < pc.inW;
        v[q] = inside ? float(x[((n * pc.inH + iy) * pc.inW + ix) * CHANNELS + k % CHANNELS]) : 0.0;
    }
    if (TEXELS) {
        imageStore(yTexels, int(index), packChunk(v));
    } else {
        [[unroll]] for (int q = 0; q < CHUNK; q++) y[int(index) * CHUNK + q] = TO_STORAGE(v[q]);
    }
}
