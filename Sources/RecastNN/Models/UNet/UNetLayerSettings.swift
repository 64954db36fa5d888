/// What every ResNet and transformer of one UNet shares.
struct UNetLayerSettings: Sendable {
    let groups: Int
    let epsilon: Float
    let embedding: Int
    let contextDimension: Int
}
