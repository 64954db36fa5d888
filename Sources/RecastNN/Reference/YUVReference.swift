extension CPUReference {
    static func sampleOffsets(_ layout: YUVLayout, x: Int, y: Int) -> (y: Int, u: Int, v: Int) {
        switch layout.format {
        case .yuyv:
            let pair = layout.lumaOffset + y * layout.lumaStride + (x / 2) * 4
            return (pair + (x % 2) * 2, pair + 1, pair + 3)
        case .nv12:
            let uv = layout.uOffset + (y / 2) * layout.chromaStride + (x / 2) * 2
            return (layout.lumaOffset + y * layout.lumaStride + x, uv, uv + 1)
        case .i420:
            let chroma = (y / 2) * layout.chromaStride + x / 2
            return (layout.lumaOffset + y * layout.lumaStride + x, layout.uOffset + chroma, layout.vOffset + chroma)
        }
    }

    public static func yuvToRGB(_ bytes: [UInt8], layout: YUVLayout, matrix: YUVMatrix, range: YUVRange) -> [Float] {
        let c = YUVCoefficients(matrix: matrix, range: range)
        var rgb: [Float] = []
        for y in 0..<layout.height {
            for x in 0..<layout.width {
                let at = sampleOffsets(layout, x: x, y: y)
                let luma = (Float(bytes[at.y]) - c.yOffset) * c.yScale / 255
                let cb = (Float(bytes[at.u]) - 128) * c.cScale / 255
                let cr = (Float(bytes[at.v]) - 128) * c.cScale / 255
                rgb += [luma + c.rCr * cr, luma - c.gCb * cb - c.gCr * cr, luma + c.bCb * cb].map { min(max($0, 0), 1) }
            }
        }
        return rgb
    }

    public static func rgbToYUV(_ rgb: [Float], layout: YUVLayout, matrix: YUVMatrix, range: YUVRange) -> [UInt8] {
        let c = YUVCoefficients(matrix: matrix, range: range)
        let kr = matrix.kr, kb = matrix.kb
        func pixel(_ x: Int, _ y: Int) -> (r: Float, g: Float, b: Float) {
            let i = (y * layout.width + x) * 3
            return (rgb[i], rgb[i + 1], rgb[i + 2])
        }
        func luma(_ p: (r: Float, g: Float, b: Float)) -> Float { kr * p.r + (1 - kr - kb) * p.g + kb * p.b }
        func byte(_ v: Float) -> UInt8 { UInt8(min(max(v.rounded(), 0), 255)) }
        var bytes = [UInt8](repeating: 0, count: (layout.totalBytes + 3) / 4 * 4)
        let rows = layout.format == .yuyv ? 1 : 2
        for y in 0..<layout.height {
            for x in 0..<layout.width {
                bytes[sampleOffsets(layout, x: x, y: y).y] = byte(luma(pixel(x, y)) * 255 / c.yScale + c.yOffset)
            }
        }
        // YUYV with an odd width: the last pair's missing second pixel repeats the edge.
        if layout.format == .yuyv && layout.width % 2 == 1 {
            for y in 0..<layout.height {
                let lastPair = layout.lumaOffset + y * layout.lumaStride + (layout.width / 2) * 4
                bytes[lastPair + 2] = byte(luma(pixel(layout.width - 1, y)) * 255 / c.yScale + c.yOffset)
            }
        }
        for cy in 0..<((layout.height + rows - 1) / rows) {
            for cx in 0..<((layout.width + 1) / 2) {
                var cb: Float = 0, cr: Float = 0, count: Float = 0
                for dy in 0..<rows {
                    for dx in 0..<2 where cx * 2 + dx < layout.width && cy * rows + dy < layout.height {
                        let p = pixel(cx * 2 + dx, cy * rows + dy)
                        cb += (p.b - luma(p)) / (2 * (1 - kb))
                        cr += (p.r - luma(p)) / (2 * (1 - kr))
                        count += 1
                    }
                }
                let at = sampleOffsets(layout, x: cx * 2, y: cy * rows)
                bytes[at.u] = byte(cb / count * 255 / c.cScale + 128)
                bytes[at.v] = byte(cr / count * 255 / c.cScale + 128)
            }
        }
        return bytes
    }
}
