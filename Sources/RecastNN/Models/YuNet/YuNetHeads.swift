/// YuNet's raw network outputs for one image, before decoding.
public struct YuNetHeads: Sendable {
    /// Anchor strides of the three pyramid levels, in `values` order.
    public static let strides = YuNetDecoding.strides
    /// Channels per anchor: cls logit, obj logit, dx, dy, log w, log h, then 5 × (dx, dy) keypoint offsets.
    public static let channels = YuNetNetwork.headChannels

    /// Per level, NHWC [paddedHeight / stride, paddedWidth / stride, 16]. cls and obj are logits: the ONNX
    /// model's `cls_*` / `obj_*` outputs are their sigmoids; the other channels equal `bbox_*` and `kps_*`.
    public var values: [[Float]]
    /// The input size rounded up to a multiple of 32 (the image is zero-padded at the bottom and right).
    public var paddedWidth: Int
    public var paddedHeight: Int

    /// Decodes and suppresses overlaps as OpenCV's FaceDetectorYN does; see `YuNetDetector.detect`.
    public func faces(scoreThreshold: Float = 0.9, nmsThreshold: Float = 0.3, topK: Int = 5000) -> [DetectedFace] {
        var faces: [DetectedFace] = []
        for (stride, head) in zip(Self.strides, values) {
            faces += YuNetDecoding.decode(
                head: head, rows: paddedHeight / stride, columns: paddedWidth / stride, stride: stride, scoreThreshold: scoreThreshold)
        }
        return YuNetDecoding.suppressOverlaps(faces, scoreThreshold: scoreThreshold, threshold: nmsThreshold, topK: topK)
    }
}
