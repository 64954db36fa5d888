#version 450
// NHWC max / average pooling, one invocation per output element, or, where the channel count
// is a multiple of the texel chunk, per output pixel and chunk of channels from texel fetches.
// Average counts the padding (PyTorch's count_include_pad = true); max ignores it.
#include "storage.glsl"
#include "texel_chunk.glsl"

#define MODE_MAX 0
#define MODE_AVERAGE 1

layout(local_size_x = 256) in;
layout(constant_id = 0) const int MODE = MODE_MAX;
// Texel path: the channel count divided by the chunk (0: the per-element path). A constant,
// because llvmpipe scalarizes integer division by a variable.
layout(constant_id = 1) const int CHUNKS = 0;
// The square window and its stride, constants so that the window's loops unroll.
layout(constant_id = 2) const int KERNEL = 2;
layout(constant_id = 3) const int STRIDE = 2;

layout(std430, binding = 0) readonly buffer Input { STORAGE_T x[]; };
layout(std430, binding = 1) writeonly buffer Output { STORAGE_T y[]; };
layout(binding = 2) uniform usamplerBuffer xTexels;
layout(binding = 3, rgba32ui) uniform writeonly uimageBuffer yTexels;

layout(push_constant) uniform Parameters {
    uint count;
    uint groupsX;
    int inH, inW, outH, outW, channels;
    int padY, padX;
} pc;

// `count` is output pixels × CHUNKS here.
void mainTexels(int i) {
    int chunk = i % CHUNKS;
    int pixel = i / CHUNKS;
    int ox = pixel % pc.outW;
    int oy = pixel / pc.outW % pc.outH;
    int n = pixel / pc.outW / pc.outH;
    float result[CHUNK];
    [[unroll]] for (int q = 0; q < CHUNK; q++) result[q] = MODE == MODE_MAX ? -3.402823e38 : 0.0;
    [[unroll]] for (int ky = 0; ky < KERNEL; ky++) {
        int iy = oy * STRIDE - pc.padY + ky;
        [[unroll]] for (int kx = 0; kx < KERNEL; kx++) {
            int ix = ox * STRIDE - pc.padX + kx;
            bool inside = iy >= 0 && iy < pc.inH && ix >= 0 && ix < pc.inW;
            float v[CHUNK];
            int source = (n * pc.inH + clamp(iy, 0, pc.inH - 1)) * pc.inW + clamp(ix, 0, pc.inW - 1);
            unpackChunk(texelFetch(xTexels, source * CHUNKS + chunk), v);
            [[unroll]] for (int q = 0; q < CHUNK; q++) {
                result[q] = MODE == MODE_MAX ? (inside ? max(result[q], v[q]) : result[q]) : result[q] + (inside ? v[q] : 0.0);
            }
        }
    }
    if (MODE == MODE_AVERAGE) {
        [[unroll]] for (int q = 0; q < CHUNK; q++) result[q] /= float(KERNEL * KERNEL);
    }
    imageStore(yTexels, i, packChunk(result));
}

void main() {
    uint index = gl_GlobalInvocationID.x + gl_WorkGroupID.y * pc.groupsX * 256u;
    if (index >= pc.count) return;
    if (CHUNKS > 0) {
        mainTexels(int(index));
        return;
    }
    int i = int(index);
    int c = i % pc.channels;
    int ox = (i / pc.channels) % pc.outW;
    int oy = (i / (pc.channels * pc.outW)) % pc.outH;
    int n = i / (pc.channels * pc.outW * pc.outH);
    float result = MODE == MODE_MAX ? -3.402823e38 : 0.0;
    for (int ky = 0; ky < KERNEL; ky++) {
        int iy = oy * STRIDE - pc.padY + ky;
        if (iy < 0 || iy >= pc.inH) continue;
        for (int kx = 0; kx < KERNEL; kx++) {
            int ix = ox * STRIDE - pc.padX + kx;
            if (ix < 0 || ix >= pc.inW) continue;
            float v = float(x[((n * pc.inH + iy) * pc.inW + ix) * pc.channels + c]);
            result = MODE == MODE_MAX ? max(result, v) : result + v;
        }
    }
    if (MODE == MODE_AVERAGE) result /= float(KERNEL * KERNEL);
    y[index] = TO_STORAGE(result);
}
