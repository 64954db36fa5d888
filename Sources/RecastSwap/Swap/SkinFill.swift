import RecastMedia
import RecastNN

/// Replaces what is not skin at the edge of the identity's face, and on its forehead, with the skin beside it,
/// once per identity. The mesh's outline runs a little outside the face: in the bundled Obama portrait the strip
/// between his jaw and the outline holds his white collar and dark suit, and the warp drew them as grey patches
/// along the live jaw; the astronaut's fringe covers the top of her forehead inside the outline, and was drawn as
/// a brown band across the live forehead. Pixels near the outline or above the brows whose colour is far from the
/// face's own (luma and chroma against the median and spread of the face's inner part below the forehead), hair
/// near the outline above the eyes (the temples), and every pixel outside the outline, are filled from their
/// nearest skin neighbours outwards; hair above the brows with the forehead skin's colour (`refillForehead`). So no
/// sample of the warp reads collar, hair or background there.
enum SkinFill {
    /// The outer part of the outline checked for non-skin: points beyond this fraction of the way from the
    /// outline's centre. The inner part (eyes, brows, nose, mouth) is kept as it is.
    static let innerFraction: Float = 0.8
    /// How far (in robust standard deviations of the inner face) a colour may stray and still count as skin:
    /// wide in luma, which shading moves, narrower in chroma, which it barely does.
    static let lumaTolerance: Float = 4
    static let chromaTolerance: Float = 3.5
    /// How far (in robust standard deviations of the inner face's luma about its line across the face) below that
    /// line a pixel above the brows, or near the outline above the eyes, may be and still count as skin (`hairTest`).
    static let foreheadDarkening: Float = 1.3
    /// How far the forehead's skin fades into its refilled part: the Gaussian σ, as a share of the face's width,
    /// of the blur that smooths the fill's edge. A fringe's edge is ragged and the skin under it shadowed; faded
    /// over 3 pixels, the rag and the shadow stayed as a jagged dark line across the live forehead, which the warp
    /// draws 2–3 times larger than the portrait's face.
    static let foreheadFeather: Float = 0.03

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

    /// `image` with the non-skin pixels near and outside the outline of `mesh` (a face mesh in its pixels), and
    /// above its brows, refilled.
    static func fill(_ image: RGBImage, mesh: [SIMD3<Float>]) -> RGBImage {
        fill(image, outline: MeshLandmarks.faceOval.map { SIMD2(mesh[$0].x, mesh[$0].y) }, forehead: ForeheadLine(mesh: mesh))
    }

    /// `image` with the non-skin pixels near and outside `outline` (a closed polygon in its pixels), and above
    /// `forehead` when given, refilled.
    static func fill(_ image: RGBImage, outline: [SIMD2<Float>], forehead: ForeheadLine? = nil) -> RGBImage {
        let (width, height) = (image.width, image.height)
        let inside = PolygonMask(outline, width: width, height: height)
        let core = PolygonMask(innerOutline(outline), width: width, height: height)
        // Only the inner part's and the band's pixels are looked at, each once.
        func colour(_ pixel: Int) -> SIMD3<Float> {
            luminanceChroma(SIMD3(Float(image.pixels[pixel * 3]), Float(image.pixels[pixel * 3 + 1]), Float(image.pixels[pixel * 3 + 2])))
        }
        let isForehead = (0..<(width * height)).map { forehead?.isAbove(centre(of: $0, width: width)) ?? false }
        // The inner part below the forehead is taken as it is (eyes, brows, nose, mouth, a beard).
        let isKept = isForehead.indices.map { !isForehead[$0] && core.contains($0 % width, $0 / width) }
        let keptPixels = isKept.indices.filter { isKept[$0] }
        let keptColours = keptPixels.map(colour)
        guard keptColours.count > 16 else { return image }
        let typical = (0..<3).map { channel in RobustSpread(keptColours.map { $0[channel] }) }
        let tolerances = [lumaTolerance, chromaTolerance, chromaTolerance]
        let isHair = forehead.flatMap { hairTest($0, kept: keptPixels, colours: keptColours, width: width) }
        let looksLikeSkin = isKept.indices.map { pixel in
            guard !isKept[pixel] else { return true }
            guard inside.contains(pixel % width, pixel / width) else { return false }
            let value = colour(pixel)
            // Above the eyes: the forehead (above the brows) and the band at the temples, whose hair has skin's
            // chroma and luma within its wide tolerance (the astronaut's was drawn as a dark wedge at the live
            // brows' outer ends).
            if let forehead, let isHair, forehead.height(of: centre(of: pixel, width: width)) > 0, isHair(pixel, value) { return false }
            return (0..<3).allSatisfy { abs(value[$0] - typical[$0].median) <= tolerances[$0] * typical[$0].deviation }
        }
        // Skin-coloured pixels count only when they join the face through skin: a highlight in the hair does not.
        var isSkin = connected(looksLikeSkin, to: isKept, width: width, height: height)
        var pixels = image.pixels
        if let forehead {
            refillForehead(
                &pixels, isSkin: &isSkin, isForehead: isForehead, inside: inside, line: forehead, fade: foreheadFade(outline: outline),
                width: width, height: height)
        }
        return RGBImage(width: width, height: height, pixels: grow(pixels, from: isSkin, width: width, height: height))
    }

