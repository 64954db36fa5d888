import RecastMedia

/// A rectangle of whole pixels inside a picture.
public struct PixelRect: Sendable, Equatable {
    public var x: Int, y: Int, width: Int, height: Int

    public init(x: Int, y: Int, width: Int, height: Int) {
        (self.x, self.y, self.width, self.height) = (x, y, width, height)
    }

    /// The smallest rectangle holding every box, clipped to a `width` × `height` picture;
    /// nil when nothing of them lies inside it.
    public init?(covering boxes: [(x: Float, y: Float, width: Float, height: Float)], width: Int, height: Int) {
        guard !boxes.isEmpty else { return nil }
        let left = max(0, Int(boxes.map(\.x).min()!.rounded(.down)))
        let top = max(0, Int(boxes.map(\.y).min()!.rounded(.down)))
        let right = min(width, Int(boxes.map { $0.x + $0.width }.max()!.rounded(.up)))
        let bottom = min(height, Int(boxes.map { $0.y + $0.height }.max()!.rounded(.up)))
        guard right > left, bottom > top else { return nil }
        self.init(x: left, y: top, width: right - left, height: bottom - top)
    }
}

/// Frame-to-frame change, the measure behind the flicker ratio.
public enum FrameChange {
    /// Mean absolute difference of the 8-bit channel values of two same-sized pictures inside `region`.
    public static func meanAbsolute(from previous: RGBImage, to current: RGBImage, in region: PixelRect) -> Double {
        precondition(previous.width == current.width && previous.height == current.height, "comparing pictures of different sizes")
        precondition(region.x >= 0 && region.y >= 0 && region.x + region.width <= current.width && region.y + region.height <= current.height)
        var total = 0
        for row in region.y..<(region.y + region.height) {
            let start = (row * current.width + region.x) * 3
            for index in start..<(start + region.width * 3) {
                total += abs(Int(current.pixels[index]) - Int(previous.pixels[index]))
            }
        }
        return Double(total) / Double(region.width * region.height * 3)
    }

    /// How much more the output changes between frames than the source does in the same place:
    /// mean output change over mean source change. Two still clips (both 0) give 1, since the
    /// output adds no flicker; a still source under a changing output has no finite ratio (nil).
    public static func flickerRatio(outputChange: Double, sourceChange: Double) -> Double? {
        if sourceChange > 0 { return outputChange / sourceChange }
        return outputChange == 0 ? 1 : nil
    }
}
