package main

import (
	"errors"
	"flag"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/pintui/pintui/ops/reftool"
	"github.com/spf13/pflag"
)

// shBlocks returns the body of every ```sh block of a Markdown file, in order.
func shBlocks(t *testing.T, name string) []string {
	t.Helper()
	data, err := os.ReadFile(name)
	if err != nil {
		t.Fatal(err)
	}
	var blocks []string
	var cur *strings.Builder
	for line := range strings.Lines(string(data)) {
		switch {
		case cur == nil && strings.TrimSpace(line) == "```sh":
			cur = &strings.Builder{}
		case cur != nil && strings.TrimSpace(line) == "```":
			blocks = append(blocks, cur.String())
			cur = nil
		case cur != nil:
			cur.WriteString(line)
		}
	}
	return blocks
}

// TestREADMEScriptsRunAsWritten runs every ```sh block of README.md verbatim under bash, with
// the pintui under test first on PATH and a fresh home. A block that starts `pintui serve`
// talks to it on the documented default ports; the others run on ports 0.
func TestREADMEScriptsRunAsWritten(t *testing.T) {
	blocks := shBlocks(t, "../../README.md")
	if len(blocks) < 2 {
		t.Fatalf("README.md has %d sh blocks, want the first run and the local stack at least", len(blocks))
	}
	for i, block := range blocks {
		t.Run(fmt.Sprintf("block_%d", i+1), func(t *testing.T) { runBlock(t, block) })
	}
}

func runBlock(t *testing.T, block string) {
	home := t.TempDir()
	path := []string{filepath.Dir(binary)}
	for _, tool := range []struct{ name, pkg string }{{"kcat", "kcat"}, {"aws", "awscli"}, {"curl", "curl"}} {
		if strings.Contains(block, tool.name+" ") {
			path = append(path, filepath.Dir(reftool.Path(t, tool.name, tool.pkg)))
		}
	}
	env := append(awsEnv(), "PATH="+strings.Join(append(path, os.Getenv("PATH")), ":"),
		"HOME="+home, "XDG_DATA_HOME="+filepath.Join(home, "data"), "XDG_CONFIG_HOME="+filepath.Join(home, "config"))
	if strings.Contains(block, "pintui serve") {
		defaultPortsFree(t)
	} else {
		env = append(env, "PINTUI_LOCAL_KAFKA_ADDR=127.0.0.1:0", "PINTUI_LOCAL_S3_ADDR=127.0.0.1:0", "PINTUI_LOCAL_GATEWAY_ADDR=127.0.0.1:0", "PINTUI_LOCAL_KINESIS_ADDR=127.0.0.1:0", "PINTUI_LOCAL_AIRFLOW_ADDR=127.0.0.1:0",
			"PINTUI_LOCAL_WORKSPACE_ADDR=127.0.0.1:0")
	}
	// Output goes to a file, not a pipe: a server the block leaves in the background keeps its
	// end of a pipe open after bash exits.
	out, err := os.Create(filepath.Join(home, "output"))
	if err != nil {
		t.Fatal(err)
	}
	defer out.Close()
	cmd := exec.Command("bash", "-e", "-o", "pipefail", "-c", block)
	cmd.Dir, cmd.Env, cmd.Stdout, cmd.Stderr = home, env, out, out
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	runErr := cmd.Wait()
	stopGroup(t, cmd.Process.Pid)
	text, _ := os.ReadFile(out.Name())
	if runErr != nil {
		t.Fatalf("README block failed: %v\n--- block\n%s--- output\n%s", runErr, block, text)
	}
	t.Logf("output:\n%s", text)
}

// defaultPortsFree checks the documented default listeners are free, since a block that talks
// to `pintui serve` names them.
func defaultPortsFree(t *testing.T) {
	for _, addr := range []string{"127.0.0.1:9092", "127.0.0.1:9000", "127.0.0.1:8082", "127.0.0.1:4567", "127.0.0.1:8080", "127.0.0.1:8090"} {
		ln, err := net.Listen("tcp", addr)
		if err != nil {
			if os.Getenv("CI") == "true" {
				t.Fatalf("%s is taken; the README's local-stack block needs it: %v", addr, err)
			}
			t.Skipf("%s is taken, so the README's local-stack block cannot run here: %v", addr, err)
		}
		ln.Close()
	}
}

// stopGroup ends what a block left running (a backgrounded pintui serve) and waits until it is
// gone, so its data dir is released before the test removes it.
func stopGroup(t *testing.T, pgid int) {
	if err := syscall.Kill(-pgid, syscall.SIGTERM); errors.Is(err, syscall.ESRCH) {
		return
	}
	deadline := time.Now().Add(30 * time.Second)
	for syscall.Kill(-pgid, 0) == nil {
		if time.Now().After(deadline) {
			_ = syscall.Kill(-pgid, syscall.SIGKILL)
			t.Errorf("a process the README block started did not stop on SIGTERM within 30 s")
			return
		}
		time.Sleep(50 * time.Millisecond)
	}
}

var update = flag.Bool("update", false, "rewrite the global flags line of README.md")

// globalFlagsLine lists the root command's persistent flags with their value names, as README.md
// shows them.
func globalFlagsLine() string {
	a := &app{p: &process{}, flags: map[string]string{}}
	var names []string
	a.rootCommand().PersistentFlags().VisitAll(func(f *pflag.Flag) {
		value, _ := pflag.UnquoteUsage(f)
		names = append(names, "`--"+f.Name+" "+value+"`")
	})
	return strings.Join(names, ", ") + "."
}

// TestREADMENamesTheGlobalFlags expects README.md to list exactly the global flags pintui
// declares; `go test ./cmd/pintui -run TestREADMENamesTheGlobalFlags -update` rewrites the line.
func TestREADMENamesTheGlobalFlags(t *testing.T) {
	const name = "../../README.md"
	data, err := os.ReadFile(name)
	if err != nil {
		t.Fatal(err)
	}
	readme := string(data)
	const anchor = "(see [Configuration](#configuration)):\n\n"
	start := strings.Index(readme, anchor)
	if start < 0 {
		t.Fatal("README.md has no global flags paragraph")
	}
	start += len(anchor)
	end := start + strings.Index(readme[start:], "\n")
	want := globalFlagsLine()
	if readme[start:end] == want {
		return
	}
	if !*update {
		t.Fatalf("README.md global flags are\n%s\nwant\n%s\n(run go test ./cmd/pintui -run TestREADMENamesTheGlobalFlags -update)", readme[start:end], want)
	}
	if err := os.WriteFile(name, []byte(readme[:start]+want+readme[end:]), 0o644); err != nil {
		t.Fatal(err)
	}
}
