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
        let x0 = Int(x.rounded(.down)), y0 = Int(y.rounded(.down))
        let fx = x - Float(x0), fy = y - Float(y0)
        var result = SIMD3<Float>(repeating: 0)
        for (dy, wy) in [(0, 1 - fy), (1, fy)] where wy > 0 {
            for (dx, wx) in [(0, 1 - fx), (1, fx)] where wx > 0 {
                let px = x0 + dx, py = y0 + dy
                guard px >= 0, py >= 0, px < width, py < height else { continue }
                let offset = (py * width + px) * 3
                result += SIMD3(Float(pixels[offset]), Float(pixels[offset + 1]), Float(pixels[offset + 2])) * (wx * wy)
            }
        }
        return SIMD3<UInt8>(clamping: SIMD3<Int32>((result).rounded(.toNearestOrAwayFromZero)))
    }
}
