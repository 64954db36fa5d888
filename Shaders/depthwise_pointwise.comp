#version 450
// A residual block in one dispatch, for CPU devices:
// y = activation(pointwise(depthwise(x) + depthwiseBias) + bias + shortcut(x)), where the shortcut is x
// (2×2 max-pooled where the block strides; channels past x's get none). Each invocation computes a tile of
// TILE_H × TILE_W output pixels for TN output channels: for each chunk of input channels it fetches the
// tile's input patch once, forms the depthwise sums in registers and feeds them to its TN channels, so the
// depthwise output is never stored and read back. Lavapipe spends its time on texel fetches (and about
// 20 µs handing each dispatch to its threads), not on arithmetic; invocations covering fewer than all
// output channels repeat the depthwise sums.
#include "activation.glsl"
#include "texel_chunk.glsl"

layout(local_size_x_id = 0) in;
layout(constant_id = 1) const int TILE_H = 1;
layout(constant_id = 2) const int TILE_W = 8;
layout(constant_id = 3) const int KERNEL = 3;
layout(constant_id = 4) const int STRIDE = 1;
// Input channels and output channels, whole chunks; TN, a multiple of the chunk, divides OUT_CHANNELS.
layout(constant_id = 5) const int CHANNELS = 4;
layout(constant_id = 6) const int OUT_CHANNELS = 4;
layout(constant_id = 7) const int TN = 8;
layout(constant_id = 8) const int ACTIVATION = ACT_NONE;
layout(constant_id = 9) const bool HAS_RESIDUAL = false;
// The shortcut is 2×2 max-pooled (a strided block's).
layout(constant_id = 10) const bool POOLED_RESIDUAL = false;

// Every operand as 16-byte texels: the input, the depthwise weights [tap][channel] and bias, the pointwise
// weights [out][in], bias and PReLU slopes.
layout(binding = 0) uniform usamplerBuffer xTexels;
layout(binding = 1) uniform usamplerBuffer depthwiseWeights;
layout(binding = 2) uniform usamplerBuffer depthwiseBias;
layout(binding = 3) uniform usamplerBuffer pointwiseWeights;
layout(binding = 4) uniform usamplerBuffer pointwiseBias;
layout(binding = 5) uniform usamplerBuffer slopeTexels;
layout(binding = 6, rgba32ui) uniform writeonly uimageBuffer yTexels;

layout(push_constant) uniform Parameters {
    int inH, inW, outH, outW;
    int padTop, padLeft;
} pc;

const int TILE = TILE_H * TILE_W;
const int PATCH_H = (TILE_H - 1) * STRIDE + KERNEL;
const int PATCH_W = (TILE_W - 1) * STRIDE + KERNEL;
const int IN_CHUNKS = CHANNELS / CHUNK;
const int OUT_CHUNKS = OUT_CHANNELS / CHUNK;

// The shortcut's chunk `chunk` at output pixel (oy, ox): x there, or the max of its 2×2 window (clipped at the edge).
void shortcutChunk(int inputBase, int oy, int ox, int chunk, out float value[CHUNK]) {
    int scale = POOLED_RESIDUAL ? 2 : 1;
    int y = oy * scale;
    int x = ox * scale;
    int start = inputBase + (y * pc.inW + x) * IN_CHUNKS + chunk;
    if (!POOLED_RESIDUAL) {
        unpackChunk(texelFetch(xTexels, start), value);
        return;
    }
    maxOfWindow(xTexels, start, x + 1 < pc.inW ? IN_CHUNKS : 0, y + 1 < pc.inH ? pc.inW * IN_CHUNKS : 0, value);
}

