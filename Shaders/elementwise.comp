#version 450
// Elementwise ops on flat tensors. `b` is broadcast by repeating it (b[i % bCount]),
// which covers same-shape operands and per-channel operands of NHWC tensors.
#include "storage.glsl"
#include "activation.glsl"

#define OP_ADD 0
#define OP_MUL 1
#define OP_SCALE 2
#define OP_CLAMP 3
#define OP_ACTIVATION 4

layout(local_size_x = 256) in;
layout(constant_id = 0) const int OP = OP_ADD;
layout(constant_id = 1) const int ACTIVATION = ACT_NONE;

layout(std430, binding = 0) readonly buffer InputA { STORAGE_T a[]; };
layout(std430, binding = 1) readonly buffer InputB { STORAGE_T b[]; };
layout(std430, binding = 2) writeonly buffer Output { STORAGE_T o[]; };

layout(push_constant) uniform Parameters {
    uint count;
    uint bCount;
    uint groupsX;
    float p0; // scale: multiplier, clamp: lower bound
    float p1; // scale: offset, clamp: upper bound
} pc;

void main() {
    uint i = gl_GlobalInvocationID.x + gl_GlobalInvocationID.y * pc.groupsX * 256u;
    if (i >= pc.count) return;
    float x = float(a[i]);
    float r;
    if (OP == OP_ADD) {
        r = x + float(b[i % pc.bCount]);
    } else if (OP == OP_MUL) {
        r = x * float(b[i % pc.bCount]);
    } else if (OP == OP_SCALE) {
        r = x * pc.p0 + pc.p1;
    } else if (OP == OP_CLAMP) {
        r = clamp(x, pc.p0, pc.p1);
    } else {
        r = x;
    }
    float slope = ACTIVATION == ACT_PRELU ? float(b[i % pc.bCount]) : 0.0;
    o[i] = TO_STORAGE(activate(r, ACTIVATION, slope));
}
