import ExupTesting
import Foundation
import Testing

/// exup's TUF client (`exup-tuf-client`) against repositories written by python-tuf 7's Metadata API and
/// served over HTTP on loopback: every attack the specification names. The scenarios live in
/// python/tuf_scenarios.py; each one asserts what the client must accept, refuse and store.
@Suite struct ScenarioTests {
    static let root = PythonTools.repositoryRoot(from: #filePath)
    static let script = root + "/Tests/TUFTests/python/tuf_scenarios.py"

    static let scenarios = [
        "basic", "unchanged_refresh", "arbitrary_software", "wrong_target_metadata", "rollback_timestamp",
        "rollback_snapshot", "rollback_targets", "fast_forward_recovery", "freeze", "endless_data", "mix_and_match",
        "thresholds", "root_rotation", "root_rotation_threshold", "delegations", "delegation_signatures", "quoting",
        "consistent_snapshot_off", "non_ed25519_keys",
    ]

    @Test("every scenario in the script is run here")
    func allScenariosListed() throws {
        let python = try PythonTools.python(root: ScenarioTests.root)
        let listed = try Subprocess.run([python, ScenarioTests.script, "list"])
        #expect(Set(listed.stdout.split(separator: "\n").map(String.init)) == Set(ScenarioTests.scenarios))
    }

    @Test("python-tuf scenario", arguments: scenarios)
    func scenario(_ name: String) throws {
        let python = try PythonTools.python(root: ScenarioTests.root)
        let client = BuiltProducts.path("exup-tuf-client")
        let result = try Subprocess.run([python, ScenarioTests.script, "run", name, client])
        #expect(result.status == 0, "\(result.stderr)\(result.stdout)")
    }
}
