package local

import (
	"os/exec"
	"reflect"
	"regexp"
	"sort"
	"testing"

	"github.com/pintui/pintui/ops/reftool"
)

func TestKcatListsTheTopics(t *testing.T) {
	kcat := reftool.Path(t, "kcat", "kcat")
	s := start(t, freePorts(t.TempDir()))
	out, err := exec.Command(kcat, "-b", s.Endpoints().Kafka, "-L", "-m", "10").CombinedOutput()
	if err != nil {
		t.Fatalf("kcat -L: %v\n%s", err, out)
	}
	// kcat prints `  topic "<name>" with <n> partitions:` per topic.
	var got []string
	for _, m := range regexp.MustCompile(`topic "([^"]+)" with (\d+) partitions`).FindAllStringSubmatch(string(out), -1) {
		got = append(got, m[1]+"/"+m[2])
	}
	want := []string{"0a1b2c3d4e5f.geo/1", "0a1b2c3d4e5f.pin/1", "0a1b2c3d4e5f.user/1"}
	// kcat lists topics in the broker's metadata order, which is not sorted.
	sort.Strings(got)
	if !reflect.DeepEqual(got, want) {
		t.Errorf("kcat -L topics = %v, want %v\n%s", got, want, out)
	}
}
