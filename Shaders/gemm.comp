#version 450
// Tiled GEMM with fused epilogue, used both for matmul/linear (MODE_MATMUL) and for
// NHWC convolution as implicit GEMM (MODE_CONV: the A tile is gathered from the input
// image on the fly, no im2col buffer). Each workgroup computes a BM×BN tile of C through
// BK-deep shared-memory tiles; each invocation accumulates a TM×TN register tile, strided
// so that neighbouring invocations touch neighbouring columns.
#extension GL_EXT_control_flow_attributes : require
#include "storage.glsl"
#include "activation.glsl"
#include "texel_chunk.glsl"

#define MODE_MATMUL 0
#define MODE_CONV 1

layout(local_size_x_id = 0) in;
layout(constant_id = 1) const int BM = 64;
layout(constant_id = 2) const int BN = 64;
layout(constant_id = 3) const int BK = 16;
layout(constant_id = 4) const int TM = 4;
layout(constant_id = 5) const int TN = 4;
layout(constant_id = 6) const int MODE = MODE_MATMUL;
layout(constant_id = 7) const int ACTIVATION = ACT_NONE;
layout(constant_id = 8) const bool HAS_BIAS = false;
layout(constant_id = 9) const bool HAS_RESIDUAL = false;
// Matmul only: B is stored [N][K] (PyTorch linear weights) instead of [K][N].
layout(constant_id = 10) const bool TRANSPOSE_B = false;
// false: no shared memory and no barriers; each invocation streams A and B from the buffers.
// CPU implementations (lavapipe) run barriers as coroutine switches and gain nothing from
// shared memory, so this path is several times faster there.
layout(constant_id = 11) const bool SHARED_TILES = true;
// Direct path only: fetch A and B as 16-byte texels (texel_chunk.glsl) along K (along N for a
// plain matmul B); on lavapipe that more than halved the time of storage-buffer loads.
// Needs K, and N for a plain B, to be multiples of the chunk (checked by the host).
layout(constant_id = 12) const bool CHUNKED_LOADS = false;
// Chunked path: write the output (and fetch bias, slopes and residual) a texel at a time; needs
// N and the tile's column counts to be multiples of the chunk (checked by the host).
layout(constant_id = 13) const bool CHUNKED_STORES = false;
// Convolution only: the residual is a 2×2 max pool (stride 2) of a map twice the output's size, as
// a strided residual block's shortcut needs, instead of a map of the output's size.
layout(constant_id = 14) const bool POOLED_RESIDUAL = false;

layout(std430, binding = 0) readonly buffer InputA { STORAGE_T a[]; };
layout(std430, binding = 1) readonly buffer InputB { STORAGE_T b[]; };
layout(std430, binding = 2) readonly buffer Bias { STORAGE_T bias[]; };
layout(std430, binding = 3) readonly buffer Residual { STORAGE_T residual[]; };
layout(std430, binding = 4) readonly buffer Slopes { STORAGE_T slopes[]; };
layout(std430, binding = 5) writeonly buffer Output { STORAGE_T c[]; };
// A and B again, as texel buffers of 16-byte texels (RGBA32UI).
layout(binding = 6) uniform usamplerBuffer aTexels;
layout(binding = 7) uniform usamplerBuffer bTexels;
// The output, bias, residual and slopes as texels, for the chunked path's epilogue.
layout(binding = 8, rgba32ui) uniform writeonly uimageBuffer cTexels;
layout(binding = 9) uniform usamplerBuffer biasTexels;
layout(binding = 10) uniform usamplerBuffer residualTexels;
layout(binding = 11) uniform usamplerBuffer slopeTexels;

// Chunked path: the sums are updated in MICRO_M×MICRO_N blocks (measured best on lavapipe).
const int MICRO_M = TM % 2 == 0 ? 2 : 1;
const int MICRO_N = TN % 8 == 0 ? 8 : 1;