void main() {
    const int columnBlocks = OUT_CHANNELS / TN;
    int tilesX = (pc.outW + TILE_W - 1) / TILE_W;
    int tilesY = (pc.outH + TILE_H - 1) / TILE_H;
    int index = int(gl_GlobalInvocationID.x);
    int image = int(gl_GlobalInvocationID.y);
    if (index >= tilesX * tilesY * columnBlocks) return;
    int n0 = index % columnBlocks * TN;
    int tile = index / columnBlocks;
    int oy0 = tile / tilesX * TILE_H;
    int ox0 = tile % tilesX * TILE_W;
    int inputBase = image * pc.inH * pc.inW * IN_CHUNKS;
    int iy0 = oy0 * STRIDE - pc.padTop;
    int ix0 = ox0 * STRIDE - pc.padLeft;

    float acc[TILE][TN];
    [[unroll]] for (int p = 0; p < TILE; p++) {
        [[unroll]] for (int j = 0; j < TN; j++) acc[p][j] = 0.0;
    }
    for (int c = 0; c < IN_CHUNKS; c++) {
        // The patch, with taps outside the image zeroed by a factor instead of a branch around the fetch.
        float x[PATCH_H * PATCH_W][CHUNK];
        [[unroll]] for (int r = 0; r < PATCH_H; r++) {
            int iy = iy0 + r;
            float rowFactor = iy >= 0 && iy < pc.inH ? 1.0 : 0.0;
            int rowStart = inputBase + clamp(iy, 0, pc.inH - 1) * pc.inW * IN_CHUNKS;
            [[unroll]] for (int s = 0; s < PATCH_W; s++) {
                int ix = ix0 + s;
                float factor = ix >= 0 && ix < pc.inW ? rowFactor : 0.0;
                unpackChunk(texelFetch(xTexels, rowStart + clamp(ix, 0, pc.inW - 1) * IN_CHUNKS + c), x[r * PATCH_W + s]);
                [[unroll]] for (int q = 0; q < CHUNK; q++) x[r * PATCH_W + s][q] *= factor;
            }
        }
        float dw[TILE][CHUNK];
        float b[CHUNK];
        unpackChunk(texelFetch(depthwiseBias, c), b);
        [[unroll]] for (int p = 0; p < TILE; p++) {
            [[unroll]] for (int q = 0; q < CHUNK; q++) dw[p][q] = b[q];
        }
        [[unroll]] for (int tap = 0; tap < KERNEL * KERNEL; tap++) {
            float w[CHUNK];
            unpackChunk(texelFetch(depthwiseWeights, tap * IN_CHUNKS + c), w);
            [[unroll]] for (int p = 0; p < TILE; p++) {
                int source = ((p / TILE_W) * STRIDE + tap / KERNEL) * PATCH_W + (p % TILE_W) * STRIDE + tap % KERNEL;
                [[unroll]] for (int q = 0; q < CHUNK; q++) dw[p][q] = fma(x[source][q], w[q], dw[p][q]);
            }
        }
        [[unroll]] for (int j = 0; j < TN; j++) {
            float w[CHUNK];
            unpackChunk(texelFetch(pointwiseWeights, (n0 + j) * IN_CHUNKS + c), w);
            [[unroll]] for (int p = 0; p < TILE; p++) {
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
        [[unroll]] for (int p = 0; p < TILE; p++) {
            int oy = oy0 + p / TILE_W;
            int ox = ox0 + p % TILE_W;
            if (oy >= pc.outH || ox >= pc.outW) continue;
            float shortcut[CHUNK];
            [[unroll]] for (int q = 0; q < CHUNK; q++) shortcut[q] = 0.0;
            if (HAS_RESIDUAL && chunk < IN_CHUNKS) shortcutChunk(inputBase, oy, ox, chunk, shortcut);
            float v[CHUNK];
            [[unroll]] for (int q = 0; q < CHUNK; q++) {
                v[q] = activate(acc[p][jc + q] + bias[q] + shortcut[q], ACTIVATION, slope[q]);
            }
            imageStore(yTexels, ((image * pc.outH + oy) * pc.outW + ox) * OUT_CHUNKS + chunk, packChunk(v));
        }
    }
}
