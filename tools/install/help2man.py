"""help2man.py TOOL: writes TOOL's man page (roff) to stdout, made from its
--help and --version output (and each subcommand's --help, for tools with a
"Commands:" list), so the man pages can never drift from the tools.
"""
import re
import subprocess
import sys


def run(argv):
    return subprocess.run(argv, capture_output=True, text=True).stdout


def esc(text):
    text = text.replace("\\", "\\e").replace("-", "\\-")
    return re.sub(r"^([.'])", r"\\&\1", text, flags=re.M)


def parse(help_text):
    """Splits --help output into usage lines, summary, option rows and the rest."""
    lines = help_text.rstrip("\n").split("\n")
    usage, i = [], 0
    while i < len(lines) and (lines[i].startswith("Usage:") or lines[i].startswith("   ")):
        usage.append(re.sub(r"^Usage:\s*|^\s+or:\s*", "", lines[i]).strip())
        i += 1
    summary = []
    while i < len(lines) and lines[i].strip() and lines[i] != "Options:":
        summary.append(lines[i].strip())
        i += 1
    while i < len(lines) and not lines[i].strip():
        i += 1
    options = []
    if i < len(lines) and lines[i] == "Options:":
        i += 1
        while i < len(lines) and lines[i].startswith(" "):
            m = re.match(r"\s+(-\S(?:, )?)?\s*(--\S+)?\s{2,}(.*)", lines[i])
            if m:
                flag = ((m.group(1) or "").strip() + " " + (m.group(2) or "")).strip().rstrip(",")
                options.append([flag, m.group(3)])
            elif options:
                options[-1][1] += " " + lines[i].strip()
            i += 1
    rest = "\n".join(lines[i:]).strip("\n")
    return usage, " ".join(summary), options, rest


def sections(rest):
    """The epilog as (title, body) pairs: "Exit status:", "Examples:", else DESCRIPTION."""
    out = []
    for para in re.split(r"\n\s*\n", rest):
        if not para.strip():
            continue
        head = para.split("\n", 1)[0]
        m = re.match(r"(Exit status|Examples|Commands)[^:\n]*:\s*(.*)", head)
        if m:
            body = para.split("\n", 1)[1] if "\n" in para else ""
            first = m.group(2)
            out.append((m.group(1).upper(), (first + "\n" + body).strip("\n") if first else body))
        else:
            out.append(("DESCRIPTION", para))
    return out


def options_roff(options):
    out = []
    for flag, desc in options:
        out.append(".TP\n.B %s\n%s" % (esc(flag), esc(desc)))
    return "\n".join(out)


def main():
    tool = sys.argv[1]
    name = tool.rsplit("/", 1)[-1]
    help_text = run([tool, "--help"])
    version = run([tool, "--version"]).strip() or name
    usage, summary, options, rest = parse(help_text)
    page = ['.TH %s 1 "" "%s" "User Commands"' % (name.upper(), esc(version)),
            ".SH NAME", "%s \\- %s" % (name, esc(summary or name)),
            ".SH SYNOPSIS"]
    for u in usage:
        page.append(".B %s\n%s\n.br" % (name, esc(u.split(" ", 1)[1] if u.startswith(name) and " " in u else u)))
    page += [".SH DESCRIPTION", esc(summary)]
    if options:
        page += [".SH OPTIONS", options_roff(options)]
    commands = []
    for title, body in sections(rest):
        if title == "COMMANDS":
            commands = [m.group(1) for m in re.finditer(r"^  ([a-z][a-z0-9-]*)\b", body, re.M)]
            page += [".SH COMMANDS", ".nf", esc(body), ".fi"]
        elif title == "EXAMPLES":
            page += [".SH EXAMPLES", ".nf", esc(body), ".fi"]
        elif title == "EXIT STATUS":
            page += [".SH EXIT STATUS", ".nf", esc(body), ".fi"]
        else:
            page += [".PP", ".nf", esc(para_or(body)), ".fi"]
    for cmd in commands:
        sub_usage, sub_summary, sub_options, sub_rest = parse(run([tool, cmd, "--help"]))
        page += [".SS %s %s" % (name, cmd)]
        for u in sub_usage:
            page.append(".B %s\n.br" % esc(u))
        if sub_summary:
            page.append(esc(sub_summary))
        if sub_options:
            page.append(options_roff(sub_options))
        if sub_rest.strip():
            page += [".PP", ".nf", esc(sub_rest), ".fi"]
    page += [".SH SEE ALSO", "The ipckit README; \\fB%s \\-\\-help\\fR." % name]
    sys.stdout.write("\n".join(page) + "\n")


def para_or(text):
    return text


if __name__ == "__main__":
    main()
