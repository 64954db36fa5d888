/// Owned pixel memory shared by copies of a `VideoFrame`. Frames are written
/// once by their producer and only read afterwards, which is what makes
/// sharing them between pipeline threads safe.
public final class FrameStorage: @unchecked Sendable {
    /// Bytes allocated past the end: libswscale's SIMD stores may run past the last row.
    public static let padding = 64

    public let bytes: UnsafeMutableRawBufferPointer
    private let allocation: UnsafeMutableRawBufferPointer

    public init(byteCount: Int) {
        allocation = .allocate(byteCount: max(byteCount, 1) + Self.padding, alignment: 64)
        bytes = UnsafeMutableRawBufferPointer(rebasing: allocation[0..<max(byteCount, 1)])
    }

    deinit { allocation.deallocate() }
}

/// One plane inside a frame's storage.
public struct FramePlane: Sendable, Equatable {
    public var offset: Int
    public var stride: Int
    public var rows: Int
}

/// A decoded picture with its timing. Planes are tightly packed (stride ==
/// row bytes) so a frame can be written to a device with one write().
public struct VideoFrame: Sendable {
    public let width: Int
    public let height: Int
    public let format: PixelFormat
    public let planes: [FramePlane]
    public let storage: FrameStorage
    /// Presentation time on the pipeline's output timeline, microseconds.
    public var timestamp: Int64
    /// CLOCK_MONOTONIC nanoseconds when the frame entered Recast.
    public var capturedAt: UInt64

    public init(width: Int, height: Int, format: PixelFormat, timestamp: Int64 = 0, capturedAt: UInt64 = monotonicNanoseconds()) {
        self.width = width
        self.height = height
        self.format = format
        var offset = 0
        var planes: [FramePlane] = []
        for layout in format.planeLayout(width: width, height: height) {
            planes.append(FramePlane(offset: offset, stride: layout.rowBytes, rows: layout.rows))
            offset += layout.rowBytes * layout.rows
        }
        self.planes = planes
        self.storage = FrameStorage(byteCount: offset)
        self.timestamp = timestamp
        self.capturedAt = capturedAt
    }

    public var byteCount: Int { format.byteCount(width: width, height: height) }

    /// The whole frame as one contiguous buffer (planes back to back).
    public var contiguousBytes: UnsafeRawBufferPointer {
        UnsafeRawBufferPointer(rebasing: storage.bytes[0..<byteCount])
    }

    public func plane(_ index: Int) -> UnsafeMutableRawBufferPointer {
        let plane = planes[index]
        return UnsafeMutableRawBufferPointer(rebasing: storage.bytes[plane.offset..<(plane.offset + plane.stride * plane.rows)])
    }

    /// Copies rows from a strided source plane into plane `index`.
    public func copyPlane(_ index: Int, from source: UnsafeRawPointer, sourceStride: Int) {
        let plane = planes[index]
        let destination = self.plane(index).baseAddress!
        if sourceStride == plane.stride {
            destination.copyMemory(from: source, byteCount: plane.stride * plane.rows)
            return
        }
        for row in 0..<plane.rows {
            (destination + row * plane.stride).copyMemory(from: source + row * sourceStride, byteCount: plane.stride)
        }
    }
}
