import Foundation

/// Why a file named on the command line cannot be read, in words: what the operating system says about
/// the path itself (a folder, missing, not permitted), not the error of the library that tried to read it.
public enum FileReadProblem {
    /// `is a folder, not a file`, `does not exist`, …; `fallback` when the path looks readable.
    public static func describe(_ path: String, fallback: String) -> String {
        var st = stat()
        if stat(path, &st) != 0 {
            let code = errno
            switch code {
            case ENOENT:
                let folder = (path as NSString).deletingLastPathComponent
                if !folder.isEmpty, !FileManager.default.fileExists(atPath: folder) { return "its folder \(folder) does not exist" }
                return "no such file"
            case EACCES: return "you may not read it, or one of the folders it is in (permission denied)"
            case ENOTDIR: return "a part of the path before its name is a file, not a folder"
            case ELOOP: return "its symbolic links loop"
            default: return String(cString: strerror(code))
            }
        }
        if (st.st_mode & S_IFMT) == S_IFDIR { return "it is a folder, not a file" }
        if access(path, R_OK) != 0, errno == EACCES { return "you may not read it (permission denied)" }
        return fallback
    }

    /// The message of a config file that could not be read: `cannot read the file: it is a folder, not a file`.
    public static func message(_ path: String, error: any Error) -> String {
        "cannot read the file: \(describe(path, fallback: error.localizedDescription))"
    }
}

#if canImport(Glibc)
import Glibc
#endif
