#version 450
// NHWC depthwise convolution with its fused epilogue: y = activation(sum_k x·w + bias + residual).
// The implicit GEMM would spend a whole tile on each channel's single output column.
// Two paths: where the channel count is a multiple of the texel chunk, an invocation computes a
// few neighbouring outputs of one row for one chunk of channels from 16-byte texel fetches;
// otherwise one invocation per output element (or LANES channels), channels fastest, so
// neighbouring invocations read neighbouring input and weights.
// Padding is given per side, so TFLite's SAME padding (bottom/right only at stride 2) needs no pad pass.
// The channel count is a specialization constant: llvmpipe scalarizes integer division by a
// variable, which otherwise dominates.
#include "storage.glsl"
#include "activation.glsl"
#include "texel_chunk.glsl"

layout(local_size_x_id = 9) in;
layout(constant_id = 0) const int ACTIVATION = ACT_NONE;
layout(constant_id = 1) const int HAS_BIAS = 0;
layout(constant_id = 2) const int HAS_RESIDUAL = 0;
layout(constant_id = 3) const int KERNEL = 3;
layout(constant_id = 4) const int CHANNELS = 1;
// Channels per invocation (1 or 4, dividing CHANNELS): fewer, wider invocations halve llvmpipe's time.
layout(constant_id = 5) const int LANES = 1;
// Where CHANNELS is a multiple of CHUNK: each invocation computes PIXELS neighbouring outputs of
// one row for one chunk of channels from texel fetches, each input texel fetched once per
// invocation and each weight texel once for all PIXELS outputs. STRIDE is then a constant.
layout(constant_id = 6) const bool TEXELS = false;
layout(constant_id = 7) const int PIXELS = 4;
layout(constant_id = 8) const int STRIDE = 1;
// Texel path only: the output is 2×2 max-pooled (stride 2, the odd last row and column dropped) after the
// activation, as a backbone stage's last layer feeding the next stage needs: the full-size map is neither
// written nor read back by a pooling pass. PIXELS is then even.
layout(constant_id = 10) const bool POOLED = false;

layout(std430, binding = 0) readonly buffer Input { STORAGE_T x[]; };
// Repacked [ky][kx][channel].
layout(std430, binding = 1) readonly buffer Weights { STORAGE_T w[]; };
layout(std430, binding = 2) readonly buffer Bias { STORAGE_T bias[]; };
layout(std430, binding = 3) readonly buffer Residual { STORAGE_T residual[]; };
layout(std430, binding = 4) readonly buffer Slopes { STORAGE_T slopes[]; };
layout(std430, binding = 5) writeonly buffer Output { STORAGE_T y[]; };
// Input, weights, bias, residual and slopes again, as 16-byte texels.
layout(binding = 6) uniform usamplerBuffer xTexels;
layout(binding = 7) uniform usamplerBuffer wTexels;
layout(binding = 8) uniform usamplerBuffer biasTexels;
layout(binding = 9) uniform usamplerBuffer residualTexels;
layout(binding = 10) uniform usamplerBuffer slopeTexels;
layout(binding = 11, rgba32ui) uniform writeonly uimageBuffer yTexels;

layout(push_constant) uniform Parameters {
    int inH, inW, outH, outW;
    int stride, padTop, padLeft;
    // Texel path: images × output rows (pooled rows where POOLED).
    int rows;
} pc;

// The convolution's sums at output row `oy` of image `n`, columns ox0 … ox0 + PIXELS − 1, for one chunk of channels.
void rowSums(int n, int oy, int ox0, int chunk, out float sum[PIXELS][CHUNK]) {
    const int chunks = CHANNELS / CHUNK;
    const int span = (PIXELS - 1) * STRIDE + KERNEL;
    [[unroll]] for (int p = 0; p < PIXELS; p++) {
        [[unroll]] for (int q = 0; q < CHUNK; q++) sum[p][q] = 0.0;
    }
    [[unroll]] for (int ky = 0; ky < KERNEL; ky++) {
        // Taps outside the image read a valid texel and are zeroed by a factor instead of a branch.
        int iy = oy * STRIDE - pc.padTop + ky;
        float rowFactor = iy >= 0 && iy < pc.inH ? 1.0 : 0.0;
        int rowStart = (n * pc.inH + clamp(iy, 0, pc.inH - 1)) * pc.inW;
        float inputs[span][CHUNK];
        [[unroll]] for (int s = 0; s < span; s++) {
            int ix = ox0 * STRIDE - pc.padLeft + s;
            float factor = ix >= 0 && ix < pc.inW ? rowFactor : 0.0;
            unpackChunk(texelFetch(xTexels, (rowStart + clamp(ix, 0, pc.inW - 1)) * chunks + chunk), inputs[s]);
            [[unroll]] for (int q = 0; q < CHUNK; q++) inputs[s][q] *= factor;
        }
        [[unroll]] for (int kx = 0; kx < KERNEL; kx++) {
            float weight[CHUNK];
            unpackChunk(texelFetch(wTexels, (ky * KERNEL + kx) * chunks + chunk), weight);
            [[unroll]] for (int p = 0; p < PIXELS; p++) {
                [[unroll]] for (int q = 0; q < CHUNK; q++) sum[p][q] = fma(inputs[p * STRIDE + kx][q], weight[q], sum[p][q]);
            }
        }
    }
}

