import CFFmpeg
import CRecastShims
import Logging

/// H.264 encoding settings for network and file outputs.
public struct EncoderSettings: Sendable, Equatable {
    /// Target bitrate in bits per second.
    public var bitrate: Int
    /// x264 preset (ultrafast … veryslow).
    public var preset: String
    /// Seconds between keyframes.
    public var keyframeInterval: Double

    public init(bitrate: Int = 2_500_000, preset: String = "veryfast", keyframeInterval: Double = 2) {
        self.bitrate = bitrate
        self.preset = preset
        self.keyframeInterval = keyframeInterval
    }
}

/// An output libavformat writes: RTMP (FLV), .mp4, .mkv, .flv or .y4m.
/// Video is encoded with libx264 (zerolatency) — or wrapped raw for .y4m —
/// and audio packets are muxed as they come.
public final class StreamSink: MediaSink, @unchecked Sendable {
    // @unchecked: driven by one pipeline thread; `interrupt()` only raises an atomic flag.
    public let name: String
    public let reconnects: Bool
    private let url: String
    private let settings: EncoderSettings
    private let logger: Logger
    private let interruptFlag = InterruptFlag()

    private var output: UnsafeMutablePointer<AVFormatContext>?
    private var encoder: CodecContext?
    private var videoStream: UnsafeMutablePointer<AVStream>?
    private var audioStream: UnsafeMutablePointer<AVStream>?
    private var videoFormat = VideoStreamFormat(width: 0, height: 0, framesPerSecond: 0)
    private let converter = FrameConverter()
    private let packet = OwnedPacket()
    private var lastVideoPTS: Int64 = .min
    private var lastAudioPTS: Int64 = .min
    private var headerWritten = false

    public init(url: String, settings: EncoderSettings = EncoderSettings(), logger: Logger) {
        self.url = url
        self.name = url
        self.settings = settings
        self.logger = logger
        self.reconnects = StreamSource.isNetworkURL(url)
    }

    deinit { release() }

    /// The muxer for a URL: FLV for RTMP, otherwise chosen by file extension.
    public static func containerName(for url: String) -> String? {
        let lowered = url.lowercased()
        if lowered.hasPrefix("rtmp://") || lowered.hasPrefix("rtmps://") || lowered.hasSuffix(".flv") { return "flv" }
        if lowered.hasSuffix(".y4m") { return "yuv4mpegpipe" }
        if lowered.hasSuffix(".mp4") || lowered.hasSuffix(".mov") { return "mp4" }
        if lowered.hasSuffix(".mkv") { return "matroska" }
        return nil
    }

    public func open(video: VideoStreamFormat, audio: AudioStreamFormat?) throws {
        release()
        interruptFlag.reset()
        guard let container = StreamSink.containerName(for: url) else {
            throw MediaError.unsupported("\(url): unknown output kind; use rtmp://…, .mp4, .mkv, .flv or .y4m")
        }
        var context: UnsafeMutablePointer<AVFormatContext>?
        try check(avformat_alloc_output_context2(&context, nil, container, url), "preparing output \(url)")
        output = context
        // Keep interleaving latency bounded: a late stream must not hold the other back for seconds.
        context!.pointee.max_interleave_delta = 200_000
        context!.pointee.interrupt_callback = interruptFlag.callback
        videoFormat = video
        if container != "yuv4mpegpipe" {
            // H.264 4:2:0 needs even dimensions: an odd input loses its last row or column.
            videoFormat.width = max(2, video.width & ~1)
            videoFormat.height = max(2, video.height & ~1)
        }
        try addVideoStream(container: container, video: videoFormat)
        if let audio, container != "yuv4mpegpipe" {
            try addAudioStream(audio)
        }
        if context!.pointee.oformat.pointee.flags & AVFMT_NOFILE == 0 {
            var options: [String: String] = [:]
            if reconnects { options["rw_timeout"] = "5000000" }
            let status = withAVDictionary(options) { avio_open2(&context!.pointee.pb, url, AVIO_FLAG_WRITE, &context!.pointee.interrupt_callback, &$0) }
            if status < 0 {
                if interruptFlag.isRaised { throw MediaError.interrupted }
                throw MediaError.cannotOpenOutput(url, reason: ffmpegErrorString(status))
            }
        }
        let header = avformat_write_header(context, nil)
        if header < 0 {
            if interruptFlag.isRaised { throw MediaError.interrupted }
            throw MediaError.cannotOpenOutput(url, reason: ffmpegErrorString(header))
        }
        headerWritten = true
        lastVideoPTS = .min
        lastAudioPTS = .min
        logger.info("opened output", metadata: ["output": "\(url)", "video": "\(videoFormat)", "audio": "\(audioStream == nil ? "none" : "aac")"])
    }

