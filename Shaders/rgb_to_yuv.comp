#version 450
// RGB in [0, 1] (NHWC, 3 channels) → YUYV / NV12 / I420 bytes. One invocation per output
// word, so no two invocations write the same memory; each byte is found by its plane and
// position, chroma is the mean over the pixels it covers, and padding bytes are zero.
#include "storage.glsl"

layout(local_size_x = 256) in;
layout(constant_id = 0) const int FORMAT = 0;
#include "yuv.glsl"

layout(std430, binding = 0) readonly buffer Image { STORAGE_T rgb[]; };
layout(std430, binding = 1) writeonly buffer Frame { uint bytes[]; };

vec3 pixel(int x, int y) {
    int index = (min(y, pc.height - 1) * pc.width + min(x, pc.width - 1)) * 3;
    return vec3(float(rgb[index]), float(rgb[index + 1]), float(rgb[index + 2]));
}

float lumaOf(vec3 c) { return pc.kr * c.r + (1.0 - pc.kr - pc.kb) * c.g + pc.kb * c.b; }

uint encodeLuma(float luma) { return uint(clamp(round(luma * 255.0 / pc.yScale + pc.yOffset), 0.0, 255.0)); }

// Mean chroma (component 0: Cb, 1: Cr) over the pixels of chroma sample (cx, cy); 4:2:2 covers 2×1.
uint encodeChroma(int cx, int cy, int component) {
    int rows = FORMAT == FORMAT_YUYV ? 1 : 2;
    float sum = 0.0;
    float count = 0.0;
    for (int dy = 0; dy < rows; dy++) {
        for (int dx = 0; dx < 2; dx++) {
            int x = cx * 2 + dx;
            int y = cy * rows + dy;
            if (x >= pc.width || y >= pc.height) continue;
            vec3 c = pixel(x, y);
            float luma = lumaOf(c);
            sum += component == 0 ? (c.b - luma) / (2.0 * (1.0 - pc.kb)) : (c.r - luma) / (2.0 * (1.0 - pc.kr));
            count += 1.0;
        }
    }
    return uint(clamp(round(sum / count * 255.0 / pc.cScale + 128.0), 0.0, 255.0));
}

uint encodeByte(int offset) {
    int chromaWidth = (pc.width + 1) / 2;
    int chromaHeight = (pc.height + 1) / 2;
    if (FORMAT == FORMAT_YUYV) {
        int local = offset - pc.lumaOffset;
        int y = local / pc.lumaStride;
        int column = local % pc.lumaStride;
        if (local < 0 || y >= pc.height || column >= chromaWidth * 4) return 0u;
        int pair = column / 4;
        int slot = column % 4;
        if (slot == 0 || slot == 2) {
            int x = min(pair * 2 + slot / 2, pc.width - 1);
            return encodeLuma(lumaOf(pixel(x, y)));
        }
        return encodeChroma(pair, y, slot == 1 ? 0 : 1);
    }
    int lumaLocal = offset - pc.lumaOffset;
    if (lumaLocal >= 0 && lumaLocal < pc.lumaStride * pc.height) {
        int y = lumaLocal / pc.lumaStride;
        int x = lumaLocal % pc.lumaStride;
        return x < pc.width ? encodeLuma(lumaOf(pixel(x, y))) : 0u;
    }
    if (FORMAT == FORMAT_NV12) {
        int local = offset - pc.uOffset;
        if (local < 0 || local >= pc.chromaStride * chromaHeight) return 0u;
        int cy = local / pc.chromaStride;
        int column = local % pc.chromaStride;
        return column < chromaWidth * 2 ? encodeChroma(column / 2, cy, column % 2) : 0u;
    }
    for (int component = 0; component < 2; component++) {
        int local = offset - (component == 0 ? pc.uOffset : pc.vOffset);
        if (local < 0 || local >= pc.chromaStride * chromaHeight) continue;
        int cy = local / pc.chromaStride;
        int column = local % pc.chromaStride;
        return column < chromaWidth ? encodeChroma(column, cy, component) : 0u;
    }
    return 0u;
}

void main() {
    int word = int(gl_GlobalInvocationID.x);
    if (word * 4 >= pc.totalBytes) return;
    uint packed = 0u;
    for (int i = 0; i < 4; i++) {
        packed |= encodeByte(word * 4 + i) << (8 * i);
    }
    bytes[word] = packed;
}
