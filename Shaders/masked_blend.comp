#version 450
// out = a·(1 − m) + b·m over NHWC images, with one mask value per pixel shared by all channels.
#include "storage.glsl"

layout(local_size_x = 256) in;

layout(std430, binding = 0) readonly buffer InputA { STORAGE_T a[]; };
layout(std430, binding = 1) readonly buffer InputB { STORAGE_T b[]; };
layout(std430, binding = 2) readonly buffer Mask { STORAGE_T mask[]; };
layout(std430, binding = 3) writeonly buffer Output { STORAGE_T o[]; };

layout(push_constant) uniform Parameters {
    uint count;
    uint groupsX;
    uint channels;
} pc;

void main() {
    uint i = gl_GlobalInvocationID.x + gl_WorkGroupID.y * pc.groupsX * 256u;
    if (i >= pc.count) return;
    float m = float(mask[i / pc.channels]);
    o[i] = TO_STORAGE(mix(float(a[i]), float(b[i]), m));
}
