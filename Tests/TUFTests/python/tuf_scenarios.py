#!/usr/bin/env python3
"""TUF scenarios for exup's client, with repositories written by python-tuf 7's Metadata API (an
independent implementation) and served over HTTP on 127.0.0.1.

  tuf_scenarios.py list                        names of the scenarios
  tuf_scenarios.py run NAME CLIENT             exit 0 when CLIENT (exup-tuf-client) behaved as the
                                               TUF specification requires, 1 with the reason otherwise
  tuf_scenarios.py oracle canonical|keyid|fnmatch   answers from securesystemslib / fnmatch (stdin → stdout)
  tuf_scenarios.py ngclient-remote METADATA_URL TARGETS_URL TOKEN ROOT WORKDIR TARGET...
                                               python-tuf's ngclient against a live exup repository
  tuf_scenarios.py ngclient DIR TARGET...      python-tuf's ngclient refreshes a repository exup wrote
                                               (DIR/metadata, DIR/targets, DIR/root.json = trusted root)
                                               and downloads TARGETs; prints JSON {target: sha256}
"""

import copy
import hashlib
import http.server
import json
import os
import subprocess
import sys
import tempfile
import threading
from datetime import datetime, timedelta, timezone
from urllib import parse

from securesystemslib.signer import CryptoSigner
from tuf.api.metadata import (
    DelegatedRole,
    Delegations,
    Metadata,
    MetaFile,
    Root,
    Snapshot,
    TargetFile,
    Targets,
    Timestamp,
)
from tuf.api.serialization.json import JSONSerializer

SERIALIZER = JSONSerializer(compact=True)


class Server:
    """Serves files from a dict on a free loopback port, records request paths, can be told to lie."""

    def __init__(self):
        self.files = {}
        self.requests = []
        self.overrides = {}
        files, requests, overrides = self.files, self.requests, self.overrides

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self):
                path = parse.unquote(self.path.split("?")[0])
                requests.append(self.path)
                body = overrides.get(path, files.get(path))
                if body is None:
                    self.send_response(404)
                    self.send_header("Content-Length", "0")
                    self.end_headers()
                    return
                self.send_response(200)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args):
                pass

        class Quiet(http.server.ThreadingHTTPServer):
            daemon_threads = True

            def handle_error(self, request, client_address):
                pass  # a client hanging up on endless data is the expected outcome

        self.httpd = Quiet(("127.0.0.1", 0), Handler)
        self.port = self.httpd.server_address[1]
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()

    @property
    def url(self):
        return f"http://127.0.0.1:{self.port}"

    def stop(self):
        self.httpd.shutdown()
        self.httpd.server_close()


def future(days=7):
    return datetime.now(timezone.utc).replace(microsecond=0) + timedelta(days=days)