    private func addVideoStream(container: String, video: VideoStreamFormat) throws {
        let raw = container == "yuv4mpegpipe"
        guard let codec = raw ? avcodec_find_encoder(AV_CODEC_ID_WRAPPED_AVFRAME) : avcodec_find_encoder_by_name("libx264") else {
            throw MediaError.unsupported("this FFmpeg has no \(raw ? "wrapped_avframe" : "libx264") encoder")
        }
        let encoder = try CodecContext(codec: codec)
        let context = encoder.pointer
        context.pointee.width = Int32(video.width)
        context.pointee.height = Int32(video.height)
        context.pointee.pix_fmt = AV_PIX_FMT_YUV420P
        let fps = AVRational(num: Int32((video.framesPerSecond * 1000).rounded()), den: 1000)
        context.pointee.framerate = fps
        // y4m writes a constant frame rate; the others carry exact millisecond stamps.
        context.pointee.time_base = raw ? av_inv_q(fps) : AVRational(num: 1, den: 1000)
        var options: [String: String] = [:]
        if !raw {
            context.pointee.bit_rate = Int64(settings.bitrate)
            context.pointee.rc_max_rate = Int64(settings.bitrate)
            context.pointee.rc_buffer_size = Int32(settings.bitrate)
            context.pointee.gop_size = Int32(max(1, (video.framesPerSecond * settings.keyframeInterval).rounded()))
            context.pointee.max_b_frames = 0
            options = ["preset": settings.preset, "tune": "zerolatency"]
        }
        if output!.pointee.oformat.pointee.flags & AVFMT_GLOBALHEADER != 0 {
            context.pointee.flags |= AV_CODEC_FLAG_GLOBAL_HEADER
        }
        let status = withAVDictionary(options) { avcodec_open2(context, codec, &$0) }
        try check(status, "opening the video encoder for \(url)")
        guard let stream = avformat_new_stream(output, nil) else { throw MediaError.unsupported("cannot add a video stream to \(url)") }
        try check(avcodec_parameters_from_context(stream.pointee.codecpar, context), "describing the video stream of \(url)")
        stream.pointee.time_base = context.pointee.time_base
        stream.pointee.avg_frame_rate = fps
        self.encoder = encoder
        videoStream = stream
    }

    private func addAudioStream(_ audio: AudioStreamFormat) throws {
        guard let stream = avformat_new_stream(output, nil) else { throw MediaError.unsupported("cannot add an audio stream to \(url)") }
        let parameters = stream.pointee.codecpar!
        parameters.pointee.codec_type = AVMEDIA_TYPE_AUDIO
        parameters.pointee.codec_id = AVCodecID(audio.codecID)
        parameters.pointee.sample_rate = Int32(audio.sampleRate)
        parameters.pointee.frame_size = Int32(audio.frameSize)
        av_channel_layout_default(&parameters.pointee.ch_layout, Int32(audio.channels))
        if !audio.extradata.isEmpty {
            let size = audio.extradata.count
            let extradata = av_mallocz(size + Int(AV_INPUT_BUFFER_PADDING_SIZE))!.assumingMemoryBound(to: UInt8.self)
            extradata.update(from: audio.extradata, count: size)
            parameters.pointee.extradata = extradata
            parameters.pointee.extradata_size = Int32(size)
        }
        stream.pointee.time_base = AVRational(num: 1, den: Int32(audio.sampleRate))
        audioStream = stream
    }

