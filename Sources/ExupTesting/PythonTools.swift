import Foundation

/// The Python side of the tests: the venv `make deps` creates (python-tuf 7 from PyPI) and the
/// repository's own scripts.
public enum PythonTools {
    /// The repository root, from a test file's `#filePath` (…/Tests/<Target>/<File>.swift).
    public static func repositoryRoot(from filePath: String) -> String {
        var url = URL(fileURLWithPath: filePath)
        while url.path != "/" {
            url.deleteLastPathComponent()
            if FileManager.default.fileExists(atPath: url.appendingPathComponent("Package.swift").path),
                FileManager.default.fileExists(atPath: url.appendingPathComponent("Tests").path)
            {
                return url.path
            }
        }
        return FileManager.default.currentDirectoryPath
    }

    /// The venv's interpreter, or `EXUP_PYTHON`; a clear failure when neither exists.
    public static func python(root: String) throws -> String {
        let candidate = ProcessInfo.processInfo.environment["EXUP_PYTHON"] ?? root + "/.build-python/venv/bin/python3"
        guard FileManager.default.isExecutableFile(atPath: candidate) else {
            throw TestFailure("\(candidate) is missing: run `make deps` (it creates the venv with python-tuf 7)")
        }
        return candidate
    }
}
