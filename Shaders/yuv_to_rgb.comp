#version 450
// YUYV / NV12 / I420 bytes → RGB in [0, 1] (NHWC, 3 channels), one invocation per pixel.
// Chroma is taken from the sample covering the pixel (no interpolation).
#include "storage.glsl"

layout(local_size_x = 16, local_size_y = 16) in;
layout(constant_id = 0) const int FORMAT = 0;
#include "yuv.glsl"

layout(std430, binding = 0) readonly buffer Frame { uint bytes[]; };
layout(std430, binding = 1) writeonly buffer Image { STORAGE_T rgb[]; };

float byteAt(int offset) {
    return float((bytes[offset >> 2] >> (8 * (offset & 3))) & 0xFFu);
}

void main() {
    int x = int(gl_GlobalInvocationID.x);
    int y = int(gl_GlobalInvocationID.y);
    if (x >= pc.width || y >= pc.height) return;
    ivec3 at = sampleOffsets(x, y);
    float luma = (byteAt(at.x) - pc.yOffset) * pc.yScale / 255.0;
    float cb = (byteAt(at.y) - 128.0) * pc.cScale / 255.0;
    float cr = (byteAt(at.z) - 128.0) * pc.cScale / 255.0;
    vec3 color = clamp(vec3(luma + pc.rCr * cr, luma - pc.gCb * cb - pc.gCr * cr, luma + pc.bCb * cb), 0.0, 1.0);
    int index = (y * pc.width + x) * 3;
    rgb[index] = TO_STORAGE(color.r);
    rgb[index + 1] = TO_STORAGE(color.g);
    rgb[index + 2] = TO_STORAGE(color.b);
}
