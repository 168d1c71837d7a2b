package local

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"io"
	"io/fs"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"

	"github.com/pintui/pintui/ops/s3"
)

// s3Request returns a request to the stack's S3 signed with the local credentials, as the AWS CLI
// signs it: the body's SHA-256 in X-Amz-Content-Sha256 and the path sent as written.
func s3Request(t *testing.T, method, url string, body []byte) *http.Request {
	t.Helper()
	req, err := http.NewRequest(method, url, bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	sum := sha256.Sum256(body)
	hash := hex.EncodeToString(sum[:])
	req.Header.Set("X-Amz-Content-Sha256", hash)
	creds := aws.Credentials{AccessKeyID: s3.LocalAccessKey, SecretAccessKey: s3.LocalSecretKey}
	err = v4.NewSigner(func(o *v4.SignerOptions) { o.DisableURIPathEscaping = true }).
		SignHTTP(context.Background(), creds, req, hash, "s3", "us-east-1", time.Now())
	if err != nil {
		t.Fatal(err)
	}
	return req
}

// s3Call sends a signed request and returns its status and body.
func s3Call(t *testing.T, method, url string, body []byte) (int, string) {
	t.Helper()
	resp, err := http.DefaultClient.Do(s3Request(t, method, url, body))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp.StatusCode, string(data)
}

// s3Files lists the files under the stack's S3 folder, relative to it, leaving out the folder
// of bodies being written.
func s3Files(t *testing.T, dir string) []string {
	t.Helper()
	root := filepath.Join(dir, "s3")
	var files []string
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		rel, _ := filepath.Rel(root, path)
		if !strings.HasPrefix(rel, tmpDir+string(filepath.Separator)) {
			files = append(files, filepath.ToSlash(rel))
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return files
}

func TestKeysStayInTheirBucket(t *testing.T) {
	dir := t.TempDir()
	s := start(t, freePorts(dir))
	base := s.Endpoints().S3 + "/" + Bucket(uid)
	if status, body := s3Call(t, http.MethodPut, s.Endpoints().S3+"/other-bucket", nil); status != http.StatusOK {
		t.Fatalf("create other-bucket: %d %s", status, body)
	}
	if status, body := s3Call(t, http.MethodPut, s.Endpoints().S3+"/other-bucket/x", []byte("theirs")); status != http.StatusOK {
		t.Fatalf("put other-bucket/x: %d %s", status, body)
	}
	before := s3Files(t, dir)
	for _, c := range []struct{ method, path string }{
		{http.MethodPut, "/%2e%2e/other-bucket/x"},
		{http.MethodPut, "/%2e%2e/other-bucket/y"},
		{http.MethodPut, "/a/%2e%2e/%2e%2e/other-bucket/x"},
		{http.MethodPut, "/%2e%2e/%2e%2e/metadata/x"},
		{http.MethodPut, "/./x"},
		{http.MethodPut, "/a//x"},
		{http.MethodPut, "/a/"},
		{http.MethodGet, "/%2e%2e/other-bucket/x"},
		{http.MethodHead, "/%2e%2e/other-bucket/x"},
		{http.MethodDelete, "/%2e%2e/other-bucket/x"},
	} {
		status, body := s3Call(t, c.method, base+c.path, []byte("mine"))
		if status != http.StatusBadRequest || (c.method != http.MethodHead && !strings.Contains(body, "<Code>InvalidArgument</Code>")) {
			t.Errorf("%s %s: %d %s, want 400 InvalidArgument", c.method, c.path, status, body)
		}
	}
	if status, body := s3Call(t, http.MethodPut, s.Endpoints().S3+"/%2e%2e/buckets/other-bucket/x", []byte("mine")); status != http.StatusBadRequest {
		t.Errorf("PUT into bucket ..: %d %s, want 400", status, body)
	}
	copyReq := s3Request(t, http.MethodPut, base+"/copied", nil)
	copyReq.Header.Set("X-Amz-Copy-Source", "/"+Bucket(uid)+"/%2e%2e/other-bucket/x")
	if resp, err := http.DefaultClient.Do(copyReq); err != nil || resp.StatusCode != http.StatusBadRequest {
		t.Errorf("copy from %%2e%%2e/other-bucket/x: %v %v, want 400", resp, err)
	}
	status, body := s3Call(t, http.MethodGet, base+"?list-type=2&delimiter=/&prefix=../", nil)
	if status != http.StatusOK || strings.Contains(body, "other-bucket") {
		t.Errorf("list prefix ../: %d %s, want 200 without the other bucket", status, body)
	}
	if after := s3Files(t, dir); !slicesEqual(after, before) {
		t.Errorf("files after the refused requests = %v, want them unchanged: %v", after, before)
	}
	got, err := os.ReadFile(filepath.Join(dir, "s3", "buckets", "other-bucket", "x"))
	if err != nil || string(got) != "theirs" {
		t.Errorf("other-bucket/x = %q, %v; want it untouched", got, err)
	}
}

func slicesEqual(a, b []string) bool {
	return strings.Join(a, "\n") == strings.Join(b, "\n")
}
