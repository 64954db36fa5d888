import RecastNN
import Testing

@Suite("Attention with online softmax")
struct AttentionTests {
    struct AttentionCase: Sendable, CustomTestStringConvertible {
        var batch: Int, queries: Int, keys: Int, extra: Int, heads: Int, headDim: Int
        var testDescription: String { "b\(batch) q\(queries) k\(keys)+\(extra) \(heads)x\(headDim)" }
    }

    static let cases = [
        AttentionCase(batch: 1, queries: 1, keys: 1, extra: 0, heads: 1, headDim: 32),
        AttentionCase(batch: 2, queries: 37, keys: 19, extra: 0, heads: 3, headDim: 40),
        AttentionCase(batch: 1, queries: 70, keys: 33, extra: 17, heads: 5, headDim: 64),
        AttentionCase(batch: 1, queries: 5, keys: 0, extra: 21, heads: 2, headDim: 80),
        AttentionCase(batch: 1, queries: 17, keys: 65, extra: 3, heads: 1, headDim: 160),
        AttentionCase(batch: 2, queries: 9, keys: 11, extra: 4, heads: 8, headDim: 33),
        // On CPU devices head dimensions of whole texel chunks run 8 queries an invocation: query
        // counts around multiples of 8 and of a workgroup's 512.
        AttentionCase(batch: 2, queries: 513, keys: 7, extra: 2, heads: 2, headDim: 24),
        AttentionCase(batch: 1, queries: 8, keys: 9, extra: 0, heads: 3, headDim: 16),
    ]

    @Test(arguments: StoragePrecision.allCases, cases)
    func attention(precision: StoragePrecision, c: AttentionCase) throws {
        let engine = try engine(precision)
        let width = c.heads * c.headDim
        let q = stored(randomValues(c.batch * c.queries * width, seed: 30).map { $0 * 2 }, precision)
        let k = stored(randomValues(c.batch * c.keys * width, seed: 31).map { $0 * 2 }, precision)
        let v = stored(randomValues(c.batch * c.keys * width, seed: 32), precision)
        let k2 = stored(randomValues(c.batch * c.extra * width, seed: 33).map { $0 * 2 }, precision)
        let v2 = stored(randomValues(c.batch * c.extra * width, seed: 34), precision)
        let extraKeys = c.extra > 0 ? try engine.makeTensor(shape: [c.batch, c.extra, width], values: k2) : nil
        let extraValues = c.extra > 0 ? try engine.makeTensor(shape: [c.batch, c.extra, width], values: v2) : nil
        let output = try engine.attention(
            q: try engine.makeTensor(shape: [c.batch, c.queries, width], values: q),
            k: try engine.makeTensor(shape: [c.batch, c.keys, width], values: k),
            v: try engine.makeTensor(shape: [c.batch, c.keys, width], values: v),
            extraKeys: extraKeys, extraValues: extraValues, heads: c.heads)
        let reference = CPUReference.attention(
            q: q, k: k, v: v, batch: c.batch, queries: c.queries, keys: c.keys, heads: c.heads, headDim: c.headDim,
            extraKeys: k2, extraValues: v2, extraCount: c.extra)
        try expectClose(try engine.read(output), reference, precision, c.testDescription)
    }
}