// The grid is one-dimensional over (image, output row, block of PIXELS columns, chunk), so that
// small layers still fill whole workgroups. Pooled, a row is a pooled row: two output rows.
void mainTexels() {
    const int chunks = CHANNELS / CHUNK;
    int blocks = (pc.outW + PIXELS - 1) / PIXELS;
    int index = int(gl_GlobalInvocationID.x);
    if (index >= pc.rows * blocks * chunks) return;
    int chunk = index % chunks;
    int ox0 = index / chunks % blocks * PIXELS;
    int row = index / chunks / blocks;
    int rowsPerImage = POOLED ? pc.outH / 2 : pc.outH;
    int oy = row % rowsPerImage;
    int n = row / rowsPerImage;
    float biases[CHUNK];
    float slope[CHUNK];
    float residuals[CHUNK];
    [[unroll]] for (int q = 0; q < CHUNK; q++) {
        biases[q] = 0.0;
        slope[q] = 0.0;
        residuals[q] = 0.0;
    }
    if (HAS_BIAS != 0) unpackChunk(texelFetch(biasTexels, chunk), biases);
    if (ACTIVATION == ACT_PRELU) unpackChunk(texelFetch(slopeTexels, chunk), slope);
    float sum[PIXELS][CHUNK];
    if (POOLED) {
        const int pooledPixels = PIXELS / 2;
        float pooled[pooledPixels][CHUNK];
        [[unroll]] for (int p = 0; p < pooledPixels; p++) {
            [[unroll]] for (int q = 0; q < CHUNK; q++) pooled[p][q] = -3.402823e38;
        }
        [[unroll]] for (int r = 0; r < 2; r++) {
            rowSums(n, 2 * oy + r, ox0, chunk, sum);
            [[unroll]] for (int p = 0; p < PIXELS; p++) {
                [[unroll]] for (int q = 0; q < CHUNK; q++) {
                    pooled[p / 2][q] = max(pooled[p / 2][q], activate(sum[p][q] + biases[q], ACTIVATION, slope[q]));
                }
            }
        }
        int pooledW = pc.outW / 2;
        [[unroll]] for (int p = 0; p < pooledPixels; p++) {
            int px = ox0 / 2 + p;
            if (px >= pooledW) break;
            imageStore(yTexels, (row * pooledW + px) * chunks + chunk, packChunk(pooled[p]));
        }
        return;
    }
    rowSums(n, oy, ox0, chunk, sum);
    [[unroll]] for (int p = 0; p < PIXELS; p++) {
        int ox = ox0 + p;
        if (ox >= pc.outW) break;
        int pixel = row * pc.outW + ox;
        if (HAS_RESIDUAL != 0) unpackChunk(texelFetch(residualTexels, pixel * chunks + chunk), residuals);
        float v[CHUNK];
        [[unroll]] for (int q = 0; q < CHUNK; q++) v[q] = activate(sum[p][q] + biases[q] + residuals[q], ACTIVATION, slope[q]);
        imageStore(yTexels, pixel * chunks + chunk, packChunk(v));
    }
}

void mainLanes() {
    const int groups = CHANNELS / LANES;
    int column = int(gl_GlobalInvocationID.x);
    if (column >= pc.outW * groups) return;
    int c0 = (column % groups) * LANES;
    int ox = column / groups;
    int row = int(gl_GlobalInvocationID.y);
    int oy = row % pc.outH;
    int n = row / pc.outH;
    int base = (row * pc.outW + ox) * CHANNELS + c0;
    float sum[LANES];
    for (int l = 0; l < LANES; l++) sum[l] = HAS_BIAS != 0 ? float(bias[c0 + l]) : 0.0;
    for (int ky = 0; ky < KERNEL; ky++) {
        int iy = oy * pc.stride - pc.padTop + ky;
        if (iy < 0 || iy >= pc.inH) continue;
        for (int kx = 0; kx < KERNEL; kx++) {
            int ix = ox * pc.stride - pc.padLeft + kx;
            if (ix < 0 || ix >= pc.inW) continue;
            int source = ((n * pc.inH + iy) * pc.inW + ix) * CHANNELS + c0;
            int tap = (ky * KERNEL + kx) * CHANNELS + c0;
            for (int l = 0; l < LANES; l++) sum[l] += float(x[source + l]) * float(w[tap + l]);
        }
    }
    for (int l = 0; l < LANES; l++) {
        float v = sum[l] + (HAS_RESIDUAL != 0 ? float(residual[base + l]) : 0.0);
        float slope = ACTIVATION == ACT_PRELU ? float(slopes[c0 + l]) : 0.0;
        y[base + l] = TO_STORAGE(activate(v, ACTIVATION, slope));
    }
}

void main() {
    if (TEXELS) {
        mainTexels();
    } else {
        mainLanes();
    }
}
