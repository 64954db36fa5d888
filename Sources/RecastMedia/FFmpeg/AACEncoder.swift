import CFFmpeg
import CRecastShims

/// Encodes PCM audio of any layout and rate to AAC-LC (48 kHz stereo), the
/// audio FLV and MP4 outputs carry. Used for capture devices, non-AAC inputs
/// and the silent track.
final class AACEncoder {
    static let sampleRate = 48_000
    static let channels = 2

    private let codec: CodecContext
    private let fifo: OpaquePointer
    private var resampler: OpaquePointer?
    private var resamplerKey: [Int32] = []
    private let packet = OwnedPacket()
    /// Timeline position (µs) of the first sample in the FIFO.
    private var nextTimestamp: Int64?
    private var samplesSent: Int64 = 0

    init() throws(MediaError) {
        guard let encoder = avcodec_find_encoder(AV_CODEC_ID_AAC) else {
            throw .unsupported("this FFmpeg has no AAC encoder")
        }
        codec = try CodecContext(codec: encoder)
        let context = codec.pointer
        context.pointee.sample_rate = Int32(Self.sampleRate)
        context.pointee.sample_fmt = AV_SAMPLE_FMT_FLTP
        context.pointee.bit_rate = 128_000
        context.pointee.time_base = AVRational(num: 1, den: Int32(Self.sampleRate))
        av_channel_layout_default(&context.pointee.ch_layout, Int32(Self.channels))
        context.pointee.flags |= AV_CODEC_FLAG_GLOBAL_HEADER
        try check(avcodec_open2(context, encoder, nil), "opening the AAC encoder")
        guard let fifo = av_audio_fifo_alloc(AV_SAMPLE_FMT_FLTP, Int32(Self.channels), Int32(Self.sampleRate)) else {
            throw .unsupported("cannot allocate an audio FIFO")
        }
        self.fifo = fifo
    }

    deinit {
        av_audio_fifo_free(fifo)
        swr_free(&resampler)
    }

    var format: AudioStreamFormat {
        let context = codec.pointer.pointee
        let extradata = context.extradata.map { Array(UnsafeBufferPointer(start: $0, count: Int(context.extradata_size))) } ?? []
        return AudioStreamFormat(codecID: AV_CODEC_ID_AAC.rawValue, sampleRate: Self.sampleRate, channels: Self.channels,
                                 frameSize: Int(context.frame_size), extradata: extradata)
    }

    /// Adds decoded PCM that starts at `timestamp` (µs) and returns the AAC packets now complete.
    func encode(_ frame: UnsafePointer<AVFrame>, timestamp: Int64) throws(MediaError) -> [AudioPacket] {
        if nextTimestamp == nil { nextTimestamp = timestamp }
        let resampler = try resampler(for: frame)
        let capacity = swr_get_out_samples(resampler, frame.pointee.nb_samples)
        var planes = [UnsafeMutablePointer<UInt8>?](repeating: nil, count: Self.channels)
        try check(av_samples_alloc(&planes, nil, Int32(Self.channels), capacity, AV_SAMPLE_FMT_FLTP, 0), "allocating audio samples")
        defer { av_freep(&planes) }
        let input: UnsafeMutablePointer<UnsafePointer<UInt8>?> = UnsafeMutableRawPointer(mutating: frame.pointee.extended_data)!
            .assumingMemoryBound(to: UnsafePointer<UInt8>?.self)
        let converted = try check(swr_convert(resampler, &planes, capacity, input, frame.pointee.nb_samples), "resampling audio")
        try planes.withUnsafeMutableBufferPointer { buffer throws(MediaError) in
            let raw = UnsafeMutableRawPointer(buffer.baseAddress!).assumingMemoryBound(to: UnsafeMutableRawPointer?.self)
            try check(av_audio_fifo_write(fifo, raw, converted), "queueing audio samples")
        }
        return try drain()
    }

