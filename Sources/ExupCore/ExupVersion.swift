/// This build's version: the upstream version and the packaging revision, the same string as the deb's
/// Version and the rpm's %{VERSION}-%{RELEASE}. The agent reports it for the `exup-agent` module, so a
/// self-update through its own package (`exup pkg build --from-deb`) never loops.
public enum ExupVersion {
    public static let string = "0.1.0-1"
}
