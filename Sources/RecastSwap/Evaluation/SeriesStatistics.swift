/// Plain statistics of number series, kept apart from the face models so they can be tested alone.
public enum SeriesStatistics {
    /// The arithmetic mean; nil for an empty series.
    public static func mean(_ values: [Double]) -> Double? {
        values.isEmpty ? nil : values.reduce(0, +) / Double(values.count)
    }

    /// Pearson's correlation coefficient of two equally long series, in −1…1.
    /// Nil when it is undefined: fewer than two pairs, or a series that never changes
    /// (a constant says nothing about whether the other follows it).
    public static func pearsonCorrelation(_ a: [Double], _ b: [Double]) -> Double? {
        precondition(a.count == b.count, "correlating series of \(a.count) and \(b.count) values")
        guard let meanA = mean(a), let meanB = mean(b), a.count >= 2 else { return nil }
        // Two passes over centred values: no cancellation for series far from zero.
        var covariance = 0.0, varianceA = 0.0, varianceB = 0.0
        for (x, y) in zip(a, b) {
            let dx = x - meanA, dy = y - meanB
            covariance += dx * dy
            varianceA += dx * dx
            varianceB += dy * dy
        }
        guard varianceA > 0, varianceB > 0 else { return nil }
        return min(1, max(-1, covariance / (varianceA * varianceB).squareRoot()))
    }
}
