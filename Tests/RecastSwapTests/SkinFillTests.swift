import Foundation
import RecastGPU
import RecastMedia
import RecastNN
import Testing
@testable import RecastSwap

@Suite("Filling what is not skin at the edge of the identity's face")
struct SkinFillTests {
    static let (width, height) = (121, 141)
    static let centre = SIMD2<Float>(60, 70)
    /// An ellipse of 36 points, as the mesh's outline has.
    static let outline = (0..<36).map { index -> SIMD2<Float> in
        let angle = Float(index) / 36 * 2 * .pi
        return centre + SIMD2(40 * sin(angle), -55 * cos(angle))
    }

    /// Skin lit from the right (a third darker on the left), with a little noise.
    static func skin(_ x: Int, _ y: Int) -> SIMD3<Float> {
        SIMD3(205, 150, 120) * (0.75 + 0.5 * Float(x) / Float(width)) + Float((x * 7 + y * 13) % 7 - 3)
    }

    static func isEye(_ x: Int, _ y: Int) -> Bool {
        [SIMD2<Float>(45, 55), SIMD2(75, 55)].contains { centre in
            let offset = SIMD2(Float(x), Float(y)) - centre
            return (offset * offset).sum() < 25
        }
    }

    static func isCollar(_ x: Int, _ y: Int) -> Bool { y > 115 && abs(x - 60) < 25 }

    /// A face with dark eyes, a white collar inside its outline under the chin, and a blue background.
    static func portrait() -> RGBImage {
        let outlineMask = PolygonMask(outline, width: width, height: height)
        var pixels: [UInt8] = []
        for y in 0..<height {
            for x in 0..<width {
                let colour: SIMD3<Float> = !outlineMask.contains(x, y) ? SIMD3(40, 60, 160)
                    : isCollar(x, y) ? SIMD3(235, 235, 235) : isEye(x, y) ? SIMD3(40, 30, 30) : skin(x, y)
                pixels += [colour.x, colour.y, colour.z].map { UInt8(clamping: Int($0.rounded())) }
            }
        }
        return RGBImage(width: width, height: height, pixels: pixels)
    }

    static func colour(_ image: RGBImage, _ x: Int, _ y: Int) -> SIMD3<Float> {
        let offset = (y * image.width + x) * 3
        return SIMD3(Float(image.pixels[offset]), Float(image.pixels[offset + 1]), Float(image.pixels[offset + 2]))
    }

    @Test("the collar and the background become the skin beside them; the face's inside and its shaded skin stay")
    func synthetic() {
        let image = Self.portrait()
        let filled = SkinFill.fill(image, outline: Self.outline)
        let outlineMask = PolygonMask(Self.outline, width: Self.width, height: Self.height)
        let core = PolygonMask(SkinFill.innerOutline(Self.outline), width: Self.width, height: Self.height)
        var collar = 0
        for y in 0..<Self.height {
            for x in 0..<Self.width {
                let (before, after) = (Self.colour(image, x, y), Self.colour(filled, x, y))
                if core.contains(x, y) {
                    #expect(after == before, "inside the face at \(x), \(y)")
                } else if outlineMask.contains(x, y) && !Self.isCollar(x, y) {
                    #expect(after == before, "shaded skin near the outline at \(x), \(y) was taken for something else")
                } else if outlineMask.contains(x, y) {
                    collar += 1
                    let difference = after - Self.skin(x, y)
                    let error = max(abs(difference.x), abs(difference.y), abs(difference.z))
                    #expect(error < 20, "collar at \(x), \(y) filled with \(after), skin there \(Self.skin(x, y))")
                } else {
                    let chroma = SkinFill.luminanceChroma(after)
                    #expect(chroma.z > 15 && chroma.y < -10, "background at \(x), \(y) filled with \(after), not skin")
                }
            }
        }
        #expect(collar > 100, "the portrait has a collar inside its outline")
    }

    @Test("Obama's portrait: the white collar inside the mesh's outline is gone from the identity's texture")
    func portraitCollar() throws {
        let engine = try TensorEngine(gpu: GPUContext(options: GPUContextOptions()))
        let analyzer = try FaceAnalyzer(engine: engine, models: IdentityTests.root.appendingPathComponent("Models"))
        let image = try RGBImage.load(path: WarpSwapTests.fixture("obama_456x568.jpg"))
        let face = try #require(try analyzer.analyze(image).first)
        let outline = MeshLandmarks.faceOval.map { SIMD2(face.mesh[$0].x, face.mesh[$0].y) }
        // White and grey pixels near the outline (the teeth, further in, do not count).
        func collarPixels(_ image: RGBImage, outline: [SIMD2<Float>]) -> Int {
            let mask = PolygonMask(outline, width: image.width, height: image.height)
            let core = PolygonMask(SkinFill.innerOutline(outline), width: image.width, height: image.height)
            return (0..<(image.width * image.height)).filter { pixel in
                let (x, y) = (pixel % image.width, pixel / image.width)
                let ycc = SkinFill.luminanceChroma(Self.colour(image, x, y))
                return mask.contains(x, y) && !core.contains(x, y) && ycc.x > 190 && abs(ycc.y) < 12 && abs(ycc.z) < 12
            }.count
        }
        let before = collarPixels(image, outline: outline)
        #expect(before > 50, "the fixture shows collar inside the outline: \(before) pixels")
        let identity = try IdentityFace.prepare(image: image, named: "obama", analyzer: analyzer)
        let after = collarPixels(identity.texture, outline: MeshLandmarks.faceOval.map { identity.points[$0] })
        #expect(after == 0, "\(after) collar pixels left of \(before)")
        #expect(collarPixels(identity.photo, outline: MeshLandmarks.faceOval.map { identity.points[$0] }) > 50, "the photo is kept as it was")
    }
}
