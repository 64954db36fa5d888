import Foundation
import RecastNN

/// The autoencoder a refiner's UNet works in: square RGB crops (0–255, row-major RGB) to NCHW latents and back.
protocol LatentCodec: Sendable {
    var latentChannels: Int { get }
    /// [1, latentChannels, side/8, side/8] NCHW.
    func encode(rgb: [UInt8], side: Int) throws -> [Float]
    /// RGB 0–255 (not clamped), row-major, `8·latentSide` square.
    func decode(latent: [Float], latentSide: Int) throws -> [Float]
}

/// A diffusers AutoencoderTiny (TAESD for SD 1.x/2.x latents): images in [-1, 1], NCHW.
struct AutoencoderTinyCodec: LatentCodec {
    let autoencoder: AutoencoderTiny

    var latentChannels: Int { autoencoder.configuration.latentChannels }

    func encode(rgb: [UInt8], side: Int) throws -> [Float] {
        let planar = ChannelLayout.nchw(fromNHWC: rgb.map { Float($0) / 127.5 - 1 }, channels: 3, height: side, width: side)
        return try autoencoder.encode(image: planar, height: side, width: side)
    }

    func decode(latent: [Float], latentSide: Int) throws -> [Float] {
        let side = latentSide * autoencoder.configuration.downscaleFactor
        let image = try autoencoder.decode(latent: latent, height: latentSide, width: latentSide)
        return ChannelLayout.nhwc(fromNCHW: image, channels: 3, height: side, width: side).map { ($0 + 1) * 127.5 }
    }
}

/// The bundled TAEF2 (32-channel latents): images in [0, 1], NHWC.
struct TAEF2Codec: LatentCodec {
    let encoder: TAEF2Encoder
    let decoder: TAEF2Decoder

    init(engine: TensorEngine, models: URL) throws {
        let file = try SafeTensorsFile(path: models.appendingPathComponent("taef2/taef2.safetensors").path)
        encoder = try TAEF2Encoder(engine: engine, weights: file)
        decoder = try TAEF2Decoder(engine: engine, weights: file)
    }

    var latentChannels: Int { TAEF2Encoder.latentChannels }

    func encode(rgb: [UInt8], side: Int) throws -> [Float] {
        let engine = encoder.engine
        let image = try engine.makeTensor(shape: [1, side, side, 3], values: rgb.map { Float($0) / 255 })
        let latentSide = side / TAEF2Encoder.downscale
        let latent = try engine.read(try encoder.encode(image))
        return ChannelLayout.nchw(fromNHWC: latent, channels: latentChannels, height: latentSide, width: latentSide)
    }

    func decode(latent: [Float], latentSide: Int) throws -> [Float] {
        let engine = decoder.engine
        let tensor = try engine.makeTensor(
            shape: [1, latentSide, latentSide, latentChannels],
            values: ChannelLayout.nhwc(fromNCHW: latent, channels: latentChannels, height: latentSide, width: latentSide))
        return try engine.read(try decoder.decode(tensor)).map { $0 * 255 }
    }
}