class Repo:
    """A TUF repository kept in memory and published to a Server, in python-tuf's terms."""

    def __init__(self, server, consistent=True):
        self.server = server
        self.signers = {role: [CryptoSigner.generate_ed25519()] for role in ("root", "timestamp", "snapshot", "targets")}
        root = Root(expires=future(365), consistent_snapshot=consistent)
        for role, signers in self.signers.items():
            for s in signers:
                root.add_key(s.public_key, role)
        self.md = {
            "root": Metadata(root),
            "targets": Metadata(Targets(expires=future())),
            "snapshot": Metadata(Snapshot(expires=future())),
            "timestamp": Metadata(Timestamp(expires=future())),
        }
        self.delegated_signers = {}
        self.artifacts = {}
        self.published_roots = []
        self.publish_root()
        self.publish(["targets", "snapshot", "timestamp"], bump=False)

    @property
    def consistent(self):
        return self.md["root"].signed.consistent_snapshot

    def sign(self, role, md, extra_signers=()):
        md.signatures.clear()
        signers = self.delegated_signers.get(role) or self.signers[role]
        for s in list(signers) + list(extra_signers):
            md.sign(s, append=True)

    def bytes_of(self, role):
        return self.md[role].to_bytes(SERIALIZER)

    def publish_root(self, extra_signers=()):
        self.sign("root", self.md["root"], extra_signers)
        data = self.bytes_of("root")
        v = self.md["root"].signed.version
        self.server.files[f"/metadata/{v}.root.json"] = data
        self.server.files["/metadata/root.json"] = data
        self.published_roots.append(data)

    def rotate_root(self, role, count=1, threshold=1, old_sign=True):
        """Give `role` fresh keys in a new root version, signed by the old root keys (when old_sign)."""
        root = self.md["root"].signed
        old_root_signers = list(self.signers["root"])
        for keyid in list(root.roles[role].keyids):
            root.revoke_key(keyid, role)
        self.signers[role] = [CryptoSigner.generate_ed25519() for _ in range(count)]
        for s in self.signers[role]:
            root.add_key(s.public_key, role)
        root.roles[role].threshold = threshold
        root.version += 1
        self.publish_root(extra_signers=old_root_signers if (old_sign and role == "root") else ())

    def add_artifact(self, role, path, data, custom=None):
        tf = TargetFile.from_data(path, data, ["sha256"])
        if custom:
            tf.unrecognized_fields["custom"] = custom
        self.md[role].signed.targets[path] = tf
        digest = tf.hashes["sha256"]
        self.server.files[f"/targets/{path}"] = data
        dirname, sep, base = path.rpartition("/")
        self.server.files[f"/targets/{dirname}{sep}{digest}.{base}"] = data

    def delegate(self, delegator, name, paths=None, terminating=False, hash_prefixes=None):
        signer = CryptoSigner.generate_ed25519()
        self.delegated_signers[name] = [signer]
        t = self.md[delegator].signed
        if t.delegations is None:
            t.delegations = Delegations(keys={}, roles={})
        role = DelegatedRole(name=name, keyids=[], threshold=1, terminating=terminating,
                             paths=paths, path_hash_prefixes=hash_prefixes)
        t.delegations.roles[name] = role
        t.add_key(signer.public_key, name)
        self.md[name] = Metadata(Targets(expires=future()))

    def publish(self, roles, bump=True):
        """Bump, sign and serve the given targets roles, then snapshot and timestamp if listed."""
        snap = self.md["snapshot"].signed
        for role in roles:
            if role in ("snapshot", "timestamp"):
                continue
            if bump:
                self.md[role].signed.version += 1
            self.sign(role, self.md[role])
            data = self.bytes_of(role)
            v = self.md[role].signed.version
            quoted = parse.quote(role, "")
            self.server.files[f"/metadata/{v}.{role}.json"] = data
            self.server.files[f"/metadata/{role}.json"] = data
            snap.meta[f"{role}.json"] = MetaFile(version=v)
        if "snapshot" in roles:
            if bump:
                snap.version += 1
            self.sign("snapshot", self.md["snapshot"])
            data = self.bytes_of("snapshot")
            self.server.files[f"/metadata/{snap.version}.snapshot.json"] = data
            self.server.files["/metadata/snapshot.json"] = data
            self.md["timestamp"].signed.snapshot_meta = MetaFile(version=snap.version, length=len(data),
                                                                 hashes={"sha256": hashlib.sha256(data).hexdigest()})
        if "timestamp" in roles:
            if bump:
                self.md["timestamp"].signed.version += 1
            self.sign("timestamp", self.md["timestamp"])
            self.server.files["/metadata/timestamp.json"] = self.bytes_of("timestamp")

    def publish_all(self, *delegated):
        self.publish([*delegated, "targets", "snapshot", "timestamp"])


class Client:
    """exup-tuf-client with its own metadata and target directories."""

    def __init__(self, binary, server, root_bytes):
        self.binary = binary
        self.server = server
        self.dir = tempfile.mkdtemp(prefix="exup-tuf-client-")
        self.metadata = os.path.join(self.dir, "metadata")
        self.targets = os.path.join(self.dir, "targets")
        os.makedirs(self.metadata)
        os.makedirs(self.targets)
        trusted = os.path.join(self.dir, "trusted_root.json")
        with open(trusted, "wb") as f:
            f.write(root_bytes)
        self.last_error = ""
        assert self.call(["--metadata-dir", self.metadata, "init", trusted]) == 0, "init failed"

    def call(self, args):
        p = subprocess.run([self.binary, *args], capture_output=True, text=True, timeout=60)
        self.last_error = p.stderr.strip()
        return p.returncode

    def refresh(self):
        return self.call(["--metadata-dir", self.metadata, "--metadata-url", f"{self.server.url}/metadata", "refresh"])

    def download(self, *names):
        args = ["--metadata-dir", self.metadata, "--metadata-url", f"{self.server.url}/metadata"]
        for n in names:
            args += ["--target-name", n]
        args += ["--target-base-url", f"{self.server.url}/targets", "--target-dir", self.targets, "download"]
        return self.call(args)

    def version(self, role):
        path = os.path.join(self.metadata, f"{parse.quote(role, '')}.json")
        if not os.path.exists(path):
            return None
        with open(path, "rb") as f:
            return json.load(f)["signed"]["version"]

    def target(self, name):
        path = os.path.join(self.targets, parse.quote(name, ""))
        if not os.path.exists(path):
            return None
        with open(path, "rb") as f:
            return f.read()

    def trusted_files(self):
        return sorted(os.listdir(self.metadata))


