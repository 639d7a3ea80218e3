import Foundation
import Testing
@testable import LedgerValues
@testable import LedgerIngest
@testable import LedgerPricing
@testable import LedgerAnalysis
@testable import LedgerStore
@testable import LedgerReport
@testable import LedgerSample
@testable import TokenLedger

/// Where headless Chromium is, if installed.
enum Chromium {
    static let path: String? = ["/usr/bin/chromium", "/usr/bin/chromium-browser", "/usr/bin/google-chrome"]
        .first { FileManager.default.isExecutableFile(atPath: $0) }
}

/// Every HTML page laid out by headless Chromium at 1400 and 800 px: nothing is wider than the window
/// except inside a container that scrolls sideways (tables, charts), and chart labels keep one size at
/// both widths. Runs where Chromium is installed (`scripts/setup` installs it).
@Suite(.enabled(if: Chromium.path != nil, "needs chromium (scripts/setup installs it)"))
struct HTMLWidthTests {
    static let chromium = Chromium.path

    /// Measures the laid-out page and writes the result on `body` (read back from the dumped DOM). Added
    /// to a copy of the page only: the pages themselves run no script.
    static let probe = """
        <script>
        (function () {
          const vw = document.documentElement.clientWidth;
          function scrolls(el) {
            for (let a = el.parentElement; a; a = a.parentElement) {
              const o = getComputedStyle(a).overflowX;
              if (o === 'auto' || o === 'scroll') return true;
            }
            return false;
          }
          const over = [];
          for (const el of document.querySelectorAll('body *')) {
            const r = el.getBoundingClientRect();
            if (r.width > 0 && r.right > vw + 1 && !scrolls(el)) over.push(el.tagName.toLowerCase());
          }
          const sizes = [...document.querySelectorAll('svg text')].map(t => parseFloat(getComputedStyle(t).fontSize) *
            (t.ownerSVGElement.getBoundingClientRect().width / t.ownerSVGElement.viewBox.baseVal.width));
          document.body.setAttribute('data-page-width', String(document.documentElement.scrollWidth));
          document.body.setAttribute('data-overflow', over.slice(0, 10).join(' '));
          document.body.setAttribute('data-label-min', sizes.length ? String(Math.min(...sizes).toFixed(2)) : '');
          document.body.setAttribute('data-label-max', sizes.length ? String(Math.max(...sizes).toFixed(2)) : '');
        })();
        </script>
        """

    struct Layout: Equatable {
        var pageWidth: Int
        var overflowing: String
        var smallestLabel: Double?
        var largestLabel: Double?
    }

    /// The page laid out in a window `width` px wide.
    static func layout(_ html: String, width: Int) throws -> Layout {
        let scratch = try Scratch()
        let page = html.replacingOccurrences(of: #"<meta http-equiv="Content-Security-Policy"[^>]*>"#, with: "",
                                             options: .regularExpression)
            .replacingOccurrences(of: "</body>", with: probe + "</body>")
        let path = try scratch.write("page.html", page)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: try #require(chromium))
        process.arguments = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--hide-scrollbars",
                             "--user-data-dir=" + scratch.path("profile"),
                             "--window-size=\(width),1000", "--dump-dom", "file://" + path]
        let out = Pipe()
        process.standardOutput = out
        process.standardError = FileHandle.nullDevice
        try process.run()
        // A browser that hangs is stopped after a minute (the page then has no layout, and the test says so).
        let watchdog = DispatchWorkItem { if process.isRunning { process.terminate() } }
        DispatchQueue.global().asyncAfter(deadline: .now() + 60, execute: watchdog)
        let data = out.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        watchdog.cancel()
        let dom = String(decoding: data, as: UTF8.self)
        func attribute(_ name: String) -> String? {
            guard let r = dom.range(of: name + "=\"") else { return nil }
            let rest = dom[r.upperBound...]
            return String(rest[..<(rest.firstIndex(of: "\"") ?? rest.endIndex)])
        }
        let pageWidth = try #require(attribute("data-page-width").flatMap { Int($0) }, "no layout from chromium")
        return Layout(pageWidth: pageWidth, overflowing: attribute("data-overflow") ?? "",
                      smallestLabel: attribute("data-label-min").flatMap { Double($0) },
                      largestLabel: attribute("data-label-max").flatMap { Double($0) })
    }

    static func pages() throws -> [(String, String)] {
        func golden(_ name: String) throws -> String {
            try String(contentsOf: ReconciliationReportTests.goldenDirectory.appendingPathComponent(name), encoding: .utf8)
        }
        return [
            ("report", try golden("report-W42.html")),
            ("reconcile", try golden("reconcile.html")),
            ("whatif", try golden("whatif-W42.html")),
            ("report with long names", AuditReportHTML.render(try HostileNames.auditResult(), budgetName: "budget.yaml")),
        ]
    }

    @Test(arguments: [1400, 800]) func nothingIsWiderThanTheWindow(_ width: Int) throws {
        for (name, html) in try Self.pages() {
            let l = try Self.layout(html, width: width)
            #expect(l.pageWidth <= width, "\(name) at \(width) px is \(l.pageWidth) px wide")
            #expect(l.overflowing.isEmpty, "\(name) at \(width) px: \(l.overflowing) outside the window")
        }
    }

    @Test func chartLabelsKeepOneLegibleSize() throws {
        for (name, html) in try Self.pages() where html.contains("<svg") {
            let wide = try Self.layout(html, width: 1400), narrow = try Self.layout(html, width: 800)
            #expect(wide.smallestLabel == narrow.smallestLabel && wide.largestLabel == narrow.largestLabel, "\(name)")
            #expect((narrow.smallestLabel ?? 0) >= 10, "\(name): labels of \(narrow.smallestLabel ?? 0) px at 800 px")
        }
    }

}

/// The what-if page has the report's headline figures and a chart of the scenarios' totals.
@Suite struct WhatIfPageTests {
    @Test func theWhatIfPageHasFiguresAndAChart() throws {
        let html = try String(contentsOf: ReconciliationReportTests.goldenDirectory.appendingPathComponent("whatif-W42.html"),
                              encoding: .utf8)
        #expect(html.contains("<div class=\"figures\">"))
        #expect(html.contains("Total of each scenario"))
        #expect(html.contains("<svg"))
    }
}
