/// How stored ids encode time and sets of models.
///
/// A request's row id is `timestamp_ms << 20 | 20 bits of its request id's hash`, so row ids order
/// requests by time and a period is one range of ids.
public enum RowID {
    /// The row ids of the calls made in `[interval.lowerBound, interval.upperBound)`.
    public static func range(_ interval: Range<Timestamp>) -> ClosedRange<Int64> {
        (interval.lowerBound.milliseconds << 20)...((interval.upperBound.milliseconds << 20) - 1)
    }

    /// The time of the call a row id stands for.
    public static func timestamp(_ rowID: Int64) -> Timestamp { Timestamp(milliseconds: rowID >> 20) }

    /// The bit of a model in an action's `model_mask`: ids 1…61 have their own bit; bit 62 stands for
    /// "a model with a larger id", for which readers consult the requests themselves.
    public static func modelMaskBit(modelID: Int64) -> Int64 {
        modelID >= 1 && modelID < 62 ? Int64(1) << modelID : Int64(1) << 62
    }
}