def expect(condition, message):
    if not condition:
        raise AssertionError(message)


def expect_refused(client, rc, what):
    expect(rc == 1, f"{what}: the client accepted it (exit {rc})")
    expect(client.last_error != "", f"{what}: refused without saying why")


# ---------------------------------------------------------------- scenarios

def scenario_basic(server, binary):
    """A refresh and a download from a fresh repository; the second download uses the cache."""
    repo = Repo(server)
    repo.add_artifact("targets", "packages/bmc.zip", b"firmware image", {"exup": {"module": "bmc-firmware"}})
    repo.publish_all()
    client = Client(binary, server, repo.published_roots[0])
    expect(client.refresh() == 0, f"refresh failed: {client.last_error}")
    expect(client.trusted_files() == ["root.json", "snapshot.json", "targets.json", "timestamp.json"], client.trusted_files())
    expect(client.download("packages/bmc.zip") == 0, f"download failed: {client.last_error}")
    expect(client.target("packages/bmc.zip") == b"firmware image", "wrong target bytes")
    digest = hashlib.sha256(b"firmware image").hexdigest()
    expect(f"/targets/packages/{digest}.bmc.zip" in server.requests, "consistent snapshot: target not fetched by hash name")
    before = len([r for r in server.requests if r.startswith("/targets/")])
    expect(client.download("packages/bmc.zip") == 0, "second download failed")
    after = len([r for r in server.requests if r.startswith("/targets/")])
    expect(before == after, "a cached target with matching hashes was fetched again")


def scenario_unchanged_refresh(server, binary):
    """A second refresh with nothing new fetches only the next root and timestamp."""
    repo = Repo(server)
    repo.publish_all()
    client = Client(binary, server, repo.published_roots[0])
    expect(client.refresh() == 0, client.last_error)
    server.requests.clear()
    expect(client.refresh() == 0, client.last_error)
    expect(server.requests == ["/metadata/2.root.json", "/metadata/timestamp.json"], f"requests: {server.requests}")


def scenario_arbitrary_software(server, binary):
    """A mirror serving other bytes for a target (same or different length) is refused; nothing is stored."""
    repo = Repo(server, consistent=False)
    repo.add_artifact("targets", "pkg.zip", b"genuine bytes")
    repo.publish_all()
    client = Client(binary, server, repo.published_roots[0])
    server.overrides["/targets/pkg.zip"] = b"evil!! bytes"
    expect_refused(client, client.download("pkg.zip"), "a target with the wrong hash")
    server.overrides["/targets/pkg.zip"] = b"genuine bytes and then some more"
    expect_refused(client, client.download("pkg.zip"), "a target longer than listed")
    expect(client.target("pkg.zip") is None, "a refused target was stored")
    del server.overrides["/targets/pkg.zip"]
    expect(client.download("pkg.zip") == 0, client.last_error)


def scenario_wrong_target_metadata(server, binary):
    """Signed targets metadata whose length or hash does not fit the file: the download is refused."""
    repo = Repo(server, consistent=False)
    repo.add_artifact("targets", "a.zip", b"aaaa")
    repo.md["targets"].signed.targets["a.zip"].length = 3
    repo.add_artifact("targets", "b.zip", b"bbbb")
    repo.md["targets"].signed.targets["b.zip"].hashes = {"sha256": "00" * 32}
    repo.publish_all()
    client = Client(binary, server, repo.published_roots[0])
    expect_refused(client, client.download("a.zip"), "a target with the wrong length")
    expect_refused(client, client.download("b.zip"), "a target with the wrong hash")


