/// A model with stored requests that the price book cannot price, and why.
public struct UnpricedModel: Sendable, Equatable {
    public var model: String
    public var requests: Int64
    public var inputTokens: Int64
    public var outputTokens: Int64
    public var first: Timestamp
    public var last: Timestamp
    /// What is missing, in a stable order: the model's price (`no price for the model on that day`), or the
    /// parts of its calls the entry does not price (``PriceGap``: a tool fee, an audio rate, a multiplier).
    public var missing: [String] = []

    /// Every stored property, as the memberwise initializer takes them.
    public init(model: String, requests: Int64, inputTokens: Int64, outputTokens: Int64, first: Timestamp, last: Timestamp, missing: [String] = []) {
        self.model = model
        self.requests = requests
        self.inputTokens = inputTokens
        self.outputTokens = outputTokens
        self.first = first
        self.last = last
        self.missing = missing
    }
}
