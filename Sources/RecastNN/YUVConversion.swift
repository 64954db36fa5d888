import RecastGPU

public enum YUVFormat: UInt32, Sendable, CaseIterable {
    case yuyv = 0
    case nv12 = 1
    case i420 = 2
}

/// Colour matrix: the luma weights of red and blue.
public enum YUVMatrix: Sendable, CaseIterable {
    case bt601, bt709

    public var kr: Float { self == .bt601 ? 0.299 : 0.2126 }
    public var kb: Float { self == .bt601 ? 0.114 : 0.0722 }
}

public enum YUVRange: Sendable, CaseIterable {
    /// Y in 16…235, chroma in 16…240 (video).
    case limited
    /// All of 0…255 (JPEG).
    case full
}

/// Where the planes of a YUV frame lie in its byte buffer (offsets and strides in bytes).
public struct YUVLayout: Sendable, Equatable {
    public var format: YUVFormat
    public var width: Int
    public var height: Int
    public var lumaOffset: Int
    public var lumaStride: Int
    public var uOffset: Int
    public var vOffset: Int
    public var chromaStride: Int
    public var totalBytes: Int

    /// Tightly packed planes, chroma sized by rounding up (odd sizes allowed).
    public static func packed(_ format: YUVFormat, width: Int, height: Int) -> YUVLayout {
        let chromaWidth = (width + 1) / 2, chromaHeight = (height + 1) / 2
        switch format {
        case .yuyv:
            return YUVLayout(format: format, width: width, height: height, lumaOffset: 0, lumaStride: chromaWidth * 4,
                             uOffset: 0, vOffset: 0, chromaStride: 0, totalBytes: chromaWidth * 4 * height)
        case .nv12:
            let luma = width * height
            return YUVLayout(format: format, width: width, height: height, lumaOffset: 0, lumaStride: width,
                             uOffset: luma, vOffset: luma + 1, chromaStride: chromaWidth * 2, totalBytes: luma + chromaWidth * 2 * chromaHeight)
        case .i420:
            let luma = width * height, chroma = chromaWidth * chromaHeight
            return YUVLayout(format: format, width: width, height: height, lumaOffset: 0, lumaStride: width,
                             uOffset: luma, vOffset: luma + chroma, chromaStride: chromaWidth, totalBytes: luma + 2 * chroma)
        }
    }

    /// Push constants shared by yuv_to_rgb.comp and rgb_to_yuv.comp (Shaders/yuv.glsl).
    func pushConstants(matrix: YUVMatrix, range: YUVRange) -> [UInt32] {
        let coefficients = YUVCoefficients(matrix: matrix, range: range)
        let ints = [width, height, lumaOffset, lumaStride, uOffset, vOffset, chromaStride, totalBytes].map { UInt32(bitPattern: Int32($0)) }
        let c = coefficients
        return ints + [c.yOffset, c.yScale, c.cScale, c.rCr, c.gCb, c.gCr, c.bCb, matrix.kr, matrix.kb].map(\.word)
    }
}

/// The conversion constants for a matrix and range.
public struct YUVCoefficients: Sendable {
    public let yOffset: Float, yScale: Float, cScale: Float
    public let rCr: Float, gCb: Float, gCr: Float, bCb: Float

    public init(matrix: YUVMatrix, range: YUVRange) {
        let kr = matrix.kr, kb = matrix.kb, kg = 1 - kr - kb
        yOffset = range == .limited ? 16 : 0
        yScale = range == .limited ? 255 / 219 : 1
        cScale = range == .limited ? 255 / 224 : 1
        rCr = 2 * (1 - kr)
        bCb = 2 * (1 - kb)
        gCb = 2 * (1 - kb) * kb / kg
        gCr = 2 * (1 - kr) * kr / kg
    }
}

extension TensorEngine {
    /// Records the conversion of a YUV frame (bytes in `frame`) to an RGB tensor [1, height, width, 3] in [0, 1].
    public func encodeYUVToRGB(
        frame: GPUBuffer, layout: YUVLayout, matrix: YUVMatrix, range: YUVRange, output: Tensor, into recorder: CommandRecorder
    ) throws {
        guard output.shape == [1, layout.height, layout.width, 3], frame.byteCount >= layout.totalBytes else {
            throw NNError.shapeMismatch(op: "yuvToRGB", detail: "\(layout) into \(output.shape) from \(frame.byteCount) bytes")
        }
        let kernel = try kernel("yuv_to_rgb", bindings: [.read, .write], pushConstantBytes: 68, specialization: [0: layout.format.rawValue])
        try recorder.dispatch(
            kernel, buffers: [frame, output.buffer], pushConstants: layout.pushConstants(matrix: matrix, range: range),
            groups: ((layout.width + 15) / 16, (layout.height + 15) / 16, 1), label: "yuvToRGB")
    }

    /// Records the conversion of an RGB tensor [1, height, width, 3] in [0, 1] to YUV bytes in `frame`.
    public func encodeRGBToYUV(
        _ image: Tensor, layout: YUVLayout, matrix: YUVMatrix, range: YUVRange, frame: GPUBuffer, into recorder: CommandRecorder
    ) throws {
        guard image.shape == [1, layout.height, layout.width, 3], frame.byteCount >= (layout.totalBytes + 3) / 4 * 4 else {
            throw NNError.shapeMismatch(op: "rgbToYUV", detail: "\(image.shape) into \(layout) in \(frame.byteCount) bytes")
        }
        let kernel = try kernel("rgb_to_yuv", bindings: [.read, .write], pushConstantBytes: 68, specialization: [0: layout.format.rawValue])
        try recorder.dispatch(
            kernel, buffers: [image.buffer, frame], pushConstants: layout.pushConstants(matrix: matrix, range: range),
            groups: linearGroups(count: (layout.totalBytes + 3) / 4, perGroup: 256), label: "rgbToYUV")
    }
}