def scenario_rollback_timestamp(server, binary):
    """An older timestamp than the trusted one is refused and the trusted one is kept."""
    repo = Repo(server)
    repo.publish(["timestamp"])
    old = server.files["/metadata/timestamp.json"]
    repo.publish(["timestamp"])
    client = Client(binary, server, repo.published_roots[0])
    expect(client.refresh() == 0, client.last_error)
    trusted = client.version("timestamp")
    server.overrides["/metadata/timestamp.json"] = old
    expect_refused(client, client.refresh(), "a timestamp rollback")
    expect("rollback" in client.last_error, f"the refusal names the rollback: {client.last_error}")
    expect(client.version("timestamp") == trusted, "the trusted timestamp changed")


def scenario_rollback_snapshot(server, binary):
    """A timestamp naming an older snapshot version than trusted is refused."""
    repo = Repo(server)
    repo.publish_all()
    client = Client(binary, server, repo.published_roots[0])
    expect(client.refresh() == 0, client.last_error)
    repo.md["timestamp"].signed.snapshot_meta.version -= 1
    repo.publish(["timestamp"])
    expect_refused(client, client.refresh(), "a snapshot rollback")


def scenario_rollback_targets(server, binary):
    """A snapshot naming an older targets version than trusted is refused."""
    repo = Repo(server)
    repo.publish_all()
    client = Client(binary, server, repo.published_roots[0])
    expect(client.refresh() == 0, client.last_error)
    repo.md["snapshot"].signed.meta["targets.json"].version -= 1
    repo.publish(["snapshot", "timestamp"])
    expect_refused(client, client.refresh(), "a targets rollback")


def scenario_fast_forward_recovery(server, binary):
    """After a timestamp key compromise pushed a huge version, rotating the timestamp key lets the
    repository recover with normal versions (specification 5.3.11)."""
    repo = Repo(server)
    repo.md["timestamp"].signed.version = 10_000
    repo.publish(["timestamp"], bump=False)
    client = Client(binary, server, repo.published_roots[0])
    expect(client.refresh() == 0, client.last_error)
    expect(client.version("timestamp") == 10_000, "fast-forwarded timestamp not trusted")
    repo.rotate_root("timestamp")
    repo.md["timestamp"].signed.version = 3
    repo.publish(["timestamp"], bump=False)
    expect(client.refresh() == 0, f"recovery refused: {client.last_error}")
    expect(client.version("timestamp") == 3, f"trusted timestamp is {client.version('timestamp')}, not 3")


def scenario_freeze(server, binary):
    """Expired timestamp, snapshot, targets or root: refused (indefinite freeze)."""
    for role in ("timestamp", "snapshot", "targets", "root"):
        repo = Repo(server)
        repo.md[role].signed.expires = datetime.now(timezone.utc).replace(microsecond=0) - timedelta(hours=1)
        if role == "root":
            repo.md["root"].signed.version += 1
            repo.publish_root()
        repo.publish_all()
        client = Client(binary, server, repo.published_roots[0])
        expect_refused(client, client.refresh(), f"an expired {role}")
        expect("expired" in client.last_error, f"the refusal names expiry: {client.last_error}")


def scenario_endless_data(server, binary):
    """Metadata bigger than its limit (timestamp cap, snapshot length in timestamp) is refused."""
    repo = Repo(server)
    repo.publish_all()
    client = Client(binary, server, repo.published_roots[0])
    server.overrides["/metadata/timestamp.json"] = b"{" + b" " * 100_000 + b"}"
    expect_refused(client, client.refresh(), "an endless timestamp")
    del server.overrides["/metadata/timestamp.json"]
    snap = f"/metadata/{repo.md['snapshot'].signed.version}.snapshot.json"
    server.overrides[snap] = server.files[snap] + b" " * 1000
    expect_refused(client, client.refresh(), "a snapshot longer than the timestamp says")
    del server.overrides[snap]
    server.overrides[f"/metadata/{repo.md['root'].signed.version + 1}.root.json"] = b"x" * 600_000
    expect_refused(client, client.refresh(), "an endless root")


