import CFFmpeg
import CRecastShims
import Foundation
import Logging

/// Anything libavformat opens: files, RTMP/RTSP/HTTP URLs (pulled, or
/// listened for with `listen`), lavfi graphs and capture devices. Video is
/// decoded; AAC audio is passed through as packets, other audio is
/// transcoded to AAC.
public final class StreamSource: MediaSource, @unchecked Sendable {
    // @unchecked: driven by one pipeline thread; only `interrupt()` is called
    // from others, and it touches the atomic flag alone.
    public struct Options: Sendable {
        /// Wait for a publisher to connect (RTMP server mode) instead of pulling.
        public var listen = false
        /// Pace reading by timestamps, as a live source would deliver.
        public var realtime = false
        /// Demuxer to force (e.g. "lavfi", "pulse", "alsa"); nil lets FFmpeg probe.
        public var formatName: String?
        /// Whether a stream without video is acceptable (audio capture devices).
        public var requiresVideo = true
        /// Whether to open the audio stream at all.
        public var includesAudio = true

        public init(listen: Bool = false, realtime: Bool = false, formatName: String? = nil,
                    requiresVideo: Bool = true, includesAudio: Bool = true) {
            self.listen = listen
            self.realtime = realtime
            self.formatName = formatName
            self.requiresVideo = requiresVideo
            self.includesAudio = includesAudio
        }
    }

    public let name: String
    public let isLive: Bool
    public let reconnects: Bool
    public var waitsForPeer: Bool { options.listen }
    private let url: String
    private let options: Options
    private let logger: Logger
    private let interruptFlag = InterruptFlag()

    private var format: UnsafeMutablePointer<AVFormatContext>?
    private var videoDecoder: CodecContext?
    private var videoStreamIndex: Int32 = -1
    private var audioStreamIndex: Int32 = -1
    private var audioDecoder: CodecContext?
    private var audioEncoder: AACEncoder?
    private let packet = OwnedPacket()
    private let decoded = OwnedFrame()
    private let converter = FrameConverter()
    private var pending: [MediaItem] = []
    private var draining = false
    private var pacingStart: (wall: UInt64, media: Int64)?

    public init(url: String, options: Options = Options(), logger: Logger) {
        self.url = url
        self.options = options
        self.logger = logger
        self.name = url
        let network = StreamSource.isNetworkURL(url)
        self.isLive = network || options.realtime || options.listen || options.formatName != nil
        self.reconnects = network || options.listen
    }

    public static func isNetworkURL(_ url: String) -> Bool {
        guard let scheme = url.split(separator: ":", maxSplits: 1).first?.lowercased(), url.contains("://") else { return false }
        return ["rtmp", "rtmps", "rtsp", "srt", "udp", "tcp", "http", "https", "rtp"].contains(scheme)
    }

    deinit { close() }

    public func open() throws -> SourceFormat {
        close()
        interruptFlag.reset()
        avdevice_register_all()
        guard let context = avformat_alloc_context() else { throw MediaError.unsupported("out of memory opening \(url)") }
        context.pointee.interrupt_callback = interruptFlag.callback
        var inputFormat: UnsafePointer<AVInputFormat>?
        if let formatName = options.formatName {
            inputFormat = av_find_input_format(formatName)
            guard inputFormat != nil else {
                avformat_free_context(context)
                throw MediaError.unsupported("this FFmpeg cannot read \(formatName) inputs")
            }
        }
        var openOptions: [String: String] = [:]
        if StreamSource.isNetworkURL(url) {
            // A silent peer must not hang the reader forever: 10 s without data is a drop.
            openOptions["rw_timeout"] = "10000000"
        }
        if options.listen {
            openOptions["listen"] = "1"
            openOptions.removeValue(forKey: "rw_timeout")
        }
        var opened: UnsafeMutablePointer<AVFormatContext>? = context
        let status = withAVDictionary(openOptions) { avformat_open_input(&opened, url, inputFormat, &$0) }
        if status < 0 {
            if status == RECAST_AVERROR_EXIT || interruptFlag.isRaised { throw MediaError.interrupted }
            throw StreamSource.openError(url: url, code: status)
        }
        format = opened
        if StreamSource.isNetworkURL(url) || options.listen {
            // Live streams: decide quickly rather than buffer seconds of analysis.
            opened!.pointee.max_analyze_duration = 500_000
        }
        let infoStatus = avformat_find_stream_info(opened, nil)
        if infoStatus < 0 {
            close()
            if infoStatus == RECAST_AVERROR_EXIT || interruptFlag.isRaised { throw MediaError.interrupted }
            throw MediaError.notMedia(url)
        }
        let video = try openVideo()
        let audio = options.includesAudio ? try openAudio() : nil
        guard video != nil || !options.requiresVideo else {
            close()
            throw MediaError.noVideoStream(url)
        }
        pacingStart = nil
        draining = false
        pending.removeAll()
        let videoFormat = video ?? VideoStreamFormat(width: 0, height: 0, framesPerSecond: 0)
        logger.info("opened input", metadata: [
            "input": "\(url)", "video": "\(videoFormat)",
            "audio": "\(audio.map { "codec \($0.codecID) \($0.sampleRate) Hz \($0.channels) ch" } ?? "none")",
        ])
        return SourceFormat(video: videoFormat, audio: audio)
    }