layout(push_constant) uniform Parameters {
    int M, N, K;
    // Matmul: element strides between batches (0 broadcasts B over batches).
    int strideA, strideB, strideC;
    // Convolution (NHWC): input H, W, channels; output H, W, channels; per-group input channels.
    int inH, inW, inC, outH, outW, outC, groupInC;
    int kernelH, kernelW, strideY, strideX, padY, padX, dilationY, dilationX;
    // Convolution residual: its H, W and channels. Output channels past its own are zero, so a
    // block that widens needs no padded copy of its shortcut.
    int resH, resW, resC;
} pc;

const int WG_ROWS = BM / TM;
const int WG_COLS = BN / TN;
const int THREADS = WG_ROWS * WG_COLS;

shared float tileA[BK * BM];
shared float tileB[BK * BN];

float loadA(int batch, int group, int m, int k) {
    if (m >= pc.M || k >= pc.K) return 0.0;
    if (MODE == MODE_MATMUL) {
        return float(a[batch * pc.strideA + m * pc.K + k]);
    }
    int ci = k % pc.groupInC;
    int kk = k / pc.groupInC;
    int kx = kk % pc.kernelW;
    int ky = kk / pc.kernelW;
    int ox = m % pc.outW;
    int rest = m / pc.outW;
    int oy = rest % pc.outH;
    int n = rest / pc.outH;
    int iy = oy * pc.strideY - pc.padY + ky * pc.dilationY;
    int ix = ox * pc.strideX - pc.padX + kx * pc.dilationX;
    if (iy < 0 || iy >= pc.inH || ix < 0 || ix >= pc.inW) return 0.0;
    return float(a[((n * pc.inH + iy) * pc.inW + ix) * pc.inC + group * pc.groupInC + ci]);
}

float loadB(int batch, int group, int k, int n) {
    if (k >= pc.K || n >= pc.N) return 0.0;
    if (MODE == MODE_CONV) {
        return float(b[(group * pc.N + n) * pc.K + k]);
    }
    if (TRANSPOSE_B) {
        return float(b[batch * pc.strideB + n * pc.K + k]);
    }
    return float(b[batch * pc.strideB + k * pc.N + n]);
}

// The convolution residual's element index at output row (image, y, x) and channel, or -1 for a
// channel past the residual's: the top-left of the 2×2 window where the residual is pooled.
int residualIndex(int image, int y, int x, int channel) {
    if (channel >= pc.resC) return -1;
    int scale = POOLED_RESIDUAL ? 2 : 1;
    return ((image * pc.resH + y * scale) * pc.resW + x * scale) * pc.resC + channel;
}

// The residual at output element `index` (output row m, channel): the value itself for a matmul;
// only a pooled one needs the row's image coordinates.
float residualAt(int index, int m, int channel) {
    if (MODE == MODE_MATMUL) return float(residual[index]);
    if (!POOLED_RESIDUAL) return channel < pc.resC ? float(residual[m * pc.resC + channel]) : 0.0;
    int x = m % pc.outW;
    int y = (m / pc.outW) % pc.outH;
    int start = residualIndex(m / (pc.outW * pc.outH), y, x, channel);
    if (start < 0) return 0.0;
    float v = float(residual[start]);
    bool right = 2 * x + 1 < pc.resW;
    bool below = 2 * y + 1 < pc.resH;
    if (right) v = max(v, float(residual[start + pc.resC]));
    if (below) v = max(v, float(residual[start + pc.resW * pc.resC]));
    if (right && below) v = max(v, float(residual[start + (pc.resW + 1) * pc.resC]));
    return v;
}

