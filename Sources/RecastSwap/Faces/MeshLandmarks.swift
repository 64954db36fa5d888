/// Named points of MediaPipe's 468-point face mesh.
public enum MeshLandmarks {
    /// Eye corners: the person's right eye (on the left of the picture) and left eye.
    static let rightEyeCorners = (33, 133)
    static let leftEyeCorners = (362, 263)
    static let noseTip = 1
    /// A point on each opening of the mesh (the holes its triangles leave): the upper eyelids and the upper inner lip.
    static let eyeOpenings: Set<UInt32> = [159, 386]
    static let mouthOpening: Set<UInt32> = [13]
    /// The eye contours' points between the corners (MediaPipe's eye connections), each with its eye's corners.
    static let eyelids: [(point: Int, corners: (Int, Int))] =
        [7, 144, 145, 153, 154, 155, 157, 158, 159, 160, 161, 163, 173, 246].map { ($0, rightEyeCorners) }
        + [249, 373, 374, 380, 381, 382, 384, 385, 386, 387, 388, 390, 398, 466].map { ($0, leftEyeCorners) }
    /// The mesh's outline (MediaPipe's face oval), in order around the face from the top of the forehead.
    static let faceOval = [
        10, 338, 297, 332, 284, 251, 389, 356, 454, 323, 361, 288, 397, 365, 379, 378, 400, 377,
        152, 148, 176, 149, 150, 136, 172, 58, 132, 93, 234, 127, 162, 21, 54, 103, 67, 109,
    ]
    static let rightMouthCorner = 61
    static let leftMouthCorner = 291
    /// The lips' outer edge (MediaPipe's lips connections), from the right mouth corner over the upper lip and back.
    static let outerLips = [61, 185, 40, 39, 37, 0, 267, 269, 270, 409, 291, 375, 321, 405, 314, 17, 84, 181, 91, 146]

    static func eyeCenters(_ mesh: [SIMD3<Float>]) -> (right: SIMD2<Float>, left: SIMD2<Float>) {
        func center(_ corners: (Int, Int)) -> SIMD2<Float> {
            SIMD2(mesh[corners.0].x + mesh[corners.1].x, mesh[corners.0].y + mesh[corners.1].y) / 2
        }
        return (center(rightEyeCorners), center(leftEyeCorners))
    }

    /// The five points YuNet reports, read off the mesh: right eye, left eye, nose tip, right and left mouth corners.
    public static func keypoints(_ mesh: [SIMD3<Float>]) -> [SIMD2<Float>] {
        let eyes = eyeCenters(mesh)
        let point = { (index: Int) in SIMD2(mesh[index].x, mesh[index].y) }
        return [eyes.right, eyes.left, point(noseTip), point(rightMouthCorner), point(leftMouthCorner)]
    }
}
