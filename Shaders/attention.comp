#version 450
// Scaled dot-product attention with online softmax (flash-style): one invocation per
// (query, head), keys and values streamed through shared memory KEY_TILE at a time, so
// the score matrix never exists. Tokens are rows of [batch, tokens, heads * HEAD_DIM].
// Keys/values come from a main pair and, after it, an extra pair in other buffers
// (reference or temporal tokens) without copying them together.
#include "storage.glsl"

layout(local_size_x = 64) in;
layout(constant_id = 0) const int HEAD_DIM = 64;
layout(constant_id = 1) const int KEY_TILE = 16;

layout(std430, binding = 0) readonly buffer Queries { STORAGE_T q[]; };
layout(std430, binding = 1) readonly buffer Keys { STORAGE_T k[]; };
layout(std430, binding = 2) readonly buffer Values { STORAGE_T v[]; };
layout(std430, binding = 3) readonly buffer ExtraKeys { STORAGE_T k2[]; };
layout(std430, binding = 4) readonly buffer ExtraValues { STORAGE_T v2[]; };
layout(std430, binding = 5) writeonly buffer Output { STORAGE_T o[]; };

layout(push_constant) uniform Parameters {
    int queries;
    int keys;
    int extraKeys;
    int heads;
    float scale;
} pc;

shared float tileK[KEY_TILE * HEAD_DIM];
shared float tileV[KEY_TILE * HEAD_DIM];

void main() {
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
