import Foundation
import RecastMedia
import RecastSwap

/// The processing stage that replaces the face in each frame with the identity
/// (`WarpSwap`); frames without a face pass through unchanged and are counted.
public final class SwapProcessor: FrameProcessor, @unchecked Sendable {
    // @unchecked: called from the one processing thread only.
    private let swap: WarpSwap
    private let converter = FrameConverter()
    public private(set) var framesWithoutFace = 0

    public init(swap: WarpSwap) {
        self.swap = swap
    }

    /// Replaces the identity from `image`; on failure the previous one stays (see `WarpSwap.reloadIdentity`).
    public func reloadIdentity(from image: String) throws {
        try swap.reloadIdentity(from: image)
    }

    public func process(_ frame: VideoFrame) throws -> VideoFrame {
        let image = RGBImage(width: frame.width, height: frame.height, pixels: try converter.rgb(frame))
        guard let swapped = try swap.swap(image, at: Double(frame.timestamp) / 1e6) else {
            framesWithoutFace += 1
            return frame
        }
        return try converter.frame(fromRGB: swapped, format: .i420, timestamp: frame.timestamp, capturedAt: frame.capturedAt)
    }
}
