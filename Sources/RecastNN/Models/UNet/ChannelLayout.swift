/// CPU conversions between diffusers' NCHW arrays and Recast's NHWC tensors, for one image.
public enum ChannelLayout {
    public static func nhwc(fromNCHW values: [Float], channels: Int, height: Int, width: Int) -> [Float] {
        precondition(values.count == channels * height * width, "\(values.count) values for \(channels)×\(height)×\(width)")
        var result = [Float](repeating: 0, count: values.count)
        for c in 0..<channels {
            for p in 0..<(height * width) {
                result[p * channels + c] = values[c * height * width + p]
            }
        }
        return result
    }

    public static func nchw(fromNHWC values: [Float], channels: Int, height: Int, width: Int) -> [Float] {
        precondition(values.count == channels * height * width, "\(values.count) values for \(height)×\(width)×\(channels)")
        var result = [Float](repeating: 0, count: values.count)
        for p in 0..<(height * width) {
            for c in 0..<channels {
                result[c * height * width + p] = values[p * channels + c]
            }
        }
        return result
    }
}
