#!/usr/bin/env python3
"""Man pages for every exup command at every depth, from the commands' own structured help
(`--experimental-dump-help`), and section-5 pages for the two configuration files.

    scripts/manpages.py BIN_DIR OUT_DIR VERSION [PROGRAM...]

Each command page has NAME, SYNOPSIS, DESCRIPTION, OPTIONS, EXIT STATUS, FILES, EXAMPLES and SEE ALSO.
Pages are written uncompressed (packages.sh gzips them); `man --warnings -l PAGE` is clean on each.
"""
import json
import os
import subprocess
import sys

SECTION = {"exup": "1", "exup-agent": "8", "exup-manager": "8"}

FILES = {
    "exup": [("~/.config/exup/session.json", "the session exup login keeps (0600)"),
             ("/etc/exup/trusted-keys/", "vendor public keys (*.pem) exup pkg verify trusts by default")],
    "exup-agent": [("/etc/exup/agent.toml", "the configuration (see exup-agent.toml(5))"),
                   ("/var/lib/exup/agent/", "the state directory: state, journal, outbox, credential, trusted metadata, program logs"),
                   ("/etc/exup/trusted-keys/", "the vendor public keys packages must be signed with"),
                   ("/run/exup/agent.sock", "the local CLI's socket (root only)")],
    "exup-manager": [("/etc/exup/manager.toml", "the configuration (see exup-manager.toml(5))"),
                     ("/var/lib/exup/manager/", "the data directory: databases, package pool, keys, secrets (0600), manager.lock")],
}

EXAMPLES = {
    "exup": ["exup servers --filter update-available", "exup approve web01 --allow-reboot --wait"],
    "exup pkg": ["exup pkg init mypkg", "exup pkg verify --trusted-keys /etc/exup/trusted-keys update.zip"],
    "exup pkg init": ["exup pkg init bios-4.3 --module system-bios --version 4.3"],
    "exup pkg keygen": ["exup pkg keygen --out keys/"],
    "exup pkg build": ["exup pkg build --info ExUpInfo.xml --payload payload --key keys/vendor.key.pem --out update.zip",
                       "exup pkg build --from-deb exup-agent_0.1.0-2_amd64.deb --model Express5800/R120h-1M --key keys/vendor.key.pem --out agent.zip"],
    "exup pkg verify": ["exup pkg verify --trusted-keys /etc/exup/trusted-keys update.zip", "exup pkg verify --json *.zip"],
    "exup pkg inspect": ["exup pkg inspect --trusted-keys /etc/exup/trusted-keys update.zip"],
    "exup repo add": ["exup repo add bmc-2.31.zip bios-4.3.zip", "exup repo add --mode all *.zip"],
    "exup repo list": ["exup repo list", "exup repo list --by model --json"],
    "exup repo show": ["exup repo show bmc-r120h-2.31"],
    "exup repo delete": ["exup repo delete bmc-r120h-2.30"],
    "exup repo export": ["exup repo export --out save.zip bmc-r120h-2.31"],
    "exup repo sync": ["exup repo sync", "exup repo sync --status --json"],
    "exup repo settings": ["exup repo settings --sync-time 03:00", "exup repo settings --check"],
    "exup servers": ["exup servers", "exup servers --filter reboot-required --json"],
    "exup server show": ["exup server show web01"],
    "exup approve": ["exup approve web01", "exup approve web01 --module bmc-firmware=2.31 --allow-reboot --wait"],
    "exup cancel": ["exup cancel web01"],
    "exup uninstall": ["exup uninstall web01 --module package:nginx"],
    "exup agents token create": ["exup agents token create --group racks --out /root/enrolment.token", "exup agents token create --uses 20 --expires 7d"],
    "exup agents token list": ["exup agents token list"],
    "exup agents token revoke": ["exup agents token revoke 358bae62b65f"],
    "exup agents list": ["exup agents list --json"],
    "exup agents revoke": ["exup agents revoke web01"],
    "exup logs": ["exup logs request web01", "exup logs get web01 --out web01-logs.tar.gz"],
    "exup log": ["exup log --since 24h", "exup log --grep E06"],
    "exup login": ["exup login --server https://manager:8080 --username admin"],
    "exup users add": ["exup users add alice --role operator"],
    "exup groups create": ["exup groups create racks"],
    "exup groups show": ["exup groups show racks --filter reboot-required"],
    "exup groups approve": ["exup groups approve racks --allow-reboot"],
    "exup schedules create": ["exup schedules create --server web01 --at 2030-01-01T02:00:00Z"],
    "exup-agent": ["exup-agent status", "exup-agent apply"],
    "exup-agent inventory": ["exup-agent inventory", "exup-agent inventory --json --config /etc/exup/agent.toml"],
    "exup-agent run": ["systemctl start exup-agent   # runs exup-agent run", "exup-agent run --once"],
    "exup-agent status": ["exup-agent status --json"],
    "exup-agent check": ["exup-agent check"],
    "exup-agent apply": ["exup-agent apply"],
    "exup-agent cancel": ["exup-agent cancel"],
    "exup-agent log-bundle": ["exup-agent log-bundle --out /tmp/agent-logs.tar.gz"],
    "exup-agent check-config": ["exup-agent check-config --config /etc/exup/agent.toml"],
    "exup-manager": ["exup-manager serve --config /etc/exup/manager.toml"],
    "exup-manager serve": ["exup-manager serve --config /etc/exup/manager.toml", "exup-manager serve --data-dir ./exup-data --listen 127.0.0.1:8080"],
    "exup-manager backup": ["exup-manager backup --data-dir /var/lib/exup/manager --out /root/exup-backup.zip"],
    "exup-manager restore": ["exup-manager restore --data-dir /var/lib/exup/manager-new /root/exup-backup.zip"],
    "exup-manager check-config": ["exup-manager check-config --config /etc/exup/manager.toml"],
}

