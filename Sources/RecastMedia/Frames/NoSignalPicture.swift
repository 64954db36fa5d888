/// The picture outputs show while the input is down: dark grey with
/// "NO SIGNAL" in large letters, so a viewer sees the stream is alive but
/// its source is not (and browsers keep the virtual camera open).
public enum NoSignalPicture {
    /// 5×7 glyphs, one row per byte, most significant of the low 5 bits first.
    private static let glyphs: [Character: [UInt8]] = [
        "N": [0x11, 0x19, 0x15, 0x13, 0x11, 0x11, 0x11],
        "O": [0x0E, 0x11, 0x11, 0x11, 0x11, 0x11, 0x0E],
        "S": [0x0F, 0x10, 0x10, 0x0E, 0x01, 0x01, 0x1E],
        "I": [0x0E, 0x04, 0x04, 0x04, 0x04, 0x04, 0x0E],
        "G": [0x0E, 0x11, 0x10, 0x17, 0x11, 0x11, 0x0F],
        "A": [0x0E, 0x11, 0x11, 0x1F, 0x11, 0x11, 0x11],
        "L": [0x10, 0x10, 0x10, 0x10, 0x10, 0x10, 0x1F],
        " ": [0, 0, 0, 0, 0, 0, 0],
    ]
    static let text = "NO SIGNAL"
    static let background: UInt8 = 40
    static let ink: UInt8 = 200

    public static func make(width: Int, height: Int, timestamp: Int64 = 0) -> VideoFrame {
        let frame = VideoFrame(width: width, height: height, format: .i420, timestamp: timestamp)
        let luma = frame.plane(0)
        luma.initializeMemory(as: UInt8.self, repeating: background)
        frame.plane(1).initializeMemory(as: UInt8.self, repeating: 128)
        frame.plane(2).initializeMemory(as: UInt8.self, repeating: 128)
        let columns = text.count * 6 - 1
        let scale = max(1, min(width * 3 / 4 / columns, height / 4 / 7))
        let originX = (width - columns * scale) / 2
        let originY = (height - 7 * scale) / 2
        for (index, character) in text.enumerated() {
            let rows = glyphs[character]!
            for (row, bits) in rows.enumerated() {
                for column in 0..<5 where bits & (0x10 >> UInt8(column)) != 0 {
                    let x0 = originX + (index * 6 + column) * scale
                    let y0 = originY + row * scale
                    // Pictures narrower than the text clip it.
                    for y in clipped(y0, scale, limit: height) {
                        for x in clipped(x0, scale, limit: width) {
                            luma[y * width + x] = ink
                        }
                    }
                }
            }
        }
        return frame
    }

    private static func clipped(_ start: Int, _ length: Int, limit: Int) -> Range<Int> {
        let lower = min(max(0, start), limit)
        return lower..<max(lower, min(limit, start + length))
    }
}