    /// The blur whose reach the forehead's fill fades over (`foreheadFeather` of the width of `outline`).
    static func foreheadFade(outline: [SIMD2<Float>]) -> GaussianBlur {
        let xs = outline.map(\.x)
        return GaussianBlur(sigma: max(1, foreheadFeather * ((xs.max() ?? 0) - (xs.min() ?? 0))))
    }

    /// Whether a forehead or temple pixel (index, luma and chroma) is hair: darker than the face's skin by more than
    /// `foreheadDarkening` robust deviations and by a tenth (a face of even skin has a small spread), against the
    /// skin's luma as it runs across the face below the forehead (a least-squares line through the `kept` pixels'
    /// luma and chroma `colours`, so a face lit from one side does not have its shaded side taken for hair). Hair
    /// over a forehead or a temple is darker than the skin beside it, and shading alone hardly makes them darker
    /// than the face by that much; a temple taken for hair all the same is only refilled from the skin beside it.
    static func hairTest(
        _ line: ForeheadLine, kept: [Int], colours: [SIMD3<Float>], width: Int
    ) -> ((Int, SIMD3<Float>) -> Bool)? {
        let position = { (pixel: Int) in line.position(of: centre(of: pixel, width: width)) }
        let positions = kept.map(position)
        guard let light = LinearFit(positions, colours) else { return nil }
        let spread = RobustSpread(zip(positions, colours).map { $1.x - light.value(at: $0).x })
        return { pixel, value in
            let skin = light.value(at: position(pixel)).x
            return value.x - skin < min(spread.median - foreheadDarkening * spread.deviation, -0.1 * skin)
        }
    }

    /// Refills the forehead's non-skin pixels inside the outline with its skin's colour as it runs across the face
    /// (a least-squares line through the skin's colours, not the nearest pixels), so the fill keeps the forehead's
    /// light from side to side and no hair at the temples runs into it. The skin beside the fill fades into it:
    /// each forehead pixel takes the fill's colour by twice the refilled pixels' share of its neighbourhood
    /// (`fade`, a blur of which pixels are refilled), so the fade follows the fill's edge smoothed, not its rag,
    /// and the mix of skin and hair at the edge, and the shadow under a fringe, are covered. Marks them skin.
    static func refillForehead(
        _ pixels: inout [UInt8], isSkin: inout [Bool], isForehead: [Bool], inside: PolygonMask, line: ForeheadLine, fade: GaussianBlur,
        width: Int, height: Int
    ) {
        let original = pixels
        let colour = { (pixel: Int) in SIMD3(Float(original[pixel * 3]), Float(original[pixel * 3 + 1]), Float(original[pixel * 3 + 2])) }
        let position = { (pixel: Int) in line.position(of: centre(of: pixel, width: width)) }
        let refilled = isSkin.indices.map { isForehead[$0] && !isSkin[$0] && inside.contains($0 % width, $0 / width) }
        guard refilled.contains(true) else { return }
        let share = fade.apply(channel: refilled.map { $0 ? 1 : 0 }, width: width, height: height)
        let fill = refilled.indices.map { refilled[$0] ? 1 : min(1, 2 * share[$0]) }
        // Fitted to the skin the fill takes less than half of: at the edge pixels are a mix of skin and hair, and
        // beyond the whole fade too little of a forehead as narrow as the astronaut's is left.
        let skin = isSkin.indices.filter { isSkin[$0] && isForehead[$0] && fill[$0] < 0.5 }
        guard let fit = LinearFit(skin.map(position), skin.map(colour)) else { return }
        for pixel in isSkin.indices where isForehead[pixel] && fill[pixel] > 0 && inside.contains(pixel % width, pixel / width) {
            let blended = (1 - fill[pixel]) * colour(pixel) + fill[pixel] * fit.value(at: position(pixel))
            for channel in 0..<3 { pixels[pixel * 3 + channel] = UInt8(clamping: Int(blended[channel].rounded())) }
            isSkin[pixel] = true
        }
    }

    /// The centre of pixel number `pixel` of a picture `width` pixels wide.
    static func centre(of pixel: Int, width: Int) -> SIMD2<Float> {
        SIMD2(Float(pixel % width) + 0.5, Float(pixel / width) + 0.5)
    }

