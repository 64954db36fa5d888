#version 450
// NHWC resize. Coordinates follow PyTorch (align_corners = false): nearest takes
// floor(out · in/out); bilinear samples at (out + 0.5) · in/out − 0.5, clamped to the image.
// One invocation per output element, or, where the channel count is a multiple of the texel
// chunk, per output pixel and chunk of channels from texel fetches (on lavapipe the per-element
// path spends its time on scalar half loads and on dividing the index by variables).
#include "storage.glsl"
#include "texel_chunk.glsl"

#define MODE_NEAREST 0
#define MODE_BILINEAR 1

layout(local_size_x = 256) in;
layout(constant_id = 0) const int MODE = MODE_NEAREST;
// Texel path: the channel count divided by the chunk (0: the per-element path). A constant,
// because llvmpipe scalarizes integer division by a variable.
layout(constant_id = 1) const int CHUNKS = 0;

layout(std430, binding = 0) readonly buffer Input { STORAGE_T x[]; };
layout(std430, binding = 1) writeonly buffer Output { STORAGE_T y[]; };
layout(binding = 2) uniform usamplerBuffer xTexels;
layout(binding = 3, rgba32ui) uniform writeonly uimageBuffer yTexels;

layout(push_constant) uniform Parameters {
    uint count;
    uint groupsX;
    int inH, inW, outH, outW, channels;
} pc;

// The source rows (or columns) an output row samples and the second one's weight.
struct Taps {
    int first;
    int second;
    float weight;
};

Taps taps(int o, int inSize, int outSize) {
    float scale = float(inSize) / float(outSize);
    if (MODE == MODE_NEAREST) {
        int i = min(int(floor(float(o) * scale)), inSize - 1);
        return Taps(i, i, 0.0);
    }
    float s = max((float(o) + 0.5) * scale - 0.5, 0.0);
    int i0 = min(int(s), inSize - 1);
    return Taps(i0, min(i0 + 1, inSize - 1), s - float(i0));
}

float pixel(int n, int iy, int ix, int c) {
    return float(x[((n * pc.inH + iy) * pc.inW + ix) * pc.channels + c]);
}

void fetchChunk(int n, int iy, int ix, int chunk, out float v[CHUNK]) {
    unpackChunk(texelFetch(xTexels, ((n * pc.inH + iy) * pc.inW + ix) * CHUNKS + chunk), v);
}

// `i` counts output pixels × CHUNKS here.
void mainTexels(int i) {
    int chunk = i % CHUNKS;
    int pixelIndex = i / CHUNKS;
    int ox = pixelIndex % pc.outW;
    int row = pixelIndex / pc.outW;
    int oy = row % pc.outH;
    int n = row / pc.outH;
    Taps ty = taps(oy, pc.inH, pc.outH);
    Taps tx = taps(ox, pc.inW, pc.outW);
    float v[CHUNK];
    fetchChunk(n, ty.first, tx.first, chunk, v);
    if (MODE == MODE_BILINEAR) {
        float topRight[CHUNK];
        float bottomLeft[CHUNK];
        float bottomRight[CHUNK];
        fetchChunk(n, ty.first, tx.second, chunk, topRight);
        fetchChunk(n, ty.second, tx.first, chunk, bottomLeft);
        fetchChunk(n, ty.second, tx.second, chunk, bottomRight);
        [[unroll]] for (int q = 0; q < CHUNK; q++) {
            v[q] = mix(mix(v[q], topRight[q], tx.weight), mix(bottomLeft[q], bottomRight[q], tx.weight), ty.weight);
        }
    }
    imageStore(yTexels, i, packChunk(v));
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
    Taps ty = taps(oy, pc.inH, pc.outH);
    Taps tx = taps(ox, pc.inW, pc.outW);
    float v = pixel(n, ty.first, tx.first, c);
    if (MODE == MODE_BILINEAR) {
        float top = mix(v, pixel(n, ty.first, tx.second, c), tx.weight);
        float bottom = mix(pixel(n, ty.second, tx.first, c), pixel(n, ty.second, tx.second, c), tx.weight);
        v = mix(top, bottom, ty.weight);
    }
    y[index] = TO_STORAGE(v);
}
