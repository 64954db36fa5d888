#version 450
// A residual block on a small map in one dispatch, for CPU devices:
// y = activation(pointwise(depthwise(x) + depthwiseBias) + bias + shortcut(x)), where the shortcut is x
// (2×2 max-pooled where the block strides; channels past x's get none). Lavapipe spends about 20 µs
// handing each dispatch to its threads, a third of a layer's time on a 3×3 map, so the block is one
// dispatch: each invocation computes the depthwise output of every pixel (the map fits its registers)
// for each chunk of input channels and feeds it to its TN output channels at once. Every invocation
// repeats the depthwise sums, which only a map this small affords.
// The map's sizes are specialization constants, so every tap's index is known when compiled.
#include "activation.glsl"
#include "texel_chunk.glsl"

layout(local_size_x_id = 0) in;
layout(constant_id = 1) const int IN_H = 3;
layout(constant_id = 2) const int IN_W = 3;
layout(constant_id = 3) const int OUT_H = 3;
layout(constant_id = 4) const int OUT_W = 3;
layout(constant_id = 5) const int KERNEL = 3;
layout(constant_id = 6) const int STRIDE = 1;
layout(constant_id = 7) const int PAD_TOP = 1;
layout(constant_id = 8) const int PAD_LEFT = 1;
// Input channels (whole chunks) and output channels (whole chunks; TN divides them).
layout(constant_id = 9) const int CHANNELS = 4;
layout(constant_id = 10) const int OUT_CHANNELS = 4;
// Output channels an invocation computes, a multiple of the chunk.
layout(constant_id = 11) const int TN = 8;
layout(constant_id = 12) const int ACTIVATION = ACT_NONE;
layout(constant_id = 13) const bool HAS_RESIDUAL = false;
// The shortcut is 2×2 max-pooled (a strided block's).
layout(constant_id = 14) const bool POOLED_RESIDUAL = false;

// Every operand as 16-byte texels: the input, the depthwise weights [tap][channel] and bias, the pointwise
// weights [out][in], bias and PReLU slopes.
layout(binding = 0) uniform usamplerBuffer xTexels;
layout(binding = 1) uniform usamplerBuffer depthwiseWeights;
layout(binding = 2) uniform usamplerBuffer depthwiseBias;
layout(binding = 3) uniform usamplerBuffer pointwiseWeights;
layout(binding = 4) uniform usamplerBuffer pointwiseBias;
layout(binding = 5) uniform usamplerBuffer slopeTexels;
layout(binding = 6, rgba32ui) uniform writeonly uimageBuffer yTexels;

const int PIXELS = OUT_H * OUT_W;
const int IN_PIXELS = IN_H * IN_W;
const int IN_CHUNKS = CHANNELS / CHUNK;
const int OUT_CHUNKS = OUT_CHANNELS / CHUNK;

void main() {
    const int columnBlocks = OUT_CHANNELS / TN;
    int index = int(gl_GlobalInvocationID.x);
    int image = int(gl_GlobalInvocationID.y);
    if (index >= columnBlocks) return;
    int n0 = index * TN;
    int inputBase = image * IN_PIXELS * IN_CHUNKS;

    float acc[PIXELS][TN];
    [[unroll]] for (int p = 0; p < PIXELS; p++) {
        [[unroll]] for (int j = 0; j < TN; j++) acc[p][j] = 0.0;
    }
    for (int c = 0; c < IN_CHUNKS; c++) {
        float x[IN_PIXELS][CHUNK];
        [[unroll]] for (int i = 0; i < IN_PIXELS; i++) unpackChunk(texelFetch(xTexels, inputBase + i * IN_CHUNKS + c), x[i]);
        float dw[PIXELS][CHUNK];
        float b[CHUNK];
        unpackChunk(texelFetch(depthwiseBias, c), b);
        [[unroll]] for (int p = 0; p < PIXELS; p++) {
            [[unroll]] for (int q = 0; q < CHUNK; q++) dw[p][q] = b[q];
        }
        [[unroll]] for (int tap = 0; tap < KERNEL * KERNEL; tap++) {
            float w[CHUNK];
            unpackChunk(texelFetch(depthwiseWeights, tap * IN_CHUNKS + c), w);
            [[unroll]] for (int p = 0; p < PIXELS; p++) {
                // Known when compiled: taps in the padding are dropped.
                int iy = (p / OUT_W) * STRIDE - PAD_TOP + tap / KERNEL;
                int ix = (p % OUT_W) * STRIDE - PAD_LEFT + tap % KERNEL;
                if (iy < 0 || iy >= IN_H || ix < 0 || ix >= IN_W) continue;
                [[unroll]] for (int q = 0; q < CHUNK; q++) dw[p][q] = fma(x[iy * IN_W + ix][q], w[q], dw[p][q]);
            }
        }
        [[unroll]] for (int j = 0; j < TN; j++) {
            float w[CHUNK];
            unpackChunk(texelFetch(pointwiseWeights, (n0 + j) * IN_CHUNKS + c), w);
            [[unroll]] for (int p = 0; p < PIXELS; p++) {
                [[unroll]] for (int q = 0; q < CHUNK; q++) acc[p][j] = fma(dw[p][q], w[q], acc[p][j]);
            }
        }
    }

    [[unroll]] for (int jc = 0; jc < TN; jc += CHUNK) {
        int chunk = (n0 + jc) / CHUNK;
        float bias[CHUNK];
        float slope[CHUNK];
        unpackChunk(texelFetch(pointwiseBias, chunk), bias);
        [[unroll]] for (int q = 0; q < CHUNK; q++) slope[q] = 0.0;
        if (ACTIVATION == ACT_PRELU) unpackChunk(texelFetch(slopeTexels, chunk), slope);
        [[unroll]] for (int p = 0; p < PIXELS; p++) {
            float shortcut[CHUNK];
            [[unroll]] for (int q = 0; q < CHUNK; q++) shortcut[q] = 0.0;
            if (HAS_RESIDUAL && chunk < IN_CHUNKS) {
                int y = (p / OUT_W) * (POOLED_RESIDUAL ? 2 : 1);
                int x = (p % OUT_W) * (POOLED_RESIDUAL ? 2 : 1);
                unpackChunk(texelFetch(xTexels, inputBase + (y * IN_W + x) * IN_CHUNKS + chunk), shortcut);
                if (POOLED_RESIDUAL) {
                    [[unroll]] for (int corner = 1; corner < 4; corner++) {
                        int cy = y + corner / 2;
                        int cx = x + corner % 2;
                        if (cy >= IN_H || cx >= IN_W) continue;
                        float other[CHUNK];
                        unpackChunk(texelFetch(xTexels, inputBase + (cy * IN_W + cx) * IN_CHUNKS + chunk), other);
                        [[unroll]] for (int q = 0; q < CHUNK; q++) shortcut[q] = max(shortcut[q], other[q]);
                    }
                }
            }
            float v[CHUNK];
            [[unroll]] for (int q = 0; q < CHUNK; q++) {
                v[q] = activate(acc[p][jc + q] + bias[q] + shortcut[q], ACTIVATION, slope[q]);
            }
            imageStore(yTexels, (image * PIXELS + p) * OUT_CHUNKS + chunk, packChunk(v));
        }
    }
}