    /// The pixels of `candidates` reachable from `seeds` through candidates, by steps to the 4 nearest pixels.
    static func connected(_ candidates: [Bool], to seeds: [Bool], width: Int, height: Int) -> [Bool] {
        var reached = seeds
        var stack = seeds.indices.filter { seeds[$0] }
        while let pixel = stack.popLast() {
            let (x, y) = (pixel % width, pixel / width)
            for (nx, ny) in [(x - 1, y), (x + 1, y), (x, y - 1), (x, y + 1)] where nx >= 0 && nx < width && ny >= 0 && ny < height {
                let neighbour = ny * width + nx
                guard candidates[neighbour], !reached[neighbour] else { continue }
                reached[neighbour] = true
                stack.append(neighbour)
            }
        }
        return reached
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

/// Where a face's forehead begins: a line through the tops of both brows, raised by `margin` of the brows' height
/// above the eyes so the brows stay below it, in the face's own upright frame (a tilted portrait is read alike).
struct ForeheadLine {
    /// The tops of the brows, across the face: the person's right brow (on the left of the picture), then the left.
    static let browTops = [70, 63, 105, 66, 107, 336, 296, 334, 293, 300]
    /// How far the line runs above the brows' tops, as a share of their mean height above the eyes: the mesh's
    /// brow points sit on the brows' upper edge, and the line keeps that edge below it, taken as it is.
    static let margin: Float = 0.1

    private let origin: SIMD2<Float>
    private let alongEyes: SIMD2<Float>
    private let up: SIMD2<Float>
    /// The line's points as (position across the face, height above the eyes), left to right.
    private let knots: [SIMD2<Float>]

    init(browTops: [SIMD2<Float>], eyes: (right: SIMD2<Float>, left: SIMD2<Float>), margin: Float = margin) {
        origin = (eyes.right + eyes.left) / 2
        let axis = eyes.left - eyes.right
        alongEyes = axis / max(1e-6, (axis * axis).sum().squareRoot())
        // Perpendicular to the eye line, towards the brows (up in an upright picture, whose y grows downwards).
        up = SIMD2(alongEyes.y, -alongEyes.x)
        let (origin, alongEyes, up) = (origin, alongEyes, up)
        let local = browTops.map { point in SIMD2(((point - origin) * alongEyes).sum(), ((point - origin) * up).sum()) }
        let raise = margin * local.map(\.y).reduce(0, +) / Float(local.count)
        knots = local.map { SIMD2($0.x, $0.y + raise) }.sorted { $0.x < $1.x }
    }

    init(mesh: [SIMD3<Float>]) {
        self.init(browTops: Self.browTops.map { SIMD2(mesh[$0].x, mesh[$0].y) }, eyes: MeshLandmarks.eyeCenters(mesh))
    }

    /// How far `point` lies along the eye line, from between the eyes towards the left eye.
    func position(of point: SIMD2<Float>) -> Float { ((point - origin) * alongEyes).sum() }

    /// How far `point` lies above the line between the eyes' centres.
    func height(of point: SIMD2<Float>) -> Float { ((point - origin) * up).sum() }

    /// Whether `point` lies above the line; beyond the brows' ends the line runs on at its end's height.
    func isAbove(_ point: SIMD2<Float>) -> Bool {
        let position = position(of: point), height = height(of: point)
        guard let next = knots.firstIndex(where: { $0.x > position }) else { return height > knots[knots.count - 1].y }
        guard next > 0 else { return height > knots[0].y }
        let (a, b) = (knots[next - 1], knots[next])
        return height > a.y + (position - a.x) / (b.x - a.x) * (b.y - a.y)
    }
}

/// A least-squares straight line through colours at positions: `value(at:)` = intercept + slope · position, clamped
/// to the range of the colours it was fitted to.
struct LinearFit {
    private let intercept: SIMD3<Float>
    private let slope: SIMD3<Float>
    private let lowest: SIMD3<Float>
    private let highest: SIMD3<Float>

    /// Nil for fewer than `minimumCount` points.
    init?(_ positions: [Float], _ colours: [SIMD3<Float>], minimumCount: Int = 16) {
        guard positions.count >= minimumCount, positions.count == colours.count else { return nil }
        let count = Float(positions.count)
        let meanPosition = positions.reduce(0, +) / count
        let meanColour = colours.reduce(.zero, +) / count
        var covariance = SIMD3<Float>.zero, variance: Float = 0
        for (position, colour) in zip(positions, colours) {
            covariance += (position - meanPosition) * (colour - meanColour)
            variance += (position - meanPosition) * (position - meanPosition)
        }
        slope = variance > 0 ? covariance / variance : .zero
        intercept = meanColour - slope * meanPosition
        lowest = colours.reduce(SIMD3(repeating: .infinity)) { pointwiseMin($0, $1) }
        highest = colours.reduce(SIMD3(repeating: -.infinity)) { pointwiseMax($0, $1) }
    }

    func value(at position: Float) -> SIMD3<Float> {
        (intercept + slope * position).clamped(lowerBound: lowest, upperBound: highest)
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