EXIT_STATUS = [("0", "everything asked for succeeded"),
               ("1", "the operation ran and something failed or was refused (an item failed, a package was refused, a server is unknown, the manager is unreachable, a configuration file is wrong)"),
               ("2", "partly done: a command that works on several things did some and not others (also an inventory read without its BMC)"),
               ("64", "a usage error: an unknown option, a missing or invalid argument (only these print the usage)")]


def roff(text):
    """Escapes text for roff: backslashes, and a leading dot or quote."""
    text = text.replace("\\", "\\e").replace("-", "\\-")
    lines = []
    for line in text.split("\n"):
        if line.startswith(".") or line.startswith("'"):
            line = "\\&" + line
        lines.append(line)
    return "\n".join(lines)


def option_synopsis(argument):
    names = argument.get("names") or []
    preferred = argument.get("preferredName") or (names[0] if names else None)
    value = argument.get("valueName", "")
    if argument["kind"] == "positional":
        text = "<%s>" % value + ("..." if argument.get("isRepeating") else "")
    else:
        dashes = "--" if preferred["kind"] == "long" else "-"
        text = dashes + preferred["name"] + ("" if argument["kind"] == "flag" else " <%s>" % value)
    return text if not argument.get("isOptional") else "[%s]" % text


def page(path, command, program, version, siblings):
    name = " ".join(path)
    page_name = "-".join(path)
    section = SECTION[program]
    abstract = command.get("abstract") or name
    arguments = [a for a in command.get("arguments", []) if a.get("shouldDisplay", True)
                 and not (a.get("names") and any(n["name"] in ("help", "version") for n in a["names"]))]
    out = ['.TH "%s" "%s" "" "exup %s" "exup manual"' % (page_name.upper(), section, version)]
    out += [".SH NAME", "%s \\- %s" % (roff(page_name), roff(abstract.rstrip(".")))]
    subcommands = [c for c in command.get("subcommands", []) if c["commandName"] != "help"]
    out += [".SH SYNOPSIS", ".B %s" % roff(name)]
    if subcommands:
        out.append("\\fISUBCOMMAND\\fR [\\fIOPTIONS\\fR]")
    elif arguments:
        out.append(roff(" ".join(option_synopsis(a) for a in arguments)))
    out += [".SH DESCRIPTION", roff(abstract)]
    if command.get("discussion"):
        out += [".PP", roff(command["discussion"])]
    if subcommands:
        out += [".PP", "Subcommands (each has its own page):"]
        for sub in subcommands:
            out += [".TP", ".B %s" % roff(sub["commandName"]), roff(sub.get("abstract", ""))]
    out.append(".SH OPTIONS")
    for argument in arguments:
        out += [".TP", ".B %s" % roff(option_synopsis(argument).strip("[]"))]
        text = argument.get("abstract") or ""
        if argument.get("defaultValue") not in (None, "", "false"):
            text += " (default: %s)" % argument["defaultValue"]
        out.append(roff(text or "See the description."))
    out += [".TP", ".B \\-\\-help", "Show the help and exit."]
    out.append(".SH EXIT STATUS")
    for code, meaning in EXIT_STATUS:
        out += [".TP", ".B %s" % code, roff(meaning)]
    out.append(".SH FILES")
    for file, meaning in FILES[program]:
        out += [".TP", ".I %s" % roff(file), roff(meaning)]
    out.append(".SH EXAMPLES")
    examples = EXAMPLES.get(name) or ["%s --help" % name]
    for example in examples:
        out += [".PP", ".EX", roff(example), ".EE"]
    out.append(".SH SEE ALSO")
    see = sorted(set(siblings) - {page_name})
    refs = ["%s(%s)" % (s, SECTION[program]) for s in see[:12]]
    refs += {"exup": ["exup\\-agent(8)", "exup\\-manager(8)"], "exup-agent": ["exup\\-agent.toml(5)", "exup(1)"],
             "exup-manager": ["exup\\-manager.toml(5)", "exup(1)"]}[program]
    out.append(", ".join(r.replace("-", "\\-") if "\\-" not in r else r for r in refs))
    return page_name, section, "\n".join(out) + "\n"