    /// Adds silence so that audio reaches `timestamp` (µs), starting there if nothing came before.
    func encodeSilence(until timestamp: Int64) throws(MediaError) -> [AudioPacket] {
        guard let start = nextTimestamp else {
            nextTimestamp = timestamp
            return []
        }
        let reached = start + (samplesSent + Int64(av_audio_fifo_size(fifo))) * 1_000_000 / Int64(Self.sampleRate)
        let missing = Int32((timestamp - reached) * Int64(Self.sampleRate) / 1_000_000)
        guard missing > 0 else { return [] }
        var planes = [UnsafeMutablePointer<UInt8>?](repeating: nil, count: Self.channels)
        try check(av_samples_alloc(&planes, nil, Int32(Self.channels), missing, AV_SAMPLE_FMT_FLTP, 0), "allocating silence")
        defer { av_freep(&planes) }
        av_samples_set_silence(&planes, 0, missing, Int32(Self.channels), AV_SAMPLE_FMT_FLTP)
        try planes.withUnsafeMutableBufferPointer { buffer throws(MediaError) in
            let raw = UnsafeMutableRawPointer(buffer.baseAddress!).assumingMemoryBound(to: UnsafeMutableRawPointer?.self)
            try check(av_audio_fifo_write(fifo, raw, missing), "queueing silence")
        }
        return try drain()
    }

    private func resampler(for frame: UnsafePointer<AVFrame>) throws(MediaError) -> OpaquePointer {
        let key = [frame.pointee.format, frame.pointee.sample_rate, frame.pointee.ch_layout.nb_channels]
        if let resampler, key == resamplerKey { return resampler }
        swr_free(&resampler)
        var inputLayout = frame.pointee.ch_layout
        if inputLayout.order == AV_CHANNEL_ORDER_UNSPEC {
            av_channel_layout_default(&inputLayout, inputLayout.nb_channels)
        }
        try check(swr_alloc_set_opts2(&resampler, &codec.pointer.pointee.ch_layout, AV_SAMPLE_FMT_FLTP, Int32(Self.sampleRate),
                                      &inputLayout, AVSampleFormat(frame.pointee.format), frame.pointee.sample_rate, 0, nil),
                  "configuring the audio resampler")
        try check(swr_init(resampler), "starting the audio resampler")
        resamplerKey = key
        return resampler!
    }

    private func drain() throws(MediaError) -> [AudioPacket] {
        let frameSize = codec.pointer.pointee.frame_size
        var packets: [AudioPacket] = []
        while av_audio_fifo_size(fifo) >= frameSize {
            let frame = OwnedFrame()
            frame.pointer.pointee.nb_samples = frameSize
            frame.pointer.pointee.format = AV_SAMPLE_FMT_FLTP.rawValue
            frame.pointer.pointee.sample_rate = Int32(Self.sampleRate)
            try check(av_channel_layout_copy(&frame.pointer.pointee.ch_layout, &codec.pointer.pointee.ch_layout), "copying the channel layout")
            try check(av_frame_get_buffer(frame.pointer, 0), "allocating an audio frame")
            try withUnsafeMutableBytes(of: &frame.pointer.pointee.data) { raw throws(MediaError) in
                let data = raw.baseAddress!.assumingMemoryBound(to: UnsafeMutableRawPointer?.self)
                try check(av_audio_fifo_read(fifo, data, frameSize), "reading queued audio")
            }
            frame.pointer.pointee.pts = samplesSent
            samplesSent += Int64(frameSize)
            try check(avcodec_send_frame(codec.pointer, frame.pointer), "encoding AAC")
            try receivePackets(into: &packets)
        }
        return packets
    }

    private func receivePackets(into packets: inout [AudioPacket]) throws(MediaError) {
        while true {
            let status = avcodec_receive_packet(codec.pointer, packet.pointer)
            if status == RECAST_AVERROR_EAGAIN || status == RECAST_AVERROR_EOF { return }
            try check(status, "encoding AAC")
            let base = nextTimestamp ?? 0
            let rate = Int64(Self.sampleRate)
            let data = Array(UnsafeBufferPointer(start: packet.pointer.pointee.data, count: Int(packet.pointer.pointee.size)))
            packets.append(AudioPacket(data: data,
                                       timestamp: base + packet.pointer.pointee.pts * 1_000_000 / rate,
                                       duration: packet.pointer.pointee.duration * 1_000_000 / rate))
            av_packet_unref(packet.pointer)
        }
    }
}
