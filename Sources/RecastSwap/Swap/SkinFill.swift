import RecastMedia
import RecastNN

/// Replaces what is not skin at the edge of the identity's face with the skin beside it, once per identity.
/// The mesh's outline runs a little outside the face: in the bundled Obama portrait the strip between his
/// jaw and the outline holds his white collar and dark suit, and the warp drew them as grey patches along
/// the live jaw. Pixels near the outline whose colour is far from the face's own (luma and chroma against
/// the median and spread of the face's inner part), and every pixel outside the outline, are filled from
/// their nearest skin neighbours outwards, so no sample of the warp reads collar, hair or background there.
enum SkinFill {
    /// The outer part of the outline checked for non-skin: points beyond this fraction of the way from the
    /// outline's centre. The inner part (eyes, brows, nose, mouth) is kept as it is.
    static let innerFraction: Float = 0.8
    /// How far (in robust standard deviations of the inner face) a colour may stray and still count as skin:
    /// wide in luma, which shading moves, narrower in chroma, which it barely does.
    static let lumaTolerance: Float = 4
    static let chromaTolerance: Float = 3.5

    /// BT.601 luma and the two chroma differences (without their offset of 128): shading moves luma, and
    /// barely the chroma of skin.
    static func luminanceChroma(_ rgb: SIMD3<Float>) -> SIMD3<Float> {
        let (kr, kb) = (YUVMatrix.bt601.kr, YUVMatrix.bt601.kb)
        let luma = kr * rgb.x + (1 - kr - kb) * rgb.y + kb * rgb.z
        return SIMD3(luma, (rgb.z - luma) / (2 * (1 - kb)), (rgb.x - luma) / (2 * (1 - kr)))
    }

    /// The inner part of `outline`, whose pixels are taken as they are: the outline shrunk to `innerFraction`
    /// of the way from its centre.
    static func innerOutline(_ outline: [SIMD2<Float>]) -> [SIMD2<Float>] {
        let centre = outline.reduce(.zero, +) / Float(outline.count)
        return outline.map { centre + ($0 - centre) * innerFraction }
    }

    /// `image` with the non-skin pixels near and outside `outline` (a closed polygon in its pixels) refilled.
    static func fill(_ image: RGBImage, outline: [SIMD2<Float>]) -> RGBImage {
        let (width, height) = (image.width, image.height)
        let inside = PolygonMask(outline, width: width, height: height)
        let core = PolygonMask(innerOutline(outline), width: width, height: height)
        // Only the inner part's and the band's pixels are looked at, each once.
        func colour(_ pixel: Int) -> SIMD3<Float> {
            luminanceChroma(SIMD3(Float(image.pixels[pixel * 3]), Float(image.pixels[pixel * 3 + 1]), Float(image.pixels[pixel * 3 + 2])))
        }
        let isCore = (0..<(width * height)).map { core.contains($0 % width, $0 / width) }
        let coreColours = isCore.indices.filter { isCore[$0] }.map(colour)
        guard coreColours.count > 16 else { return image }
        let typical = (0..<3).map { channel in RobustSpread(coreColours.map { $0[channel] }) }
        let tolerances = [lumaTolerance, chromaTolerance, chromaTolerance]
        let isSkin = isCore.indices.map { pixel in
            guard !isCore[pixel] else { return true }
            guard inside.contains(pixel % width, pixel / width) else { return false }
            let value = colour(pixel)
            return (0..<3).allSatisfy { abs(value[$0] - typical[$0].median) <= tolerances[$0] * typical[$0].deviation }
        }
        return RGBImage(width: width, height: height, pixels: grow(image.pixels, from: isSkin, width: width, height: height))
    }

    /// Fills the pixels not in `known` ring by ring: each gets the mean of its already known 8-neighbours.
    static func grow(_ pixels: [UInt8], from known: [Bool], width: Int, height: Int) -> [UInt8] {
        var pixels = pixels
        var known = known
        guard known.contains(true) else { return pixels }
        var queued = known
        var frontier: [Int] = []
        for pixel in known.indices where !known[pixel] {
            forEachNeighbour(of: pixel, width: width, height: height) { if known[$0] { queued[pixel] = true } }
            if queued[pixel] { frontier.append(pixel) }
        }
        while !frontier.isEmpty {
            let colours = frontier.map { pixel in
                var sum = SIMD3<Float>.zero
                var count: Float = 0
                forEachNeighbour(of: pixel, width: width, height: height) { neighbour in
                    guard known[neighbour] else { return }
                    sum += SIMD3(Float(pixels[neighbour * 3]), Float(pixels[neighbour * 3 + 1]), Float(pixels[neighbour * 3 + 2]))
                    count += 1
                }
                return sum / count
            }
            for (pixel, colour) in zip(frontier, colours) {
                known[pixel] = true
                for channel in 0..<3 { pixels[pixel * 3 + channel] = UInt8(clamping: Int(colour[channel].rounded())) }
            }
            var next: [Int] = []
            for pixel in frontier {
                forEachNeighbour(of: pixel, width: width, height: height) { neighbour in
                    guard !queued[neighbour] else { return }
                    queued[neighbour] = true
                    next.append(neighbour)
                }
            }
            frontier = next
        }
        return pixels
    }

    /// Calls `body` with each of the (up to 8) pixels around `pixel`; no array per pixel, as this runs on every
    /// pixel of a large portrait's crop.
    private static func forEachNeighbour(of pixel: Int, width: Int, height: Int, _ body: (Int) -> Void) {
        let (x, y) = (pixel % width, pixel / width)
        for ny in max(0, y - 1)...min(height - 1, y + 1) {
            for nx in max(0, x - 1)...min(width - 1, x + 1) where nx != x || ny != y { body(ny * width + nx) }
        }
    }
}

/// The median of some values and their spread as a robust standard deviation (1.4826 × the median absolute
/// deviation), so the eyes, brows and lips in a face's inner part do not widen what counts as its skin.
struct RobustSpread {
    var median: Float
    var deviation: Float

    init(_ values: [Float]) {
        let middle = values.sorted()[values.count / 2]
        median = middle
        let deviations = values.map { abs($0 - middle) }.sorted()
        // At least one level, so a flat synthetic face does not refuse its own shading.
        deviation = max(1, 1.4826 * deviations[deviations.count / 2])
    }
}

/// Which pixels of a width × height grid lie inside a polygon (even–odd rule; pixel centres at whole
/// coordinates, as `RGBImage.sample` has them), rasterised once by rows.
struct PolygonMask {
    private let width: Int
    private let rows: [[Float]]

    init(_ polygon: [SIMD2<Float>], width: Int, height: Int) {
        self.width = width
        rows = (0..<height).map { y in
            let centre = Float(y)
            var crossings: [Float] = []
            for (index, a) in polygon.enumerated() {
                let b = polygon[(index + 1) % polygon.count]
                guard (a.y <= centre) != (b.y <= centre) else { continue }
                crossings.append(a.x + (centre - a.y) / (b.y - a.y) * (b.x - a.x))
            }
            return crossings.sorted()
        }
    }

    func contains(_ x: Int, _ y: Int) -> Bool {
        guard y >= 0, y < rows.count, x >= 0, x < width else { return false }
        let centre = Float(x)
        return rows[y].lazy.filter { $0 <= centre }.count % 2 == 1
    }
}
