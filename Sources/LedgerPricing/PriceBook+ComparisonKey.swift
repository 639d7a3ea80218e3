extension PriceBook {
    /// The name by which a model is compared between routing logs and provider exports.
    ///
    /// A name the book resolves compares as its model's identity (``identity(of:)``): the book's model key,
    /// or the base model of a dated snapshot the book lists apart, so a dated snapshot from an export meets the
    /// alias or base name in a log whatever the catalogue lists. A display name (`Claude Sonnet 4.5`, as Anthropic's Console
    /// writes it) is first turned into an id (`claude-sonnet-4-5`). A name the book does not know is
    /// lowercased, and loses a known `provider/` prefix and a trailing release date, so that both sides
    /// still meet.
    ///
    ///     book.comparisonKey(for: "gpt-4.1-mini-2025-04-14")     // "gpt-4.1-mini"
    ///     book.comparisonKey(for: "Claude Sonnet 4.5")           // "claude-sonnet-4-5"
    ///     book.comparisonKey(for: "openai/my-finetune-20250101") // "my-finetune"
    public func comparisonKey(for model: String) -> String {
        if let id = identity(of: model) { return id }
        var name = model.trimmingCharacters(in: .whitespaces).lowercased()
        if name.contains(" ") {
            let words = name.split(separator: " ").joined(separator: "-")
            name = words.replacingOccurrences(of: ".", with: "-")
            if let id = identity(of: name) { return id }
            // Cloud bills' display names of models whose ids keep the dot (`Gemini 2.5 Flash`).
            if words != name, let id = identity(of: words) { return id }
        }
        while let slash = name.firstIndex(of: "/"), names.providerPrefixes.contains(String(name[..<slash])) {
            name = String(name[name.index(after: slash)...])
        }
        // A Bedrock id of a model the book does not know still meets the model's name in a bill.
        if let bare = ModelNameIndex.bedrockForms(name).last { name = bare }
        return Self.withoutReleaseDate(name)
    }

    /// `name` without a trailing `-20250929`, `-2025-04-14` or `@20250929`.
    static func withoutReleaseDate(_ name: String) -> String {
        let b = Array(name.utf8)
        func digits(_ r: Range<Int>) -> Bool { r.allSatisfy { b[$0] >= 0x30 && b[$0] <= 0x39 } }
        if b.count > 9, b[b.count - 9] == 0x2D || b[b.count - 9] == 0x40, digits(b.count - 8..<b.count) {
            return String(decoding: b[0..<(b.count - 9)], as: UTF8.self)
        }
        if b.count > 11, b[b.count - 11] == 0x2D, b[b.count - 6] == 0x2D, b[b.count - 3] == 0x2D,
           digits(b.count - 10..<b.count - 6), digits(b.count - 5..<b.count - 3), digits(b.count - 2..<b.count) {
            return String(decoding: b[0..<(b.count - 11)], as: UTF8.self)
        }
        return name
    }
}

import LedgerValues
import LedgerIngest
import Foundation
