#version 450
// Elementwise ops on flat tensors. `b` is broadcast by repeating it (b[i % bCount]),
// which covers same-shape operands and per-channel operands of NHWC tensors.
// One invocation per element, or, where both counts are whole texel chunks, per chunk from texel
// fetches (on lavapipe: one index division per chunk, and vector instead of scalar loads).
#include "storage.glsl"
#include "activation.glsl"
#include "texel_chunk.glsl"

#define OP_ADD 0
#define OP_MUL 1
#define OP_SCALE 2
#define OP_CLAMP 3
#define OP_ACTIVATION 4

layout(local_size_x = 256) in;
layout(constant_id = 0) const int OP = OP_ADD;
layout(constant_id = 1) const int ACTIVATION = ACT_NONE;
layout(constant_id = 2) const bool TEXELS = false;

layout(std430, binding = 0) readonly buffer InputA { STORAGE_T a[]; };
layout(std430, binding = 1) readonly buffer InputB { STORAGE_T b[]; };
layout(std430, binding = 2) writeonly buffer Output { STORAGE_T o[]; };
layout(binding = 3) uniform usamplerBuffer aTexels;
layout(binding = 4) uniform usamplerBuffer bTexels;
layout(binding = 5, rgba32ui) uniform writeonly uimageBuffer oTexels;

layout(push_constant) uniform Parameters {
    // Elements, or chunks on the texel path.
    uint count;
    uint bCount;
    uint groupsX;
    float p0; // scale: multiplier, clamp: lower bound
    float p1; // scale: offset, clamp: upper bound
} pc;

float apply(float x, float y) {
    float r;
    if (OP == OP_ADD) {
        r = x + y;
    } else if (OP == OP_MUL) {
        r = x * y;
    } else if (OP == OP_SCALE) {
        r = x * pc.p0 + pc.p1;
    } else if (OP == OP_CLAMP) {
        r = clamp(x, pc.p0, pc.p1);
    } else {
        r = x;
    }
    return activate(r, ACTIVATION, ACTIVATION == ACT_PRELU ? y : 0.0);
}

bool usesB() {
    return OP == OP_ADD || OP == OP_MUL || ACTIVATION == ACT_PRELU;
}

void main() {
    uint i = gl_GlobalInvocationID.x + gl_GlobalInvocationID.y * pc.groupsX * 256u;
    if (i >= pc.count) return;
    if (TEXELS) {
        float x[CHUNK];
        float y[CHUNK];
        unpackChunk(texelFetch(aTexels, int(i)), x);
        if (usesB()) unpackChunk(texelFetch(bTexels, int(i % pc.bCount)), y);
        [[unroll]] for (int q = 0; q < CHUNK; q++) x[q] = apply(x[q], usesB() ? y[q] : 0.0);
        imageStore(oTexels, int(i), packChunk(x));
        return;
    }
    o[i] = TO_STORAGE(apply(float(a[i]), usesB() ? float(b[i % pc.bCount]) : 0.0));
}
