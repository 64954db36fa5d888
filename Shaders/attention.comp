#version 450
// Scaled dot-product attention with online softmax (flash-style): one invocation per
// (query, head), keys and values streamed through shared memory KEY_TILE at a time, so
// the score matrix never exists. Tokens are rows of [batch, tokens, heads * HEAD_DIM].
// Keys/values come from a main pair and, after it, an extra pair in other buffers
// (reference or temporal tokens) without copying them together.
// Where HEAD_DIM is a multiple of the texel chunk, each invocation instead streams the keys and
// values itself as 16-byte texels: lavapipe loads shared memory lane by lane, and that, not the
// arithmetic, was the time.
#include "storage.glsl"
#include "texel_chunk.glsl"

layout(local_size_x = 64) in;
layout(constant_id = 0) const int HEAD_DIM = 64;
layout(constant_id = 1) const int KEY_TILE = 16;
layout(constant_id = 2) const bool TEXELS = false;
layout(constant_id = 3) const int QUERIES = 2;

layout(std430, binding = 0) readonly buffer Queries { STORAGE_T q[]; };
layout(std430, binding = 1) readonly buffer Keys { STORAGE_T k[]; };
layout(std430, binding = 2) readonly buffer Values { STORAGE_T v[]; };
layout(std430, binding = 3) readonly buffer ExtraKeys { STORAGE_T k2[]; };
layout(std430, binding = 4) readonly buffer ExtraValues { STORAGE_T v2[]; };
layout(std430, binding = 5) writeonly buffer Output { STORAGE_T o[]; };
layout(binding = 6) uniform usamplerBuffer qTexels;
layout(binding = 7) uniform usamplerBuffer kTexels;
layout(binding = 8) uniform usamplerBuffer vTexels;
layout(binding = 9) uniform usamplerBuffer k2Texels;
layout(binding = 10) uniform usamplerBuffer v2Texels;
layout(binding = 11, rgba32ui) uniform writeonly uimageBuffer oTexels;

layout(push_constant) uniform Parameters {
    int queries;
    int keys;
    int extraKeys;
    int heads;
    float scale;
} pc;

shared float tileK[KEY_TILE * HEAD_DIM];
shared float tileV[KEY_TILE * HEAD_DIM];

// QUERIES queries an invocation share each key and value fetched.
void mainTexels() {
    const int chunks = HEAD_DIM / CHUNK;
    int firstQuery = int(gl_GlobalInvocationID.x) * QUERIES;
    int head = int(gl_WorkGroupID.y);
    int batch = int(gl_WorkGroupID.z);
    int rowChunks = pc.heads * chunks;
    if (firstQuery >= pc.queries) return;

    float qv[QUERIES][HEAD_DIM];
    float acc[QUERIES][HEAD_DIM];
    float running[QUERIES];
    float denominator[QUERIES];
    [[unroll]] for (int r = 0; r < QUERIES; r++) {
        int queryBase = (batch * pc.queries + min(firstQuery + r, pc.queries - 1)) * rowChunks + head * chunks;
        [[unroll]] for (int c = 0; c < chunks; c++) {
            float chunk[CHUNK];
            unpackChunk(texelFetch(qTexels, queryBase + c), chunk);
            [[unroll]] for (int e = 0; e < CHUNK; e++) {
                qv[r][c * CHUNK + e] = chunk[e] * pc.scale;
                acc[r][c * CHUNK + e] = 0.0;
            }
        }
        running[r] = -3.402823e38;
        denominator[r] = 0.0;
    }
    // The main keys, then the extra ones: the branch on `part` is the same for every invocation.
    for (int part = 0; part < 2; part++) {
        int count = part == 0 ? pc.keys : pc.extraKeys;
        for (int key = 0; key < count; key++) {
            int base = (batch * count + key) * rowChunks + head * chunks;
            float score[QUERIES];
            [[unroll]] for (int r = 0; r < QUERIES; r++) score[r] = 0.0;
            [[unroll]] for (int c = 0; c < chunks; c++) {
                float chunk[CHUNK];
                uvec4 texel;
                if (part == 0) texel = texelFetch(kTexels, base + c); else texel = texelFetch(k2Texels, base + c);
                unpackChunk(texel, chunk);
                [[unroll]] for (int r = 0; r < QUERIES; r++) {
                    [[unroll]] for (int e = 0; e < CHUNK; e++) score[r] = fma(qv[r][c * CHUNK + e], chunk[e], score[r]);
                }
            }
            float correction[QUERIES];
            float weight[QUERIES];
            [[unroll]] for (int r = 0; r < QUERIES; r++) {
                float updated = max(running[r], score[r]);
                correction[r] = exp(running[r] - updated);
                weight[r] = exp(score[r] - updated);
                denominator[r] = denominator[r] * correction[r] + weight[r];
                running[r] = updated;
            }
            [[unroll]] for (int c = 0; c < chunks; c++) {
                float chunk[CHUNK];
                uvec4 texel;
                if (part == 0) texel = texelFetch(vTexels, base + c); else texel = texelFetch(v2Texels, base + c);
                unpackChunk(texel, chunk);
                [[unroll]] for (int r = 0; r < QUERIES; r++) {
                    [[unroll]] for (int e = 0; e < CHUNK; e++) {
                        acc[r][c * CHUNK + e] = acc[r][c * CHUNK + e] * correction[r] + weight[r] * chunk[e];
                    }
                }
            }
        }
    }
    [[unroll]] for (int r = 0; r < QUERIES; r++) {
        if (firstQuery + r >= pc.queries) continue;
        int queryBase = (batch * pc.queries + firstQuery + r) * rowChunks + head * chunks;
        float inverse = 1.0 / denominator[r];
        [[unroll]] for (int c = 0; c < chunks; c++) {
            float chunk[CHUNK];
            [[unroll]] for (int e = 0; e < CHUNK; e++) chunk[e] = acc[r][c * CHUNK + e] * inverse;
            imageStore(oTexels, queryBase + c, packChunk(chunk));
        }
    }
}