def walk(command, path, found):
    found.append((path, command))
    for sub in command.get("subcommands", []):
        if sub["commandName"] != "help":
            walk(sub, path + [sub["commandName"]], found)


def conffile(name, source, program, version):
    with open(source) as f:
        text = f.read()
    out = ['.TH "%s" "5" "" "exup %s" "exup manual"' % (name.upper(), version),
           ".SH NAME", "%s \\- the configuration of %s" % (roff(name), roff(program)),
           ".SH SYNOPSIS", "/etc/exup/%s" % roff(name.replace("exup-", "")),
           ".SH DESCRIPTION",
           "A TOML file of tables and keys. Unknown tables and keys are refused with their line (a mistyped key "
           "is never silently ignored). Secrets are best kept in the files the \\fB*\\-file\\fR keys name (mode 0600). "
           "Every key is shown below with its default and what it does:",
           ".PP", ".EX", roff(text.rstrip("\n")), ".EE",
           ".SH FILES", ".TP", ".I /etc/exup/%s" % roff(name.replace("exup-", "")), "installed 0640, group of the service",
           ".SH EXAMPLES", ".PP", ".EX", roff("%s check-config --config /etc/exup/%s" % (program, name.replace("exup-", ""))), ".EE",
           ".SH SEE ALSO", "%s(8)" % roff(program)]
    return "\n".join(out) + "\n"


def main():
    bin_dir, out_dir, version = sys.argv[1:4]
    programs = sys.argv[4:] or ["exup", "exup-agent", "exup-manager"]
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    os.makedirs(out_dir, exist_ok=True)
    for program in programs:
        dump = json.loads(subprocess.run([os.path.join(bin_dir, program), "--experimental-dump-help"], check=True,
                                         capture_output=True, text=True).stdout)
        found = []
        walk(dump["command"], [program], found)
        names = ["-".join(path) for path, _ in found]
        for path, command in found:
            parent = "-".join(path[:-1])
            children = ["-".join(path + [c["commandName"]]) for c in command.get("subcommands", []) if c["commandName"] != "help"]
            siblings = ([parent] if parent else []) + children or names[:1]
            page_name, section, text = page(path, command, program, version, siblings)
            with open(os.path.join(out_dir, "%s.%s" % (page_name, section)), "w") as f:
                f.write(text)
        if program in ("exup-agent", "exup-manager"):
            conf = "%s.toml" % program
            with open(os.path.join(out_dir, conf + ".5"), "w") as f:
                f.write(conffile(conf, os.path.join(root, "etc/exup", program.replace("exup-", "") + ".toml"), program, version))


if __name__ == "__main__":
    main()
