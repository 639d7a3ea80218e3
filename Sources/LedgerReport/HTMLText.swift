import LedgerAnalysis
import LedgerPricing
import LedgerValues

/// Escaping for HTML and SVG, and markup that is known to be safe.
///
/// Every string that comes from the data (model, workflow, team and user names, metadata, file names)
/// goes through ``escape(_:)`` before it reaches a page; markup built by ``HTMLDocument`` and
/// ``SVGChart`` is carried as ``HTMLMarkup`` so that it is never escaped twice nor mixed up with text.
///
///     HTMLText.escape("<script>alert(1)</script>")   // "&lt;script&gt;alert(1)&lt;/script&gt;"
public enum HTMLText {
    /// Escapes `&`, `<`, `>`, `"` and `'`, so that the result is inert both as element content and
    /// inside a quoted attribute value, in HTML and in SVG. Control characters other than tab and line
    /// ends (which neither HTML nor XML allow) become U+FFFD.
    public static func escape(_ s: String) -> String {
        var out = ""
        out.reserveCapacity(s.utf8.count)
        for scalar in s.unicodeScalars {
            switch scalar {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&#39;"
            case "\t", "\n", "\r": out.unicodeScalars.append(scalar)
            default:
                let v = scalar.value
                if v < 0x20 || v == 0x7F || (v >= 0x80 && v < 0xA0) || v == 0xFFFE || v == 0xFFFF {
                    out += "\u{FFFD}"
                } else {
                    out.unicodeScalars.append(scalar)
                }
            }
        }
        return out
    }
}

/// A fragment of HTML or SVG markup that is safe to insert as is: built by the page and chart kits,
/// with every piece of data in it escaped.
public struct HTMLMarkup: Sendable, Equatable, CustomStringConvertible {
    /// The markup.
    public let html: String

    /// Markup written by this module (the kits); never built from unescaped data.
    init(trusted html: String) { self.html = html }

    /// Text, escaped.
    public init(text: String) { self.html = HTMLText.escape(text) }

    /// No markup.
    public static let empty = HTMLMarkup(trusted: "")

    /// The markup.
    public var description: String { html }

    /// The two fragments one after the other.
    public static func + (a: HTMLMarkup, b: HTMLMarkup) -> HTMLMarkup { HTMLMarkup(trusted: a.html + b.html) }
}