def scenario_mix_and_match(server, binary):
    """A snapshot or targets whose version is not the one the trusted metadata names is refused."""
    repo = Repo(server, consistent=False)
    repo.publish_all()
    old_snapshot = server.files["/metadata/snapshot.json"]
    repo.publish_all()
    client = Client(binary, server, repo.published_roots[0])
    server.overrides["/metadata/snapshot.json"] = old_snapshot
    repo.md["timestamp"].signed.snapshot_meta = MetaFile(version=repo.md["snapshot"].signed.version)
    repo.publish(["timestamp"])
    expect_refused(client, client.refresh(), "a snapshot of another version")
    del server.overrides["/metadata/snapshot.json"]
    old_targets = server.files["/metadata/targets.json"]
    repo.publish_all()
    server.overrides["/metadata/targets.json"] = old_targets
    repo.md["snapshot"].signed.meta["targets.json"] = MetaFile(version=repo.md["targets"].signed.version)
    repo.publish(["snapshot", "timestamp"])
    client2 = Client(binary, server, repo.published_roots[0])
    expect_refused(client2, client2.refresh(), "a targets of another version")


def scenario_thresholds(server, binary):
    """Signatures below a role's threshold, or by keys the role does not name, are refused."""
    repo = Repo(server)
    repo.publish_all()
    client = Client(binary, server, repo.published_roots[0])
    expect(client.refresh() == 0, client.last_error)
    # timestamp signed by a key the root does not list (a malicious mirror's own key)
    stranger = CryptoSigner.generate_ed25519()
    md = copy.deepcopy(repo.md["timestamp"])
    md.signed.version += 5
    md.signatures.clear()
    md.sign(stranger)
    server.overrides["/metadata/timestamp.json"] = md.to_bytes(SERIALIZER)
    expect_refused(client, client.refresh(), "a timestamp signed by an unknown key")
    del server.overrides["/metadata/timestamp.json"]
    # snapshot threshold raised to 2 while only one key signs
    repo.md["root"].signed.roles["snapshot"].threshold = 2
    repo.md["root"].signed.version += 1
    repo.publish_root()
    repo.publish_all()
    expect_refused(client, client.refresh(), "a snapshot under its threshold")
    expect("of the 2 required" in client.last_error, f"the refusal names the threshold: {client.last_error}")


def scenario_root_rotation(server, binary):
    """Root keys rotated across several versions, each new root signed by old and new keys: the client
    walks every version. A new root not signed by the old keys is refused."""
    repo = Repo(server)
    repo.publish_all()
    client = Client(binary, server, repo.published_roots[0])
    for _ in range(4):
        repo.rotate_root("root")
    repo.publish_all()
    expect(client.refresh() == 0, client.last_error)
    expect(client.version("root") == 5, f"trusted root is v{client.version('root')}, not 5")
    with open(os.path.join(client.metadata, "root.json"), "rb") as f:
        expect(f.read() == repo.published_roots[-1], "root.json is not the v5 root as published")
    repo.rotate_root("root", old_sign=False)
    expect_refused(client, client.refresh(), "a root not signed by the previous root keys")
    expect(client.version("root") == 5, "the refused root was stored")


def scenario_root_rotation_threshold(server, binary):
    """A rotation to a threshold of 2 keys: a root signed by only one of the new keys is refused."""
    repo = Repo(server)
    repo.publish_all()
    client = Client(binary, server, repo.published_roots[0])
    root = repo.md["root"].signed
    old = list(repo.signers["root"])
    for keyid in list(root.roles["root"].keyids):
        root.revoke_key(keyid, "root")
    new = [CryptoSigner.generate_ed25519() for _ in range(2)]
    for s in new:
        root.add_key(s.public_key, "root")
    root.roles["root"].threshold = 2
    root.version += 1
    repo.signers["root"] = new[:1]
    repo.publish_root(extra_signers=old)
    expect_refused(client, client.refresh(), "a new root signed by 1 of its 2 required keys")
    repo.signers["root"] = new
    repo.publish_root(extra_signers=old)
    repo.publish_all()
    expect(client.refresh() == 0, client.last_error)


