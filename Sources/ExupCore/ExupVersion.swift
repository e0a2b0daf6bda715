/// This build's version: the same string as its deb/rpm package version, so the agent reports it
/// for the `exup-agent` module and a self-update never loops.
public enum ExupVersion {
    public static let string = "0.1.0"
}
