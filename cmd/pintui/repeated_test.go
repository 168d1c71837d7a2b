package main

import (
	"testing"

	"github.com/spf13/cobra"

	"github.com/pintui/pintui/ops/command"
)

// TestRepeatedFlagReachesTheRegistryOncePerValue expects a repeatable flag given twice as a
// subcommand to come back as two flags of the console line, each value quoted whole.
func TestRepeatedFlagReachesTheRegistryOncePerValue(t *testing.T) {
	c := &command.Command{Name: "job run", Args: "NAME|ID", Flags: []command.Flag{{Name: "param", Repeated: true, Placeholder: "KEY=VALUE"}}}
	cmd := &cobra.Command{Use: "run"}
	cmd.Flags().Var(&textsFlag{name: "KEY=VALUE"}, "param", "")
	if err := cmd.Flags().Parse([]string{"--param", "step=clean_pin", "--param", "note=it's a,b"}); err != nil {
		t.Fatal(err)
	}
	want := `job run 'nightly' --param='step=clean_pin' --param='note=it'\''s a,b'`
	if got := registryLine(cmd, c, []string{"nightly"}); got != want {
		t.Fatalf("line %s\nwant %s", got, want)
	}
	reg := command.NewRegistry()
	reg.Add(&command.Command{Name: c.Name, Args: c.Args, MinArgs: 1, MaxArgs: 1, Flags: c.Flags, Help: "Run."})
	in, err := reg.Parse(want)
	if err != nil {
		t.Fatal(err)
	}
	if got := in.Values("param"); len(got) != 2 || got[0] != "step=clean_pin" || got[1] != "note=it's a,b" {
		t.Fatalf("the registry reads %q", got)
	}
}
