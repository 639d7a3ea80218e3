#if canImport(Glibc)
import LedgerValues
import Glibc
#endif

/// Turns the paths given to `import` into inputs: files as they are, directories searched recursively
/// for files with a known extension (sorted, so the order is stable), `-` for standard input.
/// Symbolic links are followed, but a directory is never entered twice (no loop).
public enum InputPaths {
    public enum Input: Equatable, Sendable {
        case file(String)
        case standardInput
        case problem(path: String, message: String)
    }

    /// File name endings searched for inside directories.
    public static let extensions = [".jsonl", ".jsonl.gz", ".ndjson", ".ndjson.gz", ".json", ".json.gz", ".csv", ".csv.gz"]

    public static func expand(_ paths: [String]) -> [Input] {
        var out: [Input] = []
        var visited = Set<String>()
        for path in paths {
            if path == "-" {
                out.append(.standardInput)
                continue
            }
            var st = stat()
            guard stat(path, &st) == 0 else {
                out.append(.problem(path: path, message: "cannot read: \(String(cString: strerror(errno)))"))
                continue
            }
            if (st.st_mode & S_IFMT) == S_IFDIR {
                walk(path, into: &out, visited: &visited)
            } else {
                out.append(.file(path))
            }
        }
        return out
    }

    static func walk(_ directory: String, into out: inout [Input], visited: inout Set<String>) {
        guard let real = realpath(directory, nil) else {
            out.append(.problem(path: directory, message: "cannot resolve: \(String(cString: strerror(errno)))"))
            return
        }
        let key = String(cString: real)
        free(real)
        guard visited.insert(key).inserted else { return }
        guard let dir = opendir(directory) else {
            out.append(.problem(path: directory, message: "cannot open directory: \(String(cString: strerror(errno)))"))
            return
        }
        var names: [String] = []
        while let entry = readdir(dir) {
            let name = withUnsafePointer(to: entry.pointee.d_name) {
                $0.withMemoryRebound(to: CChar.self, capacity: 256) { String(cString: $0) }
            }
            if name == "." || name == ".." || name.hasPrefix(".") { continue }
            names.append(name)
        }
        closedir(dir)
        for name in names.sorted() {
            let path = directory.hasSuffix("/") ? directory + name : directory + "/" + name
            var st = stat()
            guard stat(path, &st) == 0 else { continue }  // a dangling link
            if (st.st_mode & S_IFMT) == S_IFDIR {
                walk(path, into: &out, visited: &visited)
            } else if (st.st_mode & S_IFMT) == S_IFREG, extensions.contains(where: { name.hasSuffix($0) }) {
                out.append(.file(path))
            }
        }
    }
}
