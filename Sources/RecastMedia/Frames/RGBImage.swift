import Logging

/// A still picture as packed 8-bit RGB, row-major, 3 bytes per pixel: what the face models take.
public struct RGBImage: Sendable {
    public let width: Int
    public let height: Int
    public let pixels: [UInt8]

    public init(width: Int, height: Int, pixels: [UInt8]) {
        precondition(pixels.count == width * height * 3, "\(pixels.count) bytes for a \(width)x\(height) RGB image")
        self.width = width
        self.height = height
        self.pixels = pixels
    }

    /// Decodes the first picture of an image file (JPEG, PNG, …) or video.
    public static func load(path: String) throws -> RGBImage {
        let source = StreamSource(url: path, options: .init(includesAudio: false), logger: Logger(label: "recast.image"))
        defer { source.close() }
        _ = try source.open()
        while let item = try source.read() {
            if case .video(let frame) = item {
                return RGBImage(width: frame.width, height: frame.height, pixels: try FrameConverter().rgb(frame))
            }
        }
        throw MediaError.noVideoStream(path)
    }

    /// The picture resized (bilinear) to `width` × `height`.
    public func resized(width newWidth: Int, height newHeight: Int) -> RGBImage {
        var output = [UInt8](repeating: 0, count: newWidth * newHeight * 3)
        let scaleX = Float(width) / Float(newWidth), scaleY = Float(height) / Float(newHeight)
        for y in 0..<newHeight {
            let sourceY = max(0, (Float(y) + 0.5) * scaleY - 0.5)
            for x in 0..<newWidth {
                let sourceX = max(0, (Float(x) + 0.5) * scaleX - 0.5)
                let pixel = sample(x: sourceX, y: sourceY)
                for channel in 0..<3 { output[(y * newWidth + x) * 3 + channel] = pixel[channel] }
            }
        }
        return RGBImage(width: newWidth, height: newHeight, pixels: output)
    }

    /// The pixels of a rectangle inside the picture.
    public func cropped(x: Int, y: Int, width newWidth: Int, height newHeight: Int) -> RGBImage {
        precondition(x >= 0 && y >= 0 && newWidth > 0 && newHeight > 0 && x + newWidth <= width && y + newHeight <= height)
        var output: [UInt8] = []
        output.reserveCapacity(newWidth * newHeight * 3)
        for row in y..<(y + newHeight) {
            let start = (row * width + x) * 3
            output += pixels[start..<(start + newWidth * 3)]
        }
        return RGBImage(width: newWidth, height: newHeight, pixels: output)
    }

    /// Bilinear sample at a fractional pixel position (pixel centers at integers); outside the picture is black.
    public func sample(x: Float, y: Float) -> SIMD3<UInt8> {
        let left = x.rounded(.down), top = y.rounded(.down)
        let (x0, y0) = (Int(left), Int(top))
        let (fx, fy) = (x - left, y - top)
        var sum = SIMD3<Float>(repeating: 0)
        // Scalar code on the buffer: this runs per pixel of every crop and resize, where generic SIMD
        // conversions and array literals cost more than the arithmetic.
        pixels.withUnsafeBufferPointer { pixels in
            func add(_ px: Int, _ py: Int, _ weight: Float) {
                guard weight > 0, px >= 0, py >= 0, px < width, py < height else { return }
                let offset = (py * width + px) * 3
                sum += SIMD3(Float(pixels[offset]), Float(pixels[offset + 1]), Float(pixels[offset + 2])) * weight
            }
            add(x0, y0, (1 - fx) * (1 - fy))
            add(x0 + 1, y0, fx * (1 - fy))
            add(x0, y0 + 1, (1 - fx) * fy)
            add(x0 + 1, y0 + 1, fx * fy)
        }
        func byte(_ value: Float) -> UInt8 { UInt8(clamping: Int(value.rounded(.toNearestOrAwayFromZero))) }
        return SIMD3(byte(sum.x), byte(sum.y), byte(sum.z))
    }
}