def scenario_delegations(server, binary):
    """Pre-order depth-first search, path patterns per segment, terminating roles, hash prefixes."""
    repo = Repo(server)
    repo.delegate("targets", "models/r120h", paths=["models/r120h/*"])
    repo.delegate("targets", "terminator", paths=["files/*"], terminating=True)
    repo.delegate("targets", "fallback", paths=["*", "files/*"])
    repo.delegate("targets", "hashed", hash_prefixes=[hashlib.sha256(b"bins/x.bin").hexdigest()[:2]])
    repo.add_artifact("models/r120h", "models/r120h/bmc.zip", b"r120h firmware")
    repo.add_artifact("models/r120h", "models/r120h/sub/deep.zip", b"too deep")
    repo.add_artifact("fallback", "files/only-in-fallback.txt", b"shadowed")
    repo.add_artifact("terminator", "files/ok.txt", b"from terminator")
    repo.add_artifact("hashed", "bins/x.bin", b"hash binned")
    repo.publish_all("models/r120h", "terminator", "fallback", "hashed")
    client = Client(binary, server, repo.published_roots[0])
    expect(client.download("models/r120h/bmc.zip") == 0, client.last_error)
    expect("/metadata/2.models%2Fr120h.json" in server.requests, f"delegated role name not quoted: {server.requests}")
    expect(client.target("models/r120h/bmc.zip") == b"r120h firmware", "wrong bytes")
    expect(client.download("files/ok.txt") == 0, client.last_error)
    expect_refused(client, client.download("files/only-in-fallback.txt"), "a target behind a terminating role")
    expect_refused(client, client.download("models/r120h/sub/deep.zip"), "a target a '*' pattern must not reach across '/'")
    expect(client.download("bins/x.bin") == 0, client.last_error)
    expect("models%2Fr120h.json" in client.trusted_files(), client.trusted_files())


def scenario_delegation_signatures(server, binary):
    """A delegated role signed by a key its delegator does not name is refused."""
    repo = Repo(server)
    repo.delegate("targets", "models/a", paths=["models/a/*"])
    repo.add_artifact("models/a", "models/a/x.zip", b"x")
    repo.delegated_signers["models/a"] = [CryptoSigner.generate_ed25519()]
    repo.publish_all("models/a")
    client = Client(binary, server, repo.published_roots[0])
    expect_refused(client, client.download("models/a/x.zip"), "a delegated role signed by the wrong key")


def scenario_quoting(server, binary):
    """Unusual target names: spaces, percent signs, non-ASCII, several directories."""
    repo = Repo(server)
    names = ["dir with space/file name.zip", "percent%25/x%2F.zip", "ünïcode/ファーム.bin", "a/b/c/d.txt"]
    for i, name in enumerate(names):
        repo.add_artifact("targets", name, f"content {i}".encode())
    repo.publish_all()
    client = Client(binary, server, repo.published_roots[0])
    for i, name in enumerate(names):
        expect(client.download(name) == 0, f"{name}: {client.last_error}")
        expect(client.target(name) == f"content {i}".encode(), f"{name}: wrong bytes")
    expect_refused(client, client.download("not/there.zip"), "a target no metadata lists")


def scenario_consistent_snapshot_off(server, binary):
    """Without consistent snapshots the client asks for non-versioned names."""
    repo = Repo(server, consistent=False)
    repo.add_artifact("targets", "t.txt", b"t")
    repo.publish_all()
    client = Client(binary, server, repo.published_roots[0])
    expect(client.download("t.txt") == 0, client.last_error)
    expect("/metadata/snapshot.json" in server.requests and "/targets/t.txt" in server.requests, server.requests)


def scenario_non_ed25519_keys(server, binary):
    """Metadata signed with ECDSA and RSA keys (securesystemslib's schemes) verifies too."""
    repo = Repo(server)
    root = repo.md["root"].signed
    for role, signer in (("timestamp", CryptoSigner.generate_ecdsa()), ("snapshot", CryptoSigner.generate_rsa())):
        for keyid in list(root.roles[role].keyids):
            root.revoke_key(keyid, role)
        root.add_key(signer.public_key, role)
        repo.signers[role] = [signer]
    root.version += 1
    repo.publish_root()
    repo.publish_all()
    client = Client(binary, server, repo.published_roots[0])
    expect(client.refresh() == 0, client.last_error)


SCENARIOS = {name[len("scenario_"):]: fn for name, fn in globals().items() if name.startswith("scenario_")}


def run(name, binary):
    server = Server()
    try:
        SCENARIOS[name](server, binary)
    finally:
        server.stop()


