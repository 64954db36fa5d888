import CFFmpeg
import Synchronization

/// An AVFrame owned by Swift: freed when the owner goes away.
final class OwnedFrame {
    let pointer: UnsafeMutablePointer<AVFrame>

    init() {
        guard let frame = av_frame_alloc() else { fatalError("out of memory allocating an AVFrame") }
        pointer = frame
    }

    deinit {
        var frame: UnsafeMutablePointer<AVFrame>? = pointer
        av_frame_free(&frame)
    }
}

/// An AVPacket owned by Swift.
final class OwnedPacket {
    let pointer: UnsafeMutablePointer<AVPacket>

    init() {
        guard let packet = av_packet_alloc() else { fatalError("out of memory allocating an AVPacket") }
        pointer = packet
    }

    deinit {
        var packet: UnsafeMutablePointer<AVPacket>? = pointer
        av_packet_free(&packet)
    }
}

/// An open codec context (decoder or encoder).
final class CodecContext {
    let pointer: UnsafeMutablePointer<AVCodecContext>

    init(codec: UnsafePointer<AVCodec>) throws(MediaError) {
        guard let context = avcodec_alloc_context3(codec) else {
            throw .unsupported("cannot allocate a codec context for \(String(cString: codec.pointee.name))")
        }
        pointer = context
    }

    deinit {
        var context: UnsafeMutablePointer<AVCodecContext>? = pointer
        avcodec_free_context(&context)
    }
}

/// Lets a blocking libavformat call (connect, read, write) be abandoned from
/// another thread: FFmpeg polls the callback and gives up when it returns 1.
final class InterruptFlag: Sendable {
    private let raised = Atomic<Bool>(false)

    func raise() { raised.store(true, ordering: .releasing) }
    func reset() { raised.store(false, ordering: .releasing) }
    var isRaised: Bool { raised.load(ordering: .acquiring) }

    /// The callback holds an unretained pointer: the flag must outlive the
    /// format context it is installed in (its owner keeps both).
    var callback: AVIOInterruptCB {
        AVIOInterruptCB(callback: { opaque in
            Unmanaged<InterruptFlag>.fromOpaque(opaque!).takeUnretainedValue().isRaised ? 1 : 0
        }, opaque: Unmanaged.passUnretained(self).toOpaque())
    }
}

extension AVRational {
    var doubleValue: Double { den == 0 ? 0 : Double(num) / Double(den) }
}

let microsecondTimeBase = AVRational(num: 1, den: 1_000_000)
