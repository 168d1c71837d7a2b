package local

import (
	"context"
	"io"
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

func TestS3RefusesRequestsNotSignedWithTheLocalCredentials(t *testing.T) {
	dir := t.TempDir()
	s := start(t, freePorts(dir))
	object := s.Endpoints().S3 + "/" + Bucket(uid) + "/topics/a.json"
	sign := func(req *http.Request, key, secret string, at time.Time) {
		creds := aws.Credentials{AccessKeyID: key, SecretAccessKey: secret}
		req.Header.Set("X-Amz-Content-Sha256", "UNSIGNED-PAYLOAD")
		if err := v4.NewSigner().SignHTTP(context.Background(), creds, req, "UNSIGNED-PAYLOAD", "s3", "us-east-1", at); err != nil {
			t.Fatal(err)
		}
	}
	for _, c := range []struct {
		name, code string
		req        func() *http.Request
	}{
		{"unsigned", "AccessDenied", func() *http.Request {
			req, _ := http.NewRequest(http.MethodPut, object, strings.NewReader("{}\n"))
			return req
		}},
		{"another secret", "SignatureDoesNotMatch", func() *http.Request {
			req, _ := http.NewRequest(http.MethodPut, object, strings.NewReader("{}\n"))
			sign(req, s3.LocalAccessKey, "guessed", time.Now())
			return req
		}},
		{"another access key", "InvalidAccessKeyId", func() *http.Request {
			req, _ := http.NewRequest(http.MethodPut, object, strings.NewReader("{}\n"))
			sign(req, "someone", s3.LocalSecretKey, time.Now())
			return req
		}},
		{"signed for another key", "SignatureDoesNotMatch", func() *http.Request {
			req := s3Request(t, http.MethodPut, object+".other", []byte("{}\n"))
			req.URL.Path = "/" + Bucket(uid) + "/topics/a.json"
			return req
		}},
		{"a changed signed header", "SignatureDoesNotMatch", func() *http.Request {
			req := s3Request(t, http.MethodPut, object, []byte("{}\n"))
			req.Header.Set("X-Amz-Content-Sha256", "UNSIGNED-PAYLOAD")
			return req
		}},
		{"signed an hour ago", "RequestTimeTooSkewed", func() *http.Request {
			req, _ := http.NewRequest(http.MethodPut, object, strings.NewReader("{}\n"))
			sign(req, s3.LocalAccessKey, s3.LocalSecretKey, time.Now().Add(-time.Hour))
			return req
		}},
		{"presigned for another secret", "SignatureDoesNotMatch", func() *http.Request {
			req, _ := http.NewRequest(http.MethodGet, object+"?X-Amz-Expires=60", nil)
			creds := aws.Credentials{AccessKeyID: s3.LocalAccessKey, SecretAccessKey: "guessed"}
			u, _, err := v4.NewSigner().PresignHTTP(context.Background(), creds, req, "UNSIGNED-PAYLOAD", "s3", "us-east-1", time.Now())
			if err != nil {
				t.Fatal(err)
			}
			req, _ = http.NewRequest(http.MethodPut, u, strings.NewReader("{}\n"))
			return req
		}},
	} {
		resp, err := http.DefaultClient.Do(c.req())
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != http.StatusForbidden || !strings.Contains(string(body), "<Code>"+c.code+"</Code>") {
			t.Errorf("%s: %d %s, want 403 %s", c.name, resp.StatusCode, body, c.code)
		}
	}
	if _, err := os.Stat(filepath.Join(dir, "s3", "buckets", Bucket(uid), "topics")); !os.IsNotExist(err) {
		t.Errorf("a refused request stored something: stat topics/: %v", err)
	}
	if status, body := s3Call(t, http.MethodPut, object, []byte("{}\n")); status != http.StatusOK {
		t.Fatalf("signed put: %d %s", status, body)
	}
	req, _ := http.NewRequest(http.MethodGet, object+"?X-Amz-Expires=60", nil)
	creds := aws.Credentials{AccessKeyID: s3.LocalAccessKey, SecretAccessKey: s3.LocalSecretKey}
	u, _, err := v4.NewSigner().PresignHTTP(context.Background(), creds, req, "UNSIGNED-PAYLOAD", "s3", "us-east-1", time.Now())
	if err != nil {
		t.Fatal(err)
	}
	resp, err := http.Get(u)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK || string(body) != "{}\n" {
		t.Errorf("presigned get: %d %q, want 200 {}", resp.StatusCode, body)
	}
}

func TestS3AnonymousTakesUnsignedRequests(t *testing.T) {
	opts := freePorts(t.TempDir())
	opts.S3Anonymous = true
	s := start(t, opts)
	req, _ := http.NewRequest(http.MethodPut, s.Endpoints().S3+"/"+Bucket(uid)+"/topics/a.json", strings.NewReader("{}\n"))
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Errorf("unsigned put with S3Anonymous: %d, want 200", resp.StatusCode)
	}
}