    private static func openError(url: String, code: Int32) -> MediaError {
        if code == RECAST_AVERROR_INVALIDDATA { return .notMedia(url) }
        if code == -ENOENT { return .cannotOpenInput(url, reason: "no such file") }
        return .cannotOpenInput(url, reason: ffmpegErrorString(code))
    }

    private func openVideo() throws -> VideoStreamFormat? {
        let index = av_find_best_stream(format, AVMEDIA_TYPE_VIDEO, -1, -1, nil, 0)
        guard index >= 0, let stream = format!.pointee.streams[Int(index)] else { return nil }
        let parameters = stream.pointee.codecpar!
        // Probing found no picture size: nothing in it decodes (e.g. a text file named .jpg).
        guard parameters.pointee.width > 0, parameters.pointee.height > 0 else { throw MediaError.notMedia(url) }
        guard let decoder = avcodec_find_decoder(parameters.pointee.codec_id) else {
            throw MediaError.unsupported("\(url): no decoder for its video codec (\(String(cString: avcodec_get_name(parameters.pointee.codec_id))))")
        }
        let context = try CodecContext(codec: decoder)
        try check(avcodec_parameters_to_context(context.pointer, parameters), "reading the video parameters of \(url)")
        context.pointer.pointee.pkt_timebase = stream.pointee.time_base
        try check(avcodec_open2(context.pointer, decoder, nil), "opening the video decoder for \(url)")
        videoDecoder = context
        videoStreamIndex = index
        var rate = av_guess_frame_rate(format, stream, nil).doubleValue
        if rate <= 0 || rate > 240 { rate = 30 }
        return VideoStreamFormat(width: Int(parameters.pointee.width), height: Int(parameters.pointee.height), framesPerSecond: rate)
    }

    private func openAudio() throws -> AudioStreamFormat? {
        let index = av_find_best_stream(format, AVMEDIA_TYPE_AUDIO, -1, -1, nil, 0)
        guard index >= 0, let stream = format!.pointee.streams[Int(index)] else { return nil }
        let parameters = stream.pointee.codecpar!.pointee
        audioStreamIndex = index
        if parameters.codec_id == AV_CODEC_ID_AAC && parameters.extradata_size > 0 {
            let extradata = Array(UnsafeBufferPointer(start: parameters.extradata, count: Int(parameters.extradata_size)))
            return AudioStreamFormat(codecID: parameters.codec_id.rawValue, sampleRate: Int(parameters.sample_rate),
                                     channels: Int(parameters.ch_layout.nb_channels),
                                     frameSize: Int(parameters.frame_size > 0 ? parameters.frame_size : 1024), extradata: extradata)
        }
        guard let decoder = avcodec_find_decoder(parameters.codec_id) else {
            throw MediaError.unsupported("\(url): no decoder for its audio codec")
        }
        let context = try CodecContext(codec: decoder)
        try check(avcodec_parameters_to_context(context.pointer, stream.pointee.codecpar), "reading the audio parameters of \(url)")
        context.pointer.pointee.pkt_timebase = stream.pointee.time_base
        try check(avcodec_open2(context.pointer, decoder, nil), "opening the audio decoder for \(url)")
        audioDecoder = context
        let encoder = try AACEncoder()
        audioEncoder = encoder
        return encoder.format
    }

    public func read() throws -> MediaItem? {
        while pending.isEmpty {
            if draining { return nil }
            try readPacket()
        }
        let item = pending.removeFirst()
        guard options.realtime else { return item }
        pace(item)
        // A paced frame is "captured" when it is due, as a camera's would be, not when it was decoded ahead.
        if case .video(var frame) = item {
            frame.capturedAt = monotonicNanoseconds()
            return .video(frame)
        }
        return item
    }

