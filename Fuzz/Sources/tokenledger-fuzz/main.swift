// tokenledger-fuzz: every fuzz target in one libFuzzer binary.
//
//     tokenledger-fuzz list                      the targets, one per line: name, then what it exercises
//     tokenledger-fuzz seeds TARGET              the seed files and folders of TARGET (relative to the package root)
//     tokenledger-fuzz TARGET [libFuzzer flags and corpus folders or inputs]
//
// SwiftPM renames an executable's `main`, so libFuzzer's own `main` never runs: the driver is started
// here, with the target name removed from the arguments it sees.
#if canImport(Glibc)
import Glibc
#endif

typealias FuzzCallback = @convention(c) (UnsafePointer<UInt8>?, Int) -> CInt

@_silgen_name("LLVMFuzzerRunDriver")
func LLVMFuzzerRunDriver(_ argc: UnsafeMutablePointer<CInt>,
                         _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>>,
                         _ callback: FuzzCallback) -> CInt

let arguments = CommandLine.arguments
func usage() -> Never {
    let names = FuzzTargets.all.map(\.name).joined(separator: ", ")
    let text = "usage: tokenledger-fuzz list | seeds TARGET | TARGET [libFuzzer flags] [corpus…]\ntargets: \(names)\n"
    _ = text.withCString { write(2, $0, strlen($0)) }
    exit(2)
}

guard arguments.count >= 2 else { usage() }
switch arguments[1] {
case "list":
    for t in FuzzTargets.all { print("\(t.name)\t\(t.summary)") }
    exit(0)
case "seeds":
    guard arguments.count == 3, let t = FuzzTargets.named(arguments[2]) else { usage() }
    for s in t.seeds { print(s) }
    exit(0)
default:
    guard let target = FuzzTargets.named(arguments[1]) else { usage() }
    Selected.target = target
    // Warm up what every input shares (the price book), so it is not charged to the first input.
    _ = ImportTargets.book
}

// libFuzzer's arguments: the program name, then everything after the target name.
var driverArguments: [UnsafeMutablePointer<CChar>?] = ([arguments[0]] + arguments.dropFirst(2)).map { strdup($0) }
driverArguments.append(nil)
var argc = CInt(driverArguments.count - 1)
let status = driverArguments.withUnsafeMutableBufferPointer { buffer -> CInt in
    var argv = buffer.baseAddress!
    return LLVMFuzzerRunDriver(&argc, &argv) { data, count in
        Selected.target?.run(UnsafeRawBufferPointer(start: data, count: count))
        return 0
    }
}
exit(status)
