import Testing
@testable import RecastMedia

@Suite("Audio")
struct AudioEncodingTests {
    @Test("a silent track follows the video clock in AAC frames of 1024 samples")
    func silence() throws {
        let track = try SilenceTrack()
        #expect(track.format.sampleRate == 48_000)
        #expect(track.format.extradata.count >= 2, "AAC needs its AudioSpecificConfig")
        var packets = try track.packets(until: 0)
        for second in 1...3 { packets += try track.packets(until: Int64(second) * 1_000_000) }
        // 3 s at 48 kHz = 140.6 frames; the encoder holds back a frame or two of delay.
        #expect(packets.count >= 137 && packets.count <= 141, "\(packets.count) packets")
        let stamps = packets.map(\.timestamp)
        #expect(stamps == stamps.sorted())
        #expect(packets.allSatisfy { $0.duration == 21_333 })
    }
}