    public func write(_ frame: VideoFrame) throws {
        guard let encoder, let videoStream else { return }
        let picture = try converter.convert(frame, to: .i420, width: videoFormat.width, height: videoFormat.height)
        let avFrame = OwnedFrame()
        let pointer = avFrame.pointer
        pointer.pointee.width = Int32(picture.width)
        pointer.pointee.height = Int32(picture.height)
        pointer.pointee.format = AV_PIX_FMT_YUV420P.rawValue
        withUnsafeMutableBytes(of: &pointer.pointee.data) { raw in
            let data = raw.bindMemory(to: UnsafeMutablePointer<UInt8>?.self)
            for index in picture.planes.indices {
                data[index] = picture.plane(index).baseAddress!.assumingMemoryBound(to: UInt8.self)
            }
        }
        withUnsafeMutableBytes(of: &pointer.pointee.linesize) { raw in
            let strides = raw.bindMemory(to: Int32.self)
            for (index, plane) in picture.planes.enumerated() { strides[index] = Int32(plane.stride) }
        }
        var pts = av_rescale_q(frame.timestamp, microsecondTimeBase, encoder.pointer.pointee.time_base)
        if pts <= lastVideoPTS { pts = lastVideoPTS + 1 }
        lastVideoPTS = pts
        pointer.pointee.pts = pts
        _ = try withExtendedLifetime(picture) {
            try check(avcodec_send_frame(encoder.pointer, pointer), "encoding video for \(url)")
        }
        try writeEncodedPackets(encoder: encoder, stream: videoStream)
    }

    private func writeEncodedPackets(encoder: CodecContext, stream: UnsafeMutablePointer<AVStream>) throws {
        while true {
            let status = avcodec_receive_packet(encoder.pointer, packet.pointer)
            if status == RECAST_AVERROR_EAGAIN || status == RECAST_AVERROR_EOF { return }
            try check(status, "encoding video for \(url)")
            packet.pointer.pointee.stream_index = stream.pointee.index
            av_packet_rescale_ts(packet.pointer, encoder.pointer.pointee.time_base, stream.pointee.time_base)
            try mux(packet.pointer)
        }
    }

    public func write(_ audio: AudioPacket) throws {
        guard let audioStream else { return }
        let timeBase = audioStream.pointee.time_base
        var pts = av_rescale_q(audio.timestamp, microsecondTimeBase, timeBase)
        if pts <= lastAudioPTS { pts = lastAudioPTS + 1 }
        lastAudioPTS = pts
        try check(av_new_packet(packet.pointer, Int32(audio.data.count)), "allocating an audio packet")
        audio.data.withUnsafeBufferPointer { packet.pointer.pointee.data.update(from: $0.baseAddress!, count: audio.data.count) }
        packet.pointer.pointee.pts = pts
        packet.pointer.pointee.dts = pts
        packet.pointer.pointee.duration = av_rescale_q(audio.duration, microsecondTimeBase, timeBase)
        packet.pointer.pointee.stream_index = audioStream.pointee.index
        try mux(packet.pointer)
    }

    private func mux(_ packet: UnsafeMutablePointer<AVPacket>) throws {
        let status = av_interleaved_write_frame(output, packet)
        if status < 0 {
            if interruptFlag.isRaised { throw MediaError.interrupted }
            throw MediaError.ffmpeg(what: "writing to \(url)", code: status)
        }
    }

    /// Flushes the encoder and writes the trailer (so files are playable).
    public func close() throws {
        defer { release() }
        guard headerWritten, let output else { return }
        if let encoder, let videoStream {
            avcodec_send_frame(encoder.pointer, nil)
            try writeEncodedPackets(encoder: encoder, stream: videoStream)
        }
        try check(av_write_trailer(output), "finishing \(url)")
    }

    private func release() {
        if let output {
            if output.pointee.oformat.pointee.flags & AVFMT_NOFILE == 0 { avio_closep(&output.pointee.pb) }
            avformat_free_context(output)
        }
        output = nil
        encoder = nil
        videoStream = nil
        audioStream = nil
        headerWritten = false
    }

    public func interrupt() { interruptFlag.raise() }
}