    private func readPacket() throws {
        let status = av_read_frame(format, packet.pointer)
        if status == RECAST_AVERROR_EOF {
            draining = true
            if let videoDecoder {
                avcodec_send_packet(videoDecoder.pointer, nil)
                try receiveVideo(from: videoDecoder)
            }
            return
        }
        if status == RECAST_AVERROR_EXIT || interruptFlag.isRaised { throw MediaError.interrupted }
        try check(status, "reading \(url)")
        defer { av_packet_unref(packet.pointer) }
        let stream = format!.pointee.streams[Int(packet.pointer.pointee.stream_index)]!
        let timestamp = StreamSource.microseconds(packet.pointer.pointee.pts, stream.pointee.time_base)
        if packet.pointer.pointee.stream_index == videoStreamIndex, let videoDecoder {
            let sent = avcodec_send_packet(videoDecoder.pointer, packet.pointer)
            if sent < 0 && sent != RECAST_AVERROR_EAGAIN {
                logger.warning("dropping a corrupt video packet", metadata: ["input": "\(url)", "error": "\(ffmpegErrorString(sent))"])
                return
            }
            try receiveVideo(from: videoDecoder)
        } else if packet.pointer.pointee.stream_index == audioStreamIndex, let timestamp {
            if let audioDecoder, let audioEncoder {
                guard avcodec_send_packet(audioDecoder.pointer, packet.pointer) >= 0 else { return }
                while avcodec_receive_frame(audioDecoder.pointer, decoded.pointer) >= 0 {
                    let frameTime = StreamSource.microseconds(decoded.pointer.pointee.pts, stream.pointee.time_base) ?? timestamp
                    pending += try audioEncoder.encode(decoded.pointer, timestamp: frameTime).map(MediaItem.audio)
                    av_frame_unref(decoded.pointer)
                }
            } else {
                let duration = StreamSource.microseconds(packet.pointer.pointee.duration, stream.pointee.time_base) ?? 0
                let data = Array(UnsafeBufferPointer(start: packet.pointer.pointee.data, count: Int(packet.pointer.pointee.size)))
                pending.append(.audio(AudioPacket(data: data, timestamp: timestamp, duration: duration)))
            }
        }
    }

    private func receiveVideo(from decoder: CodecContext) throws {
        let stream = format!.pointee.streams[Int(videoStreamIndex)]!
        while true {
            let status = avcodec_receive_frame(decoder.pointer, decoded.pointer)
            if status == RECAST_AVERROR_EAGAIN || status == RECAST_AVERROR_EOF { return }
            try check(status, "decoding video from \(url)")
            defer { av_frame_unref(decoded.pointer) }
            let timestamp = StreamSource.microseconds(decoded.pointer.pointee.best_effort_timestamp, stream.pointee.time_base) ?? 0
            let nativeFormat = PixelFormat(AVPixelFormat(decoded.pointer.pointee.format)) ?? .i420
            let frame = try converter.convert(decoded.pointer, to: nativeFormat, timestamp: timestamp, capturedAt: monotonicNanoseconds())
            pending.append(.video(frame))
        }
    }

    static func microseconds(_ value: Int64, _ timeBase: AVRational) -> Int64? {
        value == RECAST_AV_NOPTS_VALUE ? nil : av_rescale_q(value, timeBase, microsecondTimeBase)
    }

    /// Sleeps until the item's media time has come on the wall clock.
    private func pace(_ item: MediaItem) {
        let mediaTime: Int64
        switch item {
        case .video(let frame): mediaTime = frame.timestamp
        case .audio(let packet): mediaTime = packet.timestamp
        }
        guard let start = pacingStart else {
            pacingStart = (monotonicNanoseconds(), mediaTime)
            return
        }
        let due = start.wall + UInt64(max(0, mediaTime - start.media)) * 1_000
        let now = monotonicNanoseconds()
        if due > now && !interruptFlag.isRaised {
            usleep(UInt32(min(due - now, 1_000_000_000) / 1_000))
        }
    }

    public func close() {
        videoDecoder = nil
        audioDecoder = nil
        audioEncoder = nil
        videoStreamIndex = -1
        audioStreamIndex = -1
        if format != nil { avformat_close_input(&format) }
    }

    public func interrupt() { interruptFlag.raise() }
}