def ngclient(directory, targets):
    """python-tuf's Updater against a repository exup wrote."""
    from tuf.ngclient import Updater

    server = Server()
    for sub in ("metadata", "targets"):
        base = os.path.join(directory, sub)
        for dirpath, _, files in os.walk(base):
            for f in files:
                full = os.path.join(dirpath, f)
                with open(full, "rb") as fh:
                    # on disk, names are as requested (quoted): the server looks paths up unquoted
                    server.files["/" + sub + "/" + parse.unquote(os.path.relpath(full, base))] = fh.read()
    try:
        work = tempfile.mkdtemp(prefix="ngclient-")
        os.makedirs(os.path.join(work, "metadata"))
        os.makedirs(os.path.join(work, "targets"))
        with open(os.path.join(directory, "root.json"), "rb") as f, open(os.path.join(work, "metadata", "root.json"), "wb") as g:
            g.write(f.read())
        updater = Updater(os.path.join(work, "metadata"), f"{server.url}/metadata/", os.path.join(work, "targets"),
                          f"{server.url}/targets/", bootstrap=None)
        updater.refresh()
        result = {"root_version": updater._trusted_set.root.version, "targets": {}}
        for name in targets:
            info = updater.get_targetinfo(name)
            if info is None:
                result["targets"][name] = None
                continue
            path = updater.download_target(info)
            with open(path, "rb") as f:
                result["targets"][name] = hashlib.sha256(f.read()).hexdigest()
            result.setdefault("custom", {})[name] = info.custom
        print(json.dumps(result))
    finally:
        server.stop()


def oracle(kind):
    """Reference answers for exup's unit tests."""
    if kind == "canonical":
        from securesystemslib.formats import encode_canonical

        sys.stdout.write(encode_canonical(json.loads(sys.stdin.read())))
    elif kind == "keyid":
        signer = CryptoSigner.generate_ed25519()
        key = signer.public_key
        print(json.dumps({"keyid": key.keyid, "public": key.keyval["public"]}))
    elif kind == "fnmatch":
        import fnmatch

        for line in sys.stdin.read().splitlines():
            name, pattern = line.split("\t")
            print(1 if fnmatch.fnmatch(name, pattern) else 0)


def ngclient_remote(metadata_url, targets_url, token, root_file, workdir, targets):
    """python-tuf's Updater against a live exup repository (bearer credential), keeping its trusted
    metadata in WORKDIR between runs. Prints JSON {root_version, timestamp_version, targets: {name: sha256|null}}."""
    from tuf.ngclient import Updater
    from tuf.ngclient.urllib3_fetcher import Urllib3Fetcher
    from tuf.ngclient._internal.proxy import ProxyEnvironment

    class BearerFetcher(Urllib3Fetcher):
        def __init__(self):
            super().__init__()
            self._proxy_env = ProxyEnvironment(headers={"User-Agent": "python-tuf", "Authorization": f"Bearer {token}"})

    metadata_dir = os.path.join(workdir, "metadata")
    targets_dir = os.path.join(workdir, "targets")
    os.makedirs(metadata_dir, exist_ok=True)
    os.makedirs(targets_dir, exist_ok=True)
    if not os.path.exists(os.path.join(metadata_dir, "root.json")):
        with open(root_file, "rb") as f, open(os.path.join(metadata_dir, "root.json"), "wb") as g:
            g.write(f.read())
    updater = Updater(metadata_dir, metadata_url, targets_dir, targets_url, fetcher=BearerFetcher(), bootstrap=None)
    updater.refresh()
    result = {"root_version": updater._trusted_set.root.version, "timestamp_version": updater._trusted_set.timestamp.version,
              "targets": {}}
    for name in targets:
        info = updater.get_targetinfo(name)
        if info is None:
            result["targets"][name] = None
            continue
        path = updater.find_cached_target(info) or updater.download_target(info)
        with open(path, "rb") as f:
            result["targets"][name] = hashlib.sha256(f.read()).hexdigest()
        result.setdefault("custom", {})[name] = info.custom
    print(json.dumps(result))


def main():
    if len(sys.argv) >= 7 and sys.argv[1] == "ngclient-remote":
        ngclient_remote(*sys.argv[2:7], sys.argv[7:])
        return 0
    if len(sys.argv) == 3 and sys.argv[1] == "oracle":
        oracle(sys.argv[2])
        return 0
    if len(sys.argv) >= 2 and sys.argv[1] == "list":
        print("\n".join(sorted(SCENARIOS)))
        return 0
    if len(sys.argv) == 4 and sys.argv[1] == "run":
        try:
            run(sys.argv[2], sys.argv[3])
        except AssertionError as e:
            print(f"scenario {sys.argv[2]}: {e}", file=sys.stderr)
            return 1
        print(f"scenario {sys.argv[2]}: ok")
        return 0
    if len(sys.argv) >= 3 and sys.argv[1] == "ngclient":
        ngclient(sys.argv[2], sys.argv[3:])
        return 0
    print(__doc__, file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main())
