// Layout of a YUV frame in a byte buffer (read as uint words), shared by both directions.
#define FORMAT_YUYV 0
#define FORMAT_NV12 1
#define FORMAT_I420 2

layout(push_constant) uniform Parameters {
    int width, height;
    int lumaOffset, lumaStride;     // bytes; YUYV: the packed plane
    int uOffset, vOffset, chromaStride; // NV12: uOffset is the UV plane, vOffset = uOffset + 1
    int totalBytes;
    // Y' = (Y − yOffset)·yScale; Cb, Cr = (C − 128)·cScale (all in units of 1/255).
    float yOffset, yScale, cScale;
    // R = Y + rCr·Cr, G = Y − gCb·Cb − gCr·Cr, B = Y + bCb·Cb; and the forward weights kr, kb.
    float rCr, gCb, gCr, bCb, kr, kb;
} pc;

// Byte offsets of the Y, Cb and Cr samples for pixel (x, y).
ivec3 sampleOffsets(int x, int y) {
    if (FORMAT == FORMAT_YUYV) {
        int pair = pc.lumaOffset + y * pc.lumaStride + (x / 2) * 4;
        return ivec3(pair + (x % 2) * 2, pair + 1, pair + 3);
    }
    int chroma = (y / 2) * pc.chromaStride;
    if (FORMAT == FORMAT_NV12) {
        int uv = pc.uOffset + chroma + (x / 2) * 2;
        return ivec3(pc.lumaOffset + y * pc.lumaStride + x, uv, uv + 1);
    }
    return ivec3(pc.lumaOffset + y * pc.lumaStride + x, pc.uOffset + chroma + x / 2, pc.vOffset + chroma + x / 2);
}