void mainTiled() {
    int tid = int(gl_LocalInvocationID.x);
    int tx = tid % WG_COLS;
    int ty = tid / WG_COLS;
    int rowBase = int(gl_WorkGroupID.y) * BM;
    int colBase = int(gl_WorkGroupID.x) * BN;
    int batch = MODE == MODE_MATMUL ? int(gl_WorkGroupID.z) : 0;
    int group = MODE == MODE_CONV ? int(gl_WorkGroupID.z) : 0;

    float acc[TM * TN];
    for (int i = 0; i < TM * TN; i++) acc[i] = 0.0;

    for (int k0 = 0; k0 < pc.K; k0 += BK) {
        for (int e = tid; e < BM * BK; e += THREADS) {
            int kk = e % BK;
            int mm = e / BK;
            tileA[kk * BM + mm] = loadA(batch, group, rowBase + mm, k0 + kk);
        }
        for (int e = tid; e < BK * BN; e += THREADS) {
            // Neighbouring invocations read neighbouring addresses: along K where B is [N][K].
            bool alongK = MODE == MODE_CONV || TRANSPOSE_B;
            int nn = alongK ? e / BK : e % BN;
            int kk = alongK ? e % BK : e / BN;
            tileB[kk * BN + nn] = loadB(batch, group, k0 + kk, colBase + nn);
        }
        barrier();
        for (int kk = 0; kk < BK; kk++) {
            float av[TM];
            float bv[TN];
            for (int i = 0; i < TM; i++) av[i] = tileA[kk * BM + ty + i * WG_ROWS];
            for (int j = 0; j < TN; j++) bv[j] = tileB[kk * BN + tx + j * WG_COLS];
            for (int i = 0; i < TM; i++) {
                for (int j = 0; j < TN; j++) {
                    acc[i * TN + j] = fma(av[i], bv[j], acc[i * TN + j]);
                }
            }
        }
        barrier();
    }

    for (int i = 0; i < TM; i++) {
        int m = rowBase + ty + i * WG_ROWS;
        if (m >= pc.M) continue;
        for (int j = 0; j < TN; j++) {
            int n = colBase + tx + j * WG_COLS;
            if (n >= pc.N) continue;
            int channel = group * pc.N + n;
            int index = MODE == MODE_CONV ? m * pc.outC + channel : batch * pc.strideC + m * pc.N + n;
            float v = acc[i * TN + j];
            if (HAS_BIAS) v += float(bias[channel]);
            if (HAS_RESIDUAL) v += residualAt(index, m, channel);
            float slope = ACTIVATION == ACT_PRELU ? float(slopes[channel]) : 0.0;
            c[index] = TO_STORAGE(activate(v, ACTIVATION, slope));
        }
    }
}

// The output rows rowBase … rowBase + TM − 1 as (image, y, x) for a convolution, (row, 0, 0) for
// a matmul; rows past M repeat the last one. Divided once and then stepped, because llvmpipe
// scalarizes integer division by a variable (6–8 % of YuNet's stem and 1×1 convolutions).
void rowCoordinates(int rowBase, out int rowImage[TM], out int rowY[TM], out int rowX[TM]) {
    int m = min(rowBase, pc.M - 1);
    int x = MODE == MODE_CONV ? m % pc.outW : 0;
    int rest = MODE == MODE_CONV ? m / pc.outW : 0;
    int y = MODE == MODE_CONV ? rest % pc.outH : 0;
    int image = MODE == MODE_CONV ? rest / pc.outH : m;
    [[unroll]] for (int i = 0; i < TM; i++) {
        rowImage[i] = image;
        rowY[i] = y;
        rowX[i] = x;
        if (rowBase + i + 1 >= pc.M) continue;
        if (MODE != MODE_CONV) {
            image++;
        } else if (++x == pc.outW) {
            x = 0;
            if (++y == pc.outH) {
                y = 0;
                image++;
            }
        }
    }
}

