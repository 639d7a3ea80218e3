/// The target chosen on the command line, read by the libFuzzer callback (a C function cannot capture it).
enum Selected {
    /// Set once before the driver starts; libFuzzer then calls the target on this thread only.
    nonisolated(unsafe) static var target: FuzzTarget?
}
