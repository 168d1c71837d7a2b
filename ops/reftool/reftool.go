// Package reftool finds the external reference tools that pintui's conformance tests run
// against: implementations nobody here wrote (kcat, the AWS CLI), installed from Debian by
// .ci/run.
package reftool

import (
	"os"
	"os/exec"
	"path/filepath"
	"testing"
)

// debianBin is where Debian's packages put their commands. It is searched before $PATH because a
// version manager's shim earlier in $PATH (pyenv's aws, say) may stand for another release than
// the one the tests are meant to speak to.
const debianBin = "/usr/bin"

// Path returns the path of the command name from the Debian package pkg. When the command is
// missing the test fails under CI=true and is skipped otherwise, saying what to install.
func Path(t testing.TB, name, pkg string) string {
	t.Helper()
	if p := filepath.Join(debianBin, name); isExecutable(p) {
		return p
	}
	if p, err := exec.LookPath(name); err == nil {
		return p
	}
	if os.Getenv("CI") == "true" {
		t.Fatalf("%s is required under CI=true: install it (Debian: apt-get install %s)", name, pkg)
	}
	t.Skipf("%s is not installed (Debian: apt-get install %s); skipping the conformance check", name, pkg)
	return ""
}

func isExecutable(path string) bool {
	info, err := os.Stat(path)
	return err == nil && !info.IsDir() && info.Mode()&0o111 != 0
}