void mainTiles() {
    int query = int(gl_GlobalInvocationID.x);
    int head = int(gl_WorkGroupID.y);
    int batch = int(gl_WorkGroupID.z);
    int rowWidth = pc.heads * HEAD_DIM;
    bool isQuery = query < pc.queries;
    int total = pc.keys + pc.extraKeys;

    float qv[HEAD_DIM];
    float acc[HEAD_DIM];
    for (int d = 0; d < HEAD_DIM; d++) {
        qv[d] = isQuery ? float(q[(batch * pc.queries + query) * rowWidth + head * HEAD_DIM + d]) * pc.scale : 0.0;
        acc[d] = 0.0;
    }
    float running = -3.402823e38;
    float denominator = 0.0;

    for (int start = 0; start < total; start += KEY_TILE) {
        int tileCount = min(KEY_TILE, total - start);
        for (int e = int(gl_LocalInvocationID.x); e < tileCount * HEAD_DIM; e += 64) {
            int key = start + e / HEAD_DIM;
            int d = e % HEAD_DIM;
            if (key < pc.keys) {
                int index = (batch * pc.keys + key) * rowWidth + head * HEAD_DIM + d;
                tileK[e] = float(k[index]);
                tileV[e] = float(v[index]);
            } else {
                int index = (batch * pc.extraKeys + key - pc.keys) * rowWidth + head * HEAD_DIM + d;
                tileK[e] = float(k2[index]);
                tileV[e] = float(v2[index]);
            }
        }
        barrier();
        for (int j = 0; j < tileCount; j++) {
            float score = 0.0;
            for (int d = 0; d < HEAD_DIM; d++) score = fma(qv[d], tileK[j * HEAD_DIM + d], score);
            float updated = max(running, score);
            float correction = exp(running - updated);
            float weight = exp(score - updated);
            denominator = denominator * correction + weight;
            for (int d = 0; d < HEAD_DIM; d++) acc[d] = acc[d] * correction + weight * tileV[j * HEAD_DIM + d];
            running = updated;
        }
        barrier();
    }
    if (!isQuery) return;
    float inverse = 1.0 / denominator;
    for (int d = 0; d < HEAD_DIM; d++) {
        o[(batch * pc.queries + query) * rowWidth + head * HEAD_DIM + d] = TO_STORAGE(acc[d] * inverse);
    }
}

void main() {
    if (TEXELS) {
        mainTexels();
    } else {
        mainTiles();
    }
}
