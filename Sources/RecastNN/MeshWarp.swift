import RecastGPU

/// How `encodeMeshWarp` samples and masks.
public struct MeshWarpOptions: Sendable, Equatable {
    /// What the bilinear sample reads outside the source texture.
    public var border: WarpBorder
    /// 0: the mask is 1 on covered pixels. Above 0: it rises linearly from 0 at the mesh's
    /// boundary edges to 1 at this distance in output pixels (for compositing).
    public var featherWidth: Float

    public init(border: WarpBorder = .clamp, featherWidth: Float = 0) {
        self.border = border
        self.featherWidth = featherWidth
    }
}

/// A mesh and its two sets of vertex positions in GPU buffers, for `encodeMeshWarp`: source points
/// (x, y in texture pixels) and destination points (x, y in output pixels, z depth, smaller is
/// nearer the camera). The points can be rewritten between replays of a recorded warp
/// (`updateMeshWarpPoints`), e.g. per frame.
///
/// The GPU reads them gathered per triangle and per boundary edge, as fp32 16-byte texels
/// whatever the storage precision: a triangle's destination corners and depths in 3 texels
/// (ax ay bx by | cx cy az bz | cz 0 0 0), its source corners in 2 (ax ay bx by | cx cy 0 0), a
/// boundary edge's destination ends in 1; and each triangle's destination bounding box in 1
/// (empty for a triangle that covers nothing: zero area or a non-finite corner), which is all the
/// rasteriser's binning reads. Testing a pixel then takes 2 texel fetches (and the third for a
/// triangle that covers it) instead of 12 scattered loads.
/// `@unchecked Sendable`: immutable references; buffer contents are synchronized by submission.
public final class MeshWarpGeometry: @unchecked Sendable {
    public let mesh: TriangleMesh
    let sourceCorners: GPUBuffer
    let destinationCorners: GPUBuffer
    let destinationBoxes: GPUBuffer
    let boundaryEdgeEnds: GPUBuffer

    init(mesh: TriangleMesh, sourceCorners: GPUBuffer, destinationCorners: GPUBuffer, destinationBoxes: GPUBuffer, boundaryEdgeEnds: GPUBuffer) {
        self.mesh = mesh
        self.sourceCorners = sourceCorners
        self.destinationCorners = destinationCorners
        self.destinationBoxes = destinationBoxes
        self.boundaryEdgeEnds = boundaryEdgeEnds
    }

    /// The destination bounding box (min x, min y, max x, max y) of the triangle with these corners,
    /// or an empty box when it covers nothing: a non-finite corner, or zero area (the edge function
    /// computed as the shader and the CPU reference compute it, without fused multiply-add).
    static func destinationBox(_ a: SIMD3<Float>, _ b: SIMD3<Float>, _ c: SIMD3<Float>) -> SIMD4<Float> {
        let finite = a.x.isFinite && a.y.isFinite && a.z.isFinite && b.x.isFinite && b.y.isFinite && b.z.isFinite
            && c.x.isFinite && c.y.isFinite && c.z.isFinite
        let area = (b.x - a.x) * (c.y - a.y) - (b.y - a.y) * (c.x - a.x)
        guard finite, area != 0 else { return SIMD4(.infinity, .infinity, -.infinity, -.infinity) }
        return SIMD4(min(a.x, b.x, c.x), min(a.y, b.y, c.y), max(a.x, b.x, c.x), max(a.y, b.y, c.y))
    }
}

extension TensorEngine {
    /// Uploads `mesh` with its source and destination points.
    public func makeMeshWarpGeometry(
        mesh: TriangleMesh, sourcePoints: [SIMD2<Float>], destinationPoints: [SIMD3<Float>]
    ) throws -> MeshWarpGeometry {
        let triangles = max(mesh.triangles.count, 1), edges = max(mesh.boundaryEdges.count, 1)
        let texel = 4 * MemoryLayout<Float>.size
        let geometry = MeshWarpGeometry(
            mesh: mesh,
            sourceCorners: try gpu.makeBuffer(byteCount: triangles * 2 * texel),
            destinationCorners: try gpu.makeBuffer(byteCount: triangles * 3 * texel),
            destinationBoxes: try gpu.makeBuffer(byteCount: triangles * texel),
            boundaryEdgeEnds: try gpu.makeBuffer(byteCount: edges * texel))
        try updateMeshWarpPoints(geometry, source: sourcePoints, destination: destinationPoints)
        return geometry
    }