// Rows are contiguous per invocation (their A values are the same for every lane of a
// subgroup); columns are strided so neighbouring lanes read neighbouring B values.
// The reduction runs over (ky, kx, channel) nested, so the inner loop has no division.
void mainDirect() {
    int tid = int(gl_LocalInvocationID.x);
    int tx = tid % WG_COLS;
    int ty = tid / WG_COLS;
    int rowBase = int(gl_WorkGroupID.y) * BM + ty * TM;
    int colBase = int(gl_WorkGroupID.x) * BN;
    int batch = MODE == MODE_MATMUL ? int(gl_WorkGroupID.z) : 0;
    int group = MODE == MODE_CONV ? int(gl_WorkGroupID.z) : 0;

    int rowImage[TM];
    int rowY[TM];
    int rowX[TM];
    rowCoordinates(rowBase, rowImage, rowY, rowX);
    int column[TN];
    for (int j = 0; j < TN; j++) column[j] = min(colBase + tx + j * WG_COLS, pc.N - 1);

    float acc[TM * TN];
    for (int i = 0; i < TM * TN; i++) acc[i] = 0.0;

    int taps = MODE == MODE_CONV ? pc.kernelH * pc.kernelW : 1;
    int depth = MODE == MODE_CONV ? pc.groupInC : pc.K;
    int ky = 0;
    int kx = 0;
    for (int tap = 0; tap < taps; tap++) {
        int rowStart[TM];
        for (int i = 0; i < TM; i++) {
            if (MODE == MODE_CONV) {
                int iy = rowY[i] * pc.strideY - pc.padY + ky * pc.dilationY;
                int ix = rowX[i] * pc.strideX - pc.padX + kx * pc.dilationX;
                bool inside = iy >= 0 && iy < pc.inH && ix >= 0 && ix < pc.inW;
                rowStart[i] = inside ? ((rowImage[i] * pc.inH + iy) * pc.inW + ix) * pc.inC + group * pc.groupInC : -1;
            } else {
                rowStart[i] = batch * pc.strideA + rowImage[i] * pc.K;
            }
        }
        int kBase = tap * depth;
        if (++kx == pc.kernelW) {
            kx = 0;
            ky++;
        }
        for (int ci = 0; ci < depth; ci++) {
            int k = kBase + ci;
            float av[TM];
            float bv[TN];
            for (int i = 0; i < TM; i++) av[i] = rowStart[i] >= 0 ? float(a[rowStart[i] + ci]) : 0.0;
            for (int j = 0; j < TN; j++) {
                int n = column[j];
                // Converted per branch: selecting between fp16 values would need shaderFloat16.
                if (MODE == MODE_CONV) {
                    bv[j] = float(b[(group * pc.N + n) * pc.K + k]);
                } else if (TRANSPOSE_B) {
                    bv[j] = float(b[batch * pc.strideB + n * pc.K + k]);
                } else {
                    bv[j] = float(b[batch * pc.strideB + k * pc.N + n]);
                }
            }
            for (int i = 0; i < TM; i++) {
                for (int j = 0; j < TN; j++) {
                    acc[i * TN + j] = fma(av[i], bv[j], acc[i * TN + j]);
                }
            }
        }
    }

    for (int i = 0; i < TM; i++) {
        int m = rowBase + i;
        if (m >= pc.M) continue;
        for (int j = 0; j < TN; j++) {
            int n = colBase + tx + j * WG_COLS;
            if (n >= pc.N) continue;
            int channel = group * pc.N + n;
            int index = MODE == MODE_CONV ? m * pc.outC + channel : batch * pc.strideC + m * pc.N + n;
            float v = acc[i * TN + j];
            if (HAS_BIAS) v += float(bias[channel]);
            if (HAS_RESIDUAL) v += residualAt(index, m, channel);
            float slope = ACTIVATION == ACT_PRELU ? float(slopes[channel]) : 0.0;
            c[index] = TO_STORAGE(activate(v, ACTIVATION, slope));
        }
    }
}

// The residual's chunk at output element `index` (a chunk's first), as residualAt; the residual's
// channels are whole chunks.
void residualChunk(int index, int image, int y, int x, int channel, out float values[CHUNK]) {
    if (MODE == MODE_MATMUL) {
        unpackChunk(texelFetch(residualTexels, index >> CHUNK_SHIFT), values);
        return;
    }
    [[unroll]] for (int q = 0; q < CHUNK; q++) values[q] = 0.0;
    int start = residualIndex(image, y, x, channel);
    if (start < 0) return;
    if (!POOLED_RESIDUAL) {
        unpackChunk(texelFetch(residualTexels, start >> CHUNK_SHIFT), values);
        return;
    }
    // In texels: the residual's channels are whole chunks.
    int right = 2 * x + 1 < pc.resW ? pc.resC >> CHUNK_SHIFT : 0;
    int below = 2 * y + 1 < pc.resH ? (pc.resW * pc.resC) >> CHUNK_SHIFT : 0;
    maxOfWindow(residualTexels, start >> CHUNK_SHIFT, right, below, values);
}

