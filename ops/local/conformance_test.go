package local

import (
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"regexp"
	"sort"
	"strings"
	"testing"

	"github.com/pintui/pintui/ops/reftool"
	"github.com/pintui/pintui/ops/s3"
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

// TestAWSCLISignsForTheLocalS3 checks the signature check against another signer than the SDK's:
// the AWS CLI's uploads (an empty one too), downloads, deletes and presigned URLs, of keys that
// need escaping, are let in.
func TestAWSCLISignsForTheLocalS3(t *testing.T) {
	aws := reftool.Path(t, "aws", "awscli")
	s := start(t, freePorts(t.TempDir()))
	e := s.Endpoints()
	run := func(args ...string) string {
		t.Helper()
		cmd := exec.Command(aws, append(args, "--endpoint-url", e.S3)...)
		cmd.Env = append(os.Environ(), "AWS_ACCESS_KEY_ID="+s3.LocalAccessKey, "AWS_SECRET_ACCESS_KEY="+s3.LocalSecretKey,
			"AWS_DEFAULT_REGION=us-east-1", "AWS_CONFIG_FILE=/dev/null", "AWS_SHARED_CREDENTIALS_FILE=/dev/null", "AWS_CA_BUNDLE=")
		out, err := cmd.CombinedOutput()
		if err != nil {
			t.Fatalf("aws %v: %v\n%s", args, err, out)
		}
		return string(out)
	}
	src := filepath.Join(t.TempDir(), "landing.json")
	if err := os.WriteFile(src, []byte(`{"index":1}`+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	key := "topics/u.pin/partition=0/u.pin+0+0000000000 é~.json"
	run("s3", "cp", src, "s3://"+e.Bucket+"/"+key)
	if got := run("s3", "cp", "s3://"+e.Bucket+"/"+key, "-"); got != `{"index":1}`+"\n" {
		t.Errorf("aws s3 cp down = %q, want the uploaded body", got)
	}
	run("s3api", "put-object", "--bucket", e.Bucket, "--key", "empty")
	run("s3", "rm", "s3://"+e.Bucket+"/empty")
	resp, err := http.Get(strings.TrimSpace(run("s3", "presign", "s3://"+e.Bucket+"/"+key)))
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK || string(body) != `{"index":1}`+"\n" {
		t.Errorf("GET of aws s3 presign's URL: %d %q, want 200 and the body", resp.StatusCode, body)
	}
}
