"""completion.py TOOL: writes a bash completion for TOOL to stdout, made
from its --help (options, and subcommands with their own options)."""
import re
import subprocess
import sys


def run(argv):
    return subprocess.run(argv, capture_output=True, text=True).stdout


def options(help_text):
    found = []
    for m in re.finditer(r"^\s+(?:(-[A-Za-z0-9]),? )?\s*(--[a-z0-9-]+)?", help_text, re.M):
        for opt in m.groups():
            if opt and opt not in found:
                found.append(opt)
    return found


def main():
    tool = sys.argv[1]
    name = tool.rsplit("/", 1)[-1]
    help_text = run([tool, "--help"])
    fn = "_ipckit_" + re.sub(r"\W", "_", name)
    top = options(help_text.split("\nCommands:")[0])
    commands = []
    if "\nCommands:" in help_text:
        body = help_text.split("\nCommands:", 1)[1]
        commands = [m.group(1) for m in re.finditer(r"^  ([a-z][a-z0-9-]*)\b", body, re.M)]
    out = ["# bash completion for %s (generated from its --help by ipckit's installer)" % name,
           "%s() {" % fn,
           "  local cur=${COMP_WORDS[COMP_CWORD]} opts",
           "  local cword=$COMP_CWORD"]
    if commands:
        out += ["  if (( cword == 1 )); then",
                "    COMPREPLY=($(compgen -W %s -- \"$cur\"))" % repr(" ".join(commands + top)),
                "    return",
                "  fi",
                "  case ${COMP_WORDS[1]} in"]
        for c in commands:
            out.append("    %s) opts=%s ;;" % (c, repr(" ".join(options(run([tool, c, "--help"]))))))
        out += ["    *) opts='' ;;", "  esac"]
    else:
        out.append("  opts=%s" % repr(" ".join(top)))
    out += ["  if [[ $cur == -* ]]; then",
            "    COMPREPLY=($(compgen -W \"$opts\" -- \"$cur\"))",
            "  else",
            "    COMPREPLY=($(compgen -f -- \"$cur\"))",
            "  fi",
            "}",
            "complete -F %s %s" % (fn, name)]
    sys.stdout.write("\n".join(out) + "\n")


if __name__ == "__main__":
    main()
