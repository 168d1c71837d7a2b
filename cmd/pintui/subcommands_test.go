package main

import (
	"strings"
	"testing"
)

// TestEveryConsoleCommandIsASubcommand runs console commands as subcommands, with their flags,
// -o, and usage errors that exit 2.
func TestEveryConsoleCommandIsASubcommand(t *testing.T) {
	home := t.TempDir()
	cases := []struct {
		args   []string
		code   int
		stdout string
		stderr string
	}{
		{[]string{"tabels"}, 2, "", "pintui: unknown command \"tabels\": did you mean \"tables\"?\n"},
		{[]string{"batch", "rnu"}, 2, "", "pintui: unknown command \"batch rnu\": did you mean \"batch run\"?\n"},
		{[]string{"frobnicate"}, 2, "", "pintui: unknown command \"frobnicate\": run pintui --help for the list of commands\n"},
		{[]string{"tables", "-o", "json"}, 0, "[]\n", ""},
		{[]string{"schema"}, 2, "", "pintui: schema: wrong number of arguments: usage: pintui schema TABLE [--yes]\n"},
		{[]string{"tables", "--bogus"}, 2, "", "pintui: tables: unknown flag: --bogus: run pintui tables --help for the flags\n"},
		{[]string{"tables", "-o", "yaml"}, 2, "", "pintui: tables: --output \"yaml\" is not valid: use table or json\n"},
		{[]string{"config", "show", "-o", "yaml"}, 2, "", "pintui: config show: --output \"yaml\" is not valid: use table or json\n"},
		{[]string{"version", "extra"}, 2, "", "pintui: version: unexpected argument \"extra\": run pintui version --help for its usage\n"},
		{[]string{"clean"}, 2, "", "pintui: clean: --table is required: use pin, geo or user\n"},
		{[]string{"clean", "a", "b"}, 2, "", "pintui: clean: unexpected argument \"b\": run pintui clean --help for its usage\n"},
		{[]string{"preview", "nope", "--limit", "5"}, 1, "", "pintui: preview: no table \"nope\": the lakehouse is empty; run `batch run` first\n"},
	}
	for _, c := range cases {
		out, errs, code := pintui(t, home, "", c.args...)
		if code != c.code || out != c.stdout || errs != c.stderr {
			t.Errorf("pintui %s: exit %d, stdout %q, stderr %q; want exit %d, stdout %q, stderr %q",
				strings.Join(c.args, " "), code, out, errs, c.code, c.stdout, c.stderr)
		}
	}
}

// TestSubcommandHelpNamesValuesByKind expects --help to come from the command's declaration
// and to name flag values N, D or a placeholder instead of pflag's type names.
func TestSubcommandHelpNamesValuesByKind(t *testing.T) {
	cases := map[string][]string{
		"preview":       {"Show a page of a table's rows", "--limit N ", "--offset N ", "-o, --output table|json"},
		"wait landings": {"--timeout D "},
		"emulate batch": {"--count N ", "--rate N ", "--faithful "},
	}
	for name, wants := range cases {
		out, errs, code := pintui(t, t.TempDir(), "", append(strings.Fields(name), "--help")...)
		if code != 0 {
			t.Fatalf("%s --help: exit %d: %s", name, code, errs)
		}
		for _, want := range wants {
			if !strings.Contains(out, want) {
				t.Errorf("%s --help lacks %q:\n%s", name, want, out)
			}
		}
		if strings.Contains(out, " int ") || strings.Contains(out, " string ") {
			t.Errorf("%s --help names a Go type:\n%s", name, out)
		}
	}
}