    /// Rewrites the source and/or destination points (one per mesh vertex) of `geometry`.
    public func updateMeshWarpPoints(
        _ geometry: MeshWarpGeometry, source: [SIMD2<Float>]? = nil, destination: [SIMD3<Float>]? = nil
    ) throws {
        let mesh = geometry.mesh
        let vertices = mesh.vertexCount
        guard source.map({ $0.count == vertices }) ?? true, destination.map({ $0.count == vertices }) ?? true else {
            throw NNError.shapeMismatch(
                op: "meshWarp", detail: "\(source?.count ?? vertices) source and \(destination?.count ?? vertices) destination points for \(vertices) vertices")
        }
        // Built texel by texel: this runs every frame.
        if let source {
            var corners = [SIMD4<Float>]()
            corners.reserveCapacity(mesh.triangles.count * 2)
            for t in mesh.triangles {
                let (a, b, c) = (source[Int(t.x)], source[Int(t.y)], source[Int(t.z)])
                corners.append(SIMD4(a.x, a.y, b.x, b.y))
                corners.append(SIMD4(c.x, c.y, 0, 0))
            }
            if !corners.isEmpty { try gpu.upload(corners, to: geometry.sourceCorners) }
        }
        if let destination {
            var corners = [SIMD4<Float>](), boxes = [SIMD4<Float>]()
            corners.reserveCapacity(mesh.triangles.count * 3)
            boxes.reserveCapacity(mesh.triangles.count)
            for t in mesh.triangles {
                let (a, b, c) = (destination[Int(t.x)], destination[Int(t.y)], destination[Int(t.z)])
                corners.append(SIMD4(a.x, a.y, b.x, b.y))
                corners.append(SIMD4(c.x, c.y, a.z, b.z))
                corners.append(SIMD4(c.z, 0, 0, 0))
                boxes.append(MeshWarpGeometry.destinationBox(a, b, c))
            }
            if !corners.isEmpty {
                try gpu.upload(corners, to: geometry.destinationCorners)
                try gpu.upload(boxes, to: geometry.destinationBoxes)
            }
            let ends = mesh.boundaryEdges.map { edge in
                SIMD4(destination[Int(edge.x)].x, destination[Int(edge.x)].y, destination[Int(edge.y)].x, destination[Int(edge.y)].y)
            }
            if !ends.isEmpty { try gpu.upload(ends, to: geometry.boundaryEdgeEnds) }
        }
    }

    /// Records a triangle-mesh warp of the NHWC `texture` [1, H, W, C] into `output` [1, H', W', C]
    /// and `mask` [1, H', W', 1]: each output pixel covered by a destination triangle gets the
    /// bilinear sample of the texture at the barycentrically mapped source point (the triangle
    /// nearest the camera where several cover it); uncovered pixels get 0 in both. See
    /// Shaders/mesh_warp.comp.
    public func encodeMeshWarp(
        _ texture: Tensor, geometry: MeshWarpGeometry, options: MeshWarpOptions = MeshWarpOptions(),
        output: Tensor, mask: Tensor, into recorder: CommandRecorder
    ) throws {
        guard texture.rank == 4, output.rank == 4, texture.shape[0] == 1, output.shape[0] == 1,
              texture.shape[3] == output.shape[3], texture.elementCount > 0, output.elementCount > 0,
              mask.shape == Array(output.shape.dropLast()) + [1]
        else {
            throw NNError.shapeMismatch(op: "meshWarp", detail: "texture \(texture.shape), output \(output.shape), mask \(mask.shape)")
        }
        guard options.featherWidth >= 0, options.featherWidth.isFinite else {
            throw NNError.unsupported(op: "meshWarp", detail: "feather width \(options.featherWidth)")
        }
        let feather = options.featherWidth > 0
        let kernel = try kernel(
            "mesh_warp", bindings: [.read, .texels, .texels, .texels, .texels, .write, .write], pushConstantBytes: 36,
            specialization: [0: options.border.code, 1: feather ? 1 : 0])
        let (height, width) = (output.shape[1], output.shape[2])
        let fill: Float = if case let .constant(value) = options.border { value } else { 0 }
        let sizes = [texture.shape[1], texture.shape[2], height, width, texture.shape[3],
                     geometry.mesh.triangles.count, geometry.mesh.boundaryEdges.count].map { UInt32($0) }
        try recorder.dispatch(
            kernel,
            buffers: [texture.buffer, geometry.sourceCorners, geometry.destinationCorners, geometry.destinationBoxes,
                      geometry.boundaryEdgeEnds, output.buffer, mask.buffer],
            pushConstants: sizes + [options.featherWidth.word, fill.word],
            groups: ((width + 15) / 16, (height + 15) / 16, 1), label: "meshWarp")
    }

    /// Runs `encodeMeshWarp` once into a new `height`×`width` image and mask.
    public func meshWarp(
        _ texture: Tensor, mesh: TriangleMesh, sourcePoints: [SIMD2<Float>], destinationPoints: [SIMD3<Float>],
        height: Int, width: Int, options: MeshWarpOptions = MeshWarpOptions()
    ) throws -> (image: Tensor, mask: Tensor) {
        guard texture.rank == 4 else {
            throw NNError.shapeMismatch(op: "meshWarp", detail: "texture \(texture.shape)")
        }
        let geometry = try makeMeshWarpGeometry(mesh: mesh, sourcePoints: sourcePoints, destinationPoints: destinationPoints)
        let image = try makeTensor(shape: [1, height, width, texture.shape[3]])
        let mask = try makeTensor(shape: [1, height, width, 1])
        try run { try encodeMeshWarp(texture, geometry: geometry, options: options, output: image, mask: mask, into: $0) }
        return (image, mask)
    }
}