// Like mainDirect, with each invocation's TN columns contiguous and every operand read in
// chunks. Loads outside the image read a valid chunk and are zeroed by a factor instead of a
// branch, which would put the load under an execution mask.
void mainChunked() {
    int tid = int(gl_LocalInvocationID.x);
    int tx = tid % WG_COLS;
    int ty = tid / WG_COLS;
    int rowBase = int(gl_WorkGroupID.y) * BM + ty * TM;
    int colBase = int(gl_WorkGroupID.x) * BN + tx * TN;
    int batch = MODE == MODE_MATMUL ? int(gl_WorkGroupID.z) : 0;
    int group = MODE == MODE_CONV ? int(gl_WorkGroupID.z) : 0;
    bool bAlongK = MODE == MODE_CONV || TRANSPOSE_B;

    int rowImage[TM];
    int rowY[TM];
    int rowX[TM];
    rowCoordinates(rowBase, rowImage, rowY, rowX);
    // Where B is [N][K]: the start of each column's K run.
    int columnStart[TN];
    [[unroll]] for (int j = 0; j < TN; j++) {
        int n = min(colBase + j, pc.N - 1);
        columnStart[j] = MODE == MODE_CONV ? (group * pc.N + n) * pc.K : batch * pc.strideB + n * pc.K;
    }

    float acc[TM * TN];
    [[unroll]] for (int i = 0; i < TM * TN; i++) acc[i] = 0.0;

    int taps = MODE == MODE_CONV ? pc.kernelH * pc.kernelW : 1;
    int depth = MODE == MODE_CONV ? pc.groupInC : pc.K;
    int ky = 0;
    int kx = 0;
    for (int tap = 0; tap < taps; tap++) {
        int rowStart[TM];
        float rowFactor[TM];
        [[unroll]] for (int i = 0; i < TM; i++) {
            if (MODE == MODE_CONV) {
                int iy = rowY[i] * pc.strideY - pc.padY + ky * pc.dilationY;
                int ix = rowX[i] * pc.strideX - pc.padX + kx * pc.dilationX;
                bool inside = iy >= 0 && iy < pc.inH && ix >= 0 && ix < pc.inW;
                rowStart[i] = inside ? ((rowImage[i] * pc.inH + iy) * pc.inW + ix) * pc.inC + group * pc.groupInC : 0;
                rowFactor[i] = inside ? 1.0 : 0.0;
            } else {
                rowStart[i] = batch * pc.strideA + rowImage[i] * pc.K;
                rowFactor[i] = 1.0;
            }
        }
        int kBase = tap * depth;
        if (++kx == pc.kernelW) {
            kx = 0;
            ky++;
        }
        for (int ci = 0; ci < depth; ci += CHUNK) {
            int k = kBase + ci;
            float av[TM][CHUNK];
            [[unroll]] for (int i = 0; i < TM; i++) {
                unpackChunk(texelFetch(aTexels, (rowStart[i] + ci) >> CHUNK_SHIFT), av[i]);
                if (MODE == MODE_CONV) {
                    [[unroll]] for (int q = 0; q < CHUNK; q++) av[i][q] *= rowFactor[i];
                }
            }
            // bv[j][q]: B at row k + q, column j of this invocation.
            float bv[TN][CHUNK];
            if (bAlongK) {
                [[unroll]] for (int j = 0; j < TN; j++) unpackChunk(texelFetch(bTexels, (columnStart[j] + k) >> CHUNK_SHIFT), bv[j]);
            } else {
                [[unroll]] for (int q = 0; q < CHUNK; q++) {
                    [[unroll]] for (int jc = 0; jc < TN; jc += CHUNK) {
                        // A chunk past N only feeds discarded outputs; N is a multiple of the chunk.
                        int column = min(colBase + jc, pc.N - CHUNK);
                        float row[CHUNK];
                        unpackChunk(texelFetch(bTexels, (batch * pc.strideB + (k + q) * pc.N + column) >> CHUNK_SHIFT), row);
                        [[unroll]] for (int c = 0; c < CHUNK; c++) bv[jc + c][q] = row[c];
                    }
                }
            }
            // Block by block, so that a block's sums stay in registers through the chunk.
            [[unroll]] for (int ib = 0; ib < TM; ib += MICRO_M) {
                [[unroll]] for (int jb = 0; jb < TN; jb += MICRO_N) {
                    [[unroll]] for (int q = 0; q < CHUNK; q++) {
                        [[unroll]] for (int i = 0; i < MICRO_M; i++) {
                            [[unroll]] for (int j = 0; j < MICRO_N; j++) {
                                int o = (ib + i) * TN + jb + j;
                                acc[o] = fma(av[ib + i][q], bv[jb + j][q], acc[o]);
                            }
                        }
                    }
                }
            }
        }
    }

    if (CHUNKED_STORES) {
        // Where output rows are whole texels: bias and slopes fetched once, the residual and the
        // output a texel at a time.
        float biases[TN];
        float slope[TN];
        [[unroll]] for (int jc = 0; jc < TN; jc += CHUNK) {
            float b[CHUNK];
            float s[CHUNK];
            [[unroll]] for (int q = 0; q < CHUNK; q++) {
                b[q] = 0.0;
                s[q] = 0.0;
            }
            int channelChunk = (group * pc.N + min(colBase + jc, pc.N - CHUNK)) >> CHUNK_SHIFT;
            if (HAS_BIAS) unpackChunk(texelFetch(biasTexels, channelChunk), b);
            if (ACTIVATION == ACT_PRELU) unpackChunk(texelFetch(slopeTexels, channelChunk), s);
            [[unroll]] for (int q = 0; q < CHUNK; q++) {
                biases[jc + q] = b[q];
                slope[jc + q] = s[q];
            }
        }
        [[unroll]] for (int i = 0; i < TM; i++) {
            int m = rowBase + i;
            if (m >= pc.M) continue;
            [[unroll]] for (int jc = 0; jc < TN; jc += CHUNK) {
                int n = colBase + jc;
                if (n >= pc.N) continue;
                int index = MODE == MODE_CONV ? m * pc.outC + group * pc.N + n : batch * pc.strideC + m * pc.N + n;
                float residuals[CHUNK];
                [[unroll]] for (int q = 0; q < CHUNK; q++) residuals[q] = 0.0;
                if (HAS_RESIDUAL) residualChunk(index, rowImage[i], rowY[i], rowX[i], group * pc.N + n, residuals);
                float v[CHUNK];
                [[unroll]] for (int q = 0; q < CHUNK; q++) {
                    v[q] = activate(acc[i * TN + jc + q] + biases[jc + q] + residuals[q], ACTIVATION, slope[jc + q]);
                }
                imageStore(cTexels, index >> CHUNK_SHIFT, packChunk(v));
            }
        }
        return;
    }
    [[unroll]] for (int i = 0; i < TM; i++) {
        int m = rowBase + i;
        if (m >= pc.M) continue;
        [[unroll]] for (int j = 0; j < TN; j++) {
            int n = colBase + j;
            if (n >= pc.N) continue;
            int channel = group * pc.N + n;
            int index = MODE == MODE_CONV ? m * pc.outC + channel : batch * pc.strideC + m * pc.N + n;
            float v = acc[i * TN + j];
            if (HAS_BIAS) v += float(bias[channel]);
            if (HAS_RESIDUAL) v += residualAt(index, m, channel);
            float slope = ACTIVATION == ACT_PRELU ? float(slopes[channel]) : 0.0;
            c[index] = TO_STORAGE(activate(v, ACTIVATION, slope));
        }
    }
}

void main() {
    if (SHARED_TILES) {
        mainTiled();
    } else if (CHUNKED_LOADS) {
        mainChunked();
    } else {
        mainDirect();
    }
}
