import Foundation

/// YuNet's anchor-free decoding and non-maximum suppression, exactly as OpenCV's FaceDetectorYN
/// (modules/objdetect/src/face_detect.cpp) does them, so results match it box for box.
enum YuNetDecoding {
    static let strides = [8, 16, 32]

    /// Decodes one pyramid level. `head` is the level's NHWC head output with channels
    /// [cls logit, obj logit, dx, dy, log w, log h, 10 keypoint offsets]; anchors sit on every cell of
    /// the padded input, whose size gives `rows` × `columns`.
    static func decode(head: [Float], rows: Int, columns: Int, stride: Int, scoreThreshold: Float) -> [DetectedFace] {
        let s = Float(stride)
        var faces: [DetectedFace] = []
        for r in 0..<rows {
            for c in 0..<columns {
                let v = head[((r * columns + c) * YuNetNetwork.headChannels)...]
                let score = (clampUnit(sigmoid(v[v.startIndex])) * clampUnit(sigmoid(v[v.startIndex + 1]))).squareRoot()
                guard score >= scoreThreshold else { continue }
                let o = v.startIndex + 2
                let centerX = (Float(c) + v[o]) * s
                let centerY = (Float(r) + v[o + 1]) * s
                let width = exp(v[o + 2]) * s
                let height = exp(v[o + 3]) * s
                let keypoints = (0..<5).map { n in
                    SIMD2((v[o + 4 + 2 * n] + Float(c)) * s, (v[o + 5 + 2 * n] + Float(r)) * s)
                }
                faces.append(DetectedFace(
                    x: centerX - width / 2, y: centerY - height / 2, width: width, height: height, score: score, keypoints: keypoints))
            }
        }
        return faces
    }

    /// OpenCV's NMSBoxes on integer-truncated boxes: highest score first, a face is kept when its IoU with every
    /// kept face is at most `threshold`; at most `topK` candidates are considered.
    static func suppressOverlaps(_ faces: [DetectedFace], scoreThreshold: Float, threshold: Float, topK: Int) -> [DetectedFace] {
        guard faces.count > 1 else { return faces }
        let candidates = faces.enumerated()
            .filter { $0.element.score > scoreThreshold }
            .sorted { ($0.element.score, -$0.offset) > ($1.element.score, -$1.offset) }
            .prefix(topK)
            .map(\.element)
        var kept: [DetectedFace] = []
        for face in candidates where kept.allSatisfy({ integerIoU(face, $0) <= threshold }) {
            kept.append(face)
        }
        return kept
    }

    static func integerIoU(_ a: DetectedFace, _ b: DetectedFace) -> Float {
        let (ax, ay, aw, ah) = (Int(a.x), Int(a.y), Int(a.width), Int(a.height))
        let (bx, by, bw, bh) = (Int(b.x), Int(b.y), Int(b.width), Int(b.height))
        let overlapWidth = max(0, min(ax + aw, bx + bw) - max(ax, bx))
        let overlapHeight = max(0, min(ay + ah, by + bh) - max(ay, by))
        let intersection = overlapWidth * overlapHeight
        let union = aw * ah + bw * bh - intersection
        return union <= 0 ? 0 : Float(intersection) / Float(union)
    }

    private static func sigmoid(_ x: Float) -> Float { 1 / (1 + exp(-x)) }
    private static func clampUnit(_ x: Float) -> Float { min(max(x, 0), 1) }
}
